#!/usr/bin/env node
/**
 * node scripts/portable-score.mjs <checkpointDir> <userIndex>
 *
 * Recomputes one user's item scores from the checkpoint files with nothing but @tensorflow/tfjs and
 * node:fs — no project code — following docs/CHECKPOINT.md. Prints {user, mode, alpha, beta, scores} as JSON.
 * It proves the checkpoint is self-describing: any tfjs runtime can serve it.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';

const [dir, userArg] = process.argv.slice(2);
if (!dir || userArg === undefined) {
  console.error('usage: portable-score.mjs <checkpointDir> <userIndex>');
  process.exit(2);
}
const read = (name) => readFileSync(`${dir}/${name}`);
const json = (name) => JSON.parse(read(name).toString('utf8'));

/** Little-endian 4-byte arrays, whatever the host's byte order. */
function array(name, get) {
  const b = read(name);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.byteLength / 4 }, (_, i) => get.call(view, i * 4, true));
}
const f32 = (name) => Float32Array.from(array(name, DataView.prototype.getFloat32));

const manifest = json('manifest.json');
const { maxLen, inputWidth, outputDim } = manifest.model;
const { dim } = manifest.encoder;
const { k } = manifest.topics;
const { alpha, beta } = manifest.blend;
const mode = manifest.blend.mode ?? 'vector';
const u = Number(userArg);
const users = json('users.json').ids;
if (!Number.isInteger(u) || u < 0 || u >= users.length) {
  console.error(`userIndex must be an integer in [0, ${users.length})`);
  process.exit(2);
}

// A custom IO handler: model.json's topology + weight specs, weights.bin's bytes.
const modelJson = json('model/model.json');
const weights = read('model/weights.bin');
const model = await tf.loadLayersModel({
  load: async () => ({
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }),
});

// LSTM vector: the network on the user's stored bucket sequence (first outputDim outputs).
const step = maxLen * inputWidth;
const seq = f32('user_sequences.f32').subarray(u * step, (u + 1) * step);
const out = model.predict(tf.tensor3d(seq, [1, maxLen, inputWidth])).dataSync();
const lstm = Array.from(out.subarray(0, outputDim));

// ARIMA vector: forecast topic shares × topic centroids.
const shares = f32('user_topic_forecast.f32').subarray(u * k, (u + 1) * k);
const centroids = f32('topic_centroids.f32');
const arima = Array.from({ length: dim }, (_, d) =>
  shares.reduce((s, w, c) => s + w * centroids[c * dim + d], 0),
);

// Items are scored against unit(e_i + r_i) when the model learned an item residual, else the text vectors.
const items = f32(
  manifest.files['item_scoring_vectors.f32'] ? 'item_scoring_vectors.f32' : 'item_vectors.f32',
);
const popularity = f32('item_popularity.f32');
const nItems = popularity.length;
const norm = (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const dot = (v, m, i) => {
  let s = 0;
  for (let d = 0; d < dim; d++) s += v[d] * m[i * dim + d];
  return s;
};
const [nl, na] = [norm(lstm), norm(arima)];
const lstmScore = Array.from(popularity, (_, i) => (nl > 0 ? dot(lstm, items, i) / nl : 0));

let scores;
if (mode === 'vector') {
  // Blend of the unit-normalised vectors, dot products with the item vectors, plus the popularity prior.
  const maxCount = popularity.reduce((m, c) => Math.max(m, c), 0);
  scores = Array.from(popularity, (c, i) => {
    const a = na > 0 ? dot(arima, items, i) / na : 0;
    return (
      alpha * lstmScore[i] +
      (1 - alpha) * a +
      (maxCount > 0 ? (beta * Math.log1p(c)) / Math.log1p(maxCount) : 0)
    );
  });
} else {
  // Topic memberships m_ik = softmax_k(cos(e_i, μ_k) / temperature) of the text vectors; p(i | k) ∝ m_ik (n_i + 0.5).
  const text = f32('item_vectors.f32');
  const { temperature } = manifest.topics;
  const m = new Float64Array(nItems * k);
  for (let i = 0; i < nItems; i++) {
    const cos = Array.from({ length: k }, (_, c) => dot(centroids.subarray(c * dim, (c + 1) * dim), text, i));
    const top = Math.max(...cos);
    const e = cos.map((x) => Math.exp((x - top) / temperature));
    const z = e.reduce((a, b) => a + b, 0);
    e.forEach((x, c) => {
      m[i * k + c] = x / z;
    });
  }
  const mass = new Float64Array(k);
  for (let i = 0; i < nItems; i++)
    for (let c = 0; c < k; c++) mass[c] += m[i * k + c] * (popularity[i] + 0.5);
  const topic = Array.from(popularity, (n, i) => {
    let p = 0;
    for (let c = 0; c < k; c++) if (mass[c] > 0) p += (shares[c] * m[i * k + c] * (n + 0.5)) / mass[c];
    return p;
  });
  // The LSTM expert: its contrastive logits ⟨l̂, v_i⟩ / τ plus β·log(1 + n_i).
  const tau = manifest.config.model.temperature;
  const z = lstmScore.map((x, i) => (alpha > 0 ? x / tau + beta * Math.log1p(popularity[i]) : 0));
  if (mode === 'log-linear') {
    scores = z.map((x, i) => (alpha < 1 ? alpha * x + (1 - alpha) * Math.log(topic[i] + 1e-30) : x));
  } else {
    const top = Math.max(...z);
    const total = z.reduce((s, x) => s + Math.exp(x - top), 0);
    scores = z.map((x, i) => (alpha * Math.exp(x - top)) / total + (1 - alpha) * topic[i]);
  }
}
console.log(JSON.stringify({ user: users[u], mode, alpha, beta, scores }));
