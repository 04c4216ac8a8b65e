/**
 * Training throughput, one run: the project's loop (features built on the fly, custom loss, seeded
 * dropout) vs a bare tfjs `model.fit` on the same network and shapes; and the same loop on the cpu backend
 * (in a child process, since a process has one backend). `tsx bench/train.ts [--backend cpu --loop-only]`.
 */
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { Example } from '../src/data/split.ts';
import { FeatureStore, featureWidth } from '../src/features/sequence.ts';
import { resolveBackend } from '../src/model/backend.ts';
import { buildSequenceModel, type SequenceModelSpec } from '../src/model/lstm.ts';
import { trainModel } from '../src/model/train.ts';
import { mulberry32 } from '../src/util/random.ts';
import { normalizeRows } from '../src/util/vec.ts';
import { machine, peakRssMb } from './machine.ts';

const D = 512;
const K = 20;
const T = 12;

/** A synthetic event log shaped like ml-latest-small's training set (10-event buckets, 512-d items). */
function syntheticStore(users: number, eventsPerUser: number, nItems: number) {
  const rand = mulberry32(1);
  const itemVectors = normalizeRows(
    Float32Array.from({ length: nItems * D }, () => rand() - 0.5),
    D,
  );
  const itemShares = new Float32Array(nItems * K).fill(1 / K);
  const n = users * eventsPerUser;
  const userOffsets = Int32Array.from({ length: users + 1 }, (_, u) => u * eventsPerUser);
  const item = Int32Array.from({ length: n }, () => Math.floor(rand() * nItems));
  const ts = Float64Array.from({ length: n }, (_, i) => 1e9 + i * 60);
  const weight = new Float32Array(n).fill(1);
  const store = new FeatureStore({
    userOffsets,
    item,
    ts,
    weight,
    itemVectors,
    dim: D,
    itemShares,
    k: K,
    buckets: { events: 10 },
  });
  const examples: Example[] = [];
  for (let u = 0; u < users; u++) {
    for (let b = 1; b < eventsPerUser / 10; b++) {
      const end = u * eventsPerUser + b * 10;
      examples.push({
        user: u,
        end,
        targetEnd: end + 10,
        cutoff: ts[end],
        target: Int32Array.from(item.subarray(end, end + 10)),
      });
    }
  }
  return { store, examples, itemVectors, nItems };
}

const spec: SequenceModelSpec = {
  cell: 'lstm',
  units: 64,
  layers: 1,
  inputProjection: 64,
  dropout: 0.2,
  recurrentDropout: 0,
  l2: 0,
  maxLen: T,
  inputWidth: featureWidth(D, K),
  outputDim: D,
  topicHead: 0,
};

async function loopSamplesPerSec(samples: number, loss: 'cosine' | 'contrastive'): Promise<number> {
  const { store, examples, itemVectors, nItems } = syntheticStore(Math.ceil(samples / 12), 130, 5000);
  const train = examples.slice(0, samples);
  const model = buildSequenceModel(spec);
  const items = tf.tensor2d(itemVectors, [nItems, D]);
  const r = await trainModel(
    model,
    spec,
    store,
    train,
    items,
    {
      lr: 1e-3,
      lrDecay: 1,
      batch: 64,
      epochs: 2,
      patience: 9,
      seed: 1,
      l2: 1e-5,
      loss,
      temperature: 0.05,
      negatives: 2048,
      topicWeight: 0,
      itemResidual: false,
      residualL2: 0,
      residualLr: 0,
      stateDir: null,
      resume: false,
      stateKey: '',
      log: () => {},
    },
    async () => 0,
  );
  items.dispose();
  model.dispose();
  return r.history[1].samplesPerSec; // the second epoch: no warm-up in the figure
}

async function fitSamplesPerSec(samples: number): Promise<number> {
  const model = buildSequenceModel(spec);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'cosineProximity' });
  const x = tf.randomNormal([samples, T, spec.inputWidth]);
  const y = tf.randomNormal([samples, D]);
  await model.fit(x, y, { batchSize: 64, epochs: 1, verbose: 0 });
  const t0 = performance.now();
  await model.fit(x, y, { batchSize: 64, epochs: 1, verbose: 0 });
  const s = samples / ((performance.now() - t0) / 1000);
  tf.dispose([x, y]);
  model.dispose();
  return s;
}

export async function runTrainBench(samples = 1024) {
  const backend = await resolveBackend('wasm');
  const fit = await fitSamplesPerSec(samples);
  const loopCosine = await loopSamplesPerSec(samples, 'cosine');
  const loopContrastive = await loopSamplesPerSec(samples, 'contrastive');
  const cpuOut = execFileSync(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--backend', 'cpu', '--loop-only', '128'],
    {
      encoding: 'utf8',
      env: { ...process.env, INTEREST_EVO_PROGRESS: 'off' },
    },
  );
  const cpu = JSON.parse(cpuOut.slice(cpuOut.indexOf('{'))).loop_cosine_samples_per_s as number;
  return {
    bench: 'train',
    machine: machine(),
    backend: backend.name,
    shapes: {
      batch: 64,
      max_len: T,
      input_width: spec.inputWidth,
      units: spec.units,
      output_dim: D,
      samples,
    },
    bare_fit_samples_per_s: Math.round(fit),
    loop_cosine_samples_per_s: Math.round(loopCosine),
    loop_contrastive_samples_per_s: Math.round(loopContrastive),
    ratio_loop_cosine_vs_fit: Number((loopCosine / fit).toFixed(3)),
    cpu_loop_cosine_samples_per_s: Math.round(cpu),
    ratio_wasm_vs_cpu: Number((loopCosine / cpu).toFixed(2)),
    peak_rss_mb: peakRssMb(),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args.includes('--loop-only')) {
    const backend = await resolveBackend(args[args.indexOf('--backend') + 1] as 'cpu');
    const samples = Number(args.at(-1));
    console.log(
      JSON.stringify({
        backend: backend.name,
        loop_cosine_samples_per_s: await loopSamplesPerSec(samples, 'cosine'),
      }),
    );
  } else {
    console.log(JSON.stringify(await runTrainBench(), null, 2));
  }
}
