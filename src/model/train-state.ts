import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { bufferToFloat32, float32ToBuffer, writeDirAtomically } from '../util/fs.ts';

/** Named tensors ↔ one little-endian float32 blob + a JSON index (optimizer slots, weight snapshots). */
interface TensorIndex {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

async function saveTensors(
  dir: string,
  file: string,
  named: { name: string; tensor: tf.Tensor }[],
): Promise<void> {
  const index: TensorIndex[] = [];
  const parts: Buffer[] = [];
  for (const { name, tensor } of named) {
    index.push({ name, shape: tensor.shape, dtype: tensor.dtype as 'float32' | 'int32' });
    parts.push(Buffer.from(float32ToBuffer(Float32Array.from(await tensor.data()))));
  }
  await writeFile(join(dir, `${file}.json`), JSON.stringify(index));
  await writeFile(join(dir, `${file}.bin`), Buffer.concat(parts));
}

async function loadTensors(dir: string, file: string): Promise<{ name: string; tensor: tf.Tensor }[]> {
  const index = JSON.parse(await readFile(join(dir, `${file}.json`), 'utf8')) as TensorIndex[];
  const data = bufferToFloat32(Buffer.from(await readFile(join(dir, `${file}.bin`))));
  let o = 0;
  return index.map(({ name, shape, dtype }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = data.subarray(o, o + n);
    o += n;
    return {
      name,
      tensor: tf.tensor(
        dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values),
        shape,
        dtype,
      ),
    };
  });
}

/** Adam's internal running powers of β₁ and β₂ (absent for other optimizers). */
function adamPowers(optimizer: tf.Optimizer): Record<string, tf.Variable> {
  const o = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  return o.accBeta1 && o.accBeta2 ? { 'adam/accBeta1': o.accBeta1, 'adam/accBeta2': o.accBeta2 } : {};
}

export interface TrainProgress<H> {
  /** Fingerprint of everything that shapes training; a resume with a different one is refused. */
  key: string;
  epoch: number;
  best: number;
  bestEpoch: number;
  history: H[];
}

/**
 * Saves what a resumed run needs after a finished epoch — current weights, Adam's slots, best weights and
 * the bookkeeping — atomically, so a kill -9 at any moment leaves the previous epoch's state intact.
 */
export async function saveTrainState<H>(
  dir: string,
  model: tf.LayersModel,
  extras: readonly tf.Variable[],
  optimizer: tf.Optimizer,
  bestWeights: tf.Tensor[] | null,
  progress: TrainProgress<H>,
): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const weights = [...model.getWeights(), ...extras];
  const names = [...model.weights.map((w) => w.name), ...extras.map((v) => v.name)];
  const optWeights = await optimizer.getWeights();
  // Adam keeps β₁ᵗ, β₂ᵗ as running products; setWeights recomputes them with pow(), which differs in the last
  // float32 bit, so they are saved as they are to make a resumed run bit-identical to an uninterrupted one.
  for (const [name, v] of Object.entries(adamPowers(optimizer))) optWeights.push({ name, tensor: v });
  await writeDirAtomically(dir, async (tmp) => {
    await saveTensors(
      tmp,
      'weights',
      weights.map((tensor, i) => ({ name: names[i], tensor })),
    );
    await saveTensors(
      tmp,
      'best',
      (bestWeights ?? weights).map((tensor, i) => ({ name: names[i], tensor })),
    );
    await saveTensors(
      tmp,
      'optimizer',
      optWeights.map(({ name, tensor }) => ({ name, tensor })),
    );
    await writeFile(join(tmp, 'progress.json'), JSON.stringify(progress));
  });
}

export interface RestoredState<H> {
  progress: TrainProgress<H>;
  bestWeights: tf.Tensor[];
}

/**
 * Restores weights (the model's, then `extras` such as the item residual) and optimizer slots; null when
 * there is no saved state. Best weights come back in the same order.
 */
export async function loadTrainState<H>(
  dir: string,
  key: string,
  model: tf.LayersModel,
  extras: readonly tf.Variable[],
  optimizer: tf.Optimizer,
): Promise<RestoredState<H> | null> {
  let progress: TrainProgress<H>;
  try {
    progress = JSON.parse(await readFile(join(dir, 'progress.json'), 'utf8'));
  } catch {
    return null;
  }
  if (progress.key !== key) {
    throw new Error(
      `${dir}: saved training state belongs to a different config or data (delete it to start over)`,
    );
  }
  const weights = (await loadTensors(dir, 'weights')).map((t) => t.tensor);
  const m = model.weights.length;
  model.setWeights(weights.slice(0, m));
  extras.forEach((v, i) => {
    v.assign(weights[m + i]);
  });
  tf.dispose(weights);
  const saved = await loadTensors(dir, 'optimizer');
  const powers = adamPowers(optimizer);
  await optimizer.setWeights(saved.filter((t) => !(t.name in powers)));
  for (const { name, tensor } of saved) if (name in powers) powers[name].assign(tensor);
  const bestWeights = (await loadTensors(dir, 'best')).map((t) => t.tensor);
  return { progress, bestWeights };
}
