import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.ts';
import { loadConfig } from '../../src/config/load.ts';
import { env } from '../../src/env.ts';
import { evaluateCheckpoint } from '../../src/pipeline/evaluate-checkpoint.ts';
import type { TrainRunResult } from '../../src/pipeline/train.ts';
import { Recommender } from '../../src/recommend/recommender.ts';
import { editConfig, tinyProject } from '../helpers/tiny-run.ts';
import { reportJson, trainTiny } from '../helpers/train-tiny.ts';

describe('the whole pipeline on a tiny synthetic log', () => {
  const project = tinyProject();
  let run: TrainRunResult;
  beforeAll(async () => {
    run = await trainTiny(project, 'tiny-run');
  });

  it('trains, evaluates every method on the test users and writes the report', () => {
    expect(run.usersEvaluated).toBeGreaterThan(40);
    const methods = ['blend', 'blend_no_forecast', 'lstm', 'topic_forecast', 'topic_recent', 'topic_static'];
    for (const m of [...methods, 'topic_vector', 'item_knn', 'most_popular', 'recent_popular']) {
      expect(run.metrics[m]['ndcg@10']).toBeGreaterThanOrEqual(0);
      expect(run.metrics[m]['ndcg@10']).toBeLessThanOrEqual(1);
    }
    const metrics = reportJson(run, 'metrics.json');
    expect(metrics.split.protocol).toBe('per-user');
    expect(metrics.methods.blend['recall@10']).toBe(run.metrics.blend['recall@10']);
    expect(readFileSync(join(run.reportDir, 'report.md'), 'utf8')).toMatch(/\| most_popular \|/);
  });

  it('the planted drift is learnable: the LSTM ranks better than chance', () => {
    // 120 items, ~5 new targets per user: a random top-10 has recall ≈ 10/110.
    expect(run.metrics.lstm['recall@10']).toBeGreaterThan(0.12);
  });

  it('recommends from the checkpoint alone, excluding seen items', async () => {
    const ck = await loadCheckpoint(run.checkpointDir);
    const rec = new Recommender(ck);
    const r = rec.recommend(ck.users[0], 5);
    expect(r.items).toHaveLength(5);
    const seen = new Set(ck.seen.subarray(ck.seenOffsets[0], ck.seenOffsets[1]));
    for (const it of r.items) expect(seen.has(ck.items.ids.indexOf(it.id))).toBe(false);
    expect(r.topics.reduce((a, t) => a + t.share, 0)).toBeCloseTo(1, 4);
    expect(() => rec.recommend('no-such-user', 5)).toThrow(/unknown user/);
    rec.dispose();
  });

  it('evaluate --checkpoint reproduces the stored test metrics', async () => {
    const ev = await evaluateCheckpoint(run.checkpointDir, {
      config: loadConfig(project.config),
      log: () => {},
    });
    expect(ev.maxDriftFromManifest).toBeLessThan(1e-9);
  });

  it('gives the same test metrics in chunks of a few users, whose buffers each chunk reuses', async () => {
    const saved = env.chunkMb;
    // 120 items × up to 20 matrices × 4 bytes: 3 users per chunk.
    env.chunkMb = (3 * 120 * 20 * 4) / 2 ** 20;
    try {
      const ev = await evaluateCheckpoint(run.checkpointDir, {
        config: loadConfig(project.config),
        log: () => {},
      });
      expect(ev.maxDriftFromManifest).toBeLessThan(1e-9);
      expect(ev.usersEvaluated).toBe(run.usersEvaluated);
    } finally {
      env.chunkMb = saved;
    }
  });

  it('refuses a corrupted checkpoint file, naming it', async () => {
    const f = join(run.checkpointDir, 'item_vectors.f32');
    const bytes = readFileSync(f);
    bytes[10] ^= 0xff;
    writeFileSync(f, bytes);
    await expect(loadCheckpoint(run.checkpointDir)).rejects.toThrow(/item_vectors\.f32: sha256/);
  });
});

describe('with a learned item residual', () => {
  it('scores against unit(e_i + r_i), stores them in the checkpoint and serves the same scores', async () => {
    const project = tinyProject();
    editConfig(project.config, 'dropout: 0.1 }', 'dropout: 0.1, item_residual: true }');
    const before = tf.memory().numTensors;
    const run = await trainTiny(project, 'residual');
    // Nothing the training loop allocates per batch may outlive the run (the residual rows once leaked one
    // tensor per batch: 28 batches here); a few backend-level tensors created once are tolerated.
    expect(tf.memory().numTensors - before).toBeLessThan(10);
    const ck = await loadCheckpoint(run.checkpointDir);
    expect(ck.scoringVectors).not.toBeNull();
    const dim = ck.manifest.encoder.dim;
    let moved = 0;
    for (let i = 0; i < ck.items.ids.length; i++) {
      let dot = 0;
      let norm = 0;
      for (let d = 0; d < dim; d++) {
        dot += ck.scoringVectors![i * dim + d] * ck.itemVectors[i * dim + d];
        norm += ck.scoringVectors![i * dim + d] ** 2;
      }
      expect(Math.sqrt(norm)).toBeCloseTo(1, 4);
      if (dot < 0.999) moved++;
    }
    expect(moved).toBeGreaterThan(10); // the residual learned something for the items in training targets
    const ev = await evaluateCheckpoint(run.checkpointDir, {
      config: loadConfig(project.config),
      log: () => {},
    });
    expect(ev.maxDriftFromManifest).toBeLessThan(1e-9);
  });
});
