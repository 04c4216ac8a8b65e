import * as tf from '@tensorflow/tfjs';

/** Everything needed to rebuild the network (saved in the checkpoint; weights come from weights.bin). */
export interface SequenceModelSpec {
  cell: 'lstm' | 'gru';
  units: number;
  layers: number;
  inputProjection: number;
  dropout: number;
  recurrentDropout: number;
  l2: number;
  maxLen: number;
  inputWidth: number;
  /** Width of the interest vector (the item-embedding dimension). */
  outputDim: number;
  /** Topics of the second head (softmax over next-bucket topic shares); 0 = no topic head. */
  topicHead: number;
}

/**
 * Masking → (Dense projection) → LSTM/GRU stack → [Dense head into item-embedding space | softmax topic head]:
 * h_t = LSTM(x_t, h_{t−1}), y = W·h_T + b, q = softmax(U·h_T + c). Left-padded all-zero buckets are masked.
 * The two heads are concatenated into one output (outputDim + topicHead wide), so model.json stays a plain
 * single-output tfjs model any runtime can load. The input projection is one matmul over all time steps, so
 * the recurrent kernel works on a small input (~2.5× faster training on wasm with 534-wide inputs).
 * L2 is applied by the trainer, so model.json has no custom regulariser.
 */
export function buildSequenceModel(spec: SequenceModelSpec): tf.LayersModel {
  const input = tf.input({ shape: [spec.maxLen, spec.inputWidth], name: 'buckets' });
  let x = tf.layers.masking({ maskValue: 0, name: 'mask' }).apply(input) as tf.SymbolicTensor;
  if (spec.inputProjection > 0) {
    x = tf.layers
      .dense({ units: spec.inputProjection, activation: 'tanh', name: 'project' })
      .apply(x) as tf.SymbolicTensor;
  }
  for (let l = 0; l < spec.layers; l++) {
    const args = {
      units: spec.units,
      returnSequences: l < spec.layers - 1,
      dropout: spec.dropout,
      recurrentDropout: spec.recurrentDropout,
      recurrentInitializer: 'glorotUniform' as const,
      name: `${spec.cell}_${l}`,
    };
    x = (spec.cell === 'lstm' ? tf.layers.lstm(args) : tf.layers.gru(args)).apply(x) as tf.SymbolicTensor;
  }
  if (spec.dropout > 0)
    x = tf.layers.dropout({ rate: spec.dropout, name: 'head_dropout' }).apply(x) as tf.SymbolicTensor;
  const vec = tf.layers.dense({ units: spec.outputDim, name: 'head' }).apply(x) as tf.SymbolicTensor;
  if (spec.topicHead === 0) return tf.model({ inputs: input, outputs: vec, name: 'interest_evo' });
  const topics = tf.layers
    .dense({ units: spec.topicHead, activation: 'softmax', name: 'topic_head' })
    .apply(x) as tf.SymbolicTensor;
  const out = tf.layers.concatenate({ name: 'outputs' }).apply([vec, topics]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'interest_evo' });
}

/** Splits the concatenated output into the interest vector and the topic-share forecast. */
export function splitOutputs(
  out: tf.Tensor2D,
  spec: SequenceModelSpec,
): { vec: tf.Tensor2D; topics: tf.Tensor2D | null } {
  if (spec.topicHead === 0) return { vec: out, topics: null };
  const [vec, topics] = tf.split(out, [spec.outputDim, spec.topicHead], 1) as [tf.Tensor2D, tf.Tensor2D];
  return { vec, topics };
}

export interface Predictions {
  /** rows × outputDim interest vectors. */
  vectors: Float32Array;
  /** rows × topicHead next-bucket topic shares, or null without a topic head. */
  topics: Float32Array | null;
}

/** `model` on rows sequences in inference mode, batched: rows × width outputs. */
function forward(
  model: tf.LayersModel,
  x: Float32Array,
  rows: number,
  spec: SequenceModelSpec,
  width: number,
  batch: number,
): Float32Array {
  const all = new Float32Array(rows * width);
  const step = spec.maxLen * spec.inputWidth;
  for (let r = 0; r < rows; r += batch) {
    const n = Math.min(batch, rows - r);
    const y = tf.tidy(
      () =>
        model.predict(
          tf.tensor3d(x.subarray(r * step, (r + n) * step), [n, spec.maxLen, spec.inputWidth]),
        ) as tf.Tensor,
    );
    all.set(y.dataSync() as Float32Array, r * width);
    y.dispose();
  }
  return all;
}

/** Forward pass in inference mode, batched. */
export function predict(
  model: tf.LayersModel,
  x: Float32Array,
  rows: number,
  spec: SequenceModelSpec,
  batch = 256,
): Predictions {
  const width = spec.outputDim + spec.topicHead;
  const all = forward(model, x, rows, spec, width, batch);
  if (spec.topicHead === 0) return { vectors: all, topics: null };
  const vectors = new Float32Array(rows * spec.outputDim);
  const topics = new Float32Array(rows * spec.topicHead);
  for (let r = 0; r < rows; r++) {
    vectors.set(all.subarray(r * width, r * width + spec.outputDim), r * spec.outputDim);
    topics.set(all.subarray(r * width + spec.outputDim, (r + 1) * width), r * spec.topicHead);
  }
  return { vectors, topics };
}

/**
 * The network cut at its linear output layer `head`: interest vector l = h·W + b, where h is the head's
 * input. Scoring can then run in the rank of h instead of the embedding dim.
 */
export interface HeadSplit {
  /** Outputs [h | l] per row. Shares the model's layers: never dispose it on its own (that frees them). */
  cut: tf.LayersModel;
  units: number;
  /** W, units × outputDim, row-major. */
  kernel: Float32Array;
  bias: Float32Array;
}

export function splitAtHead(model: tf.LayersModel): HeadSplit {
  const head = model.getLayer('head');
  const [kernel, bias] = head.getWeights();
  const both = tf.layers
    .concatenate()
    .apply([head.input as tf.SymbolicTensor, head.output as tf.SymbolicTensor]) as tf.SymbolicTensor;
  return {
    cut: tf.model({ inputs: model.inputs, outputs: both }),
    units: kernel.shape[0],
    kernel: Float32Array.from(kernel.dataSync()),
    bias: Float32Array.from(bias.dataSync()),
  };
}

/** For each sequence, h (rows × units) and the network's own l = h·W + b (rows × outputDim). */
export function predictHead(
  head: HeadSplit,
  x: Float32Array,
  rows: number,
  spec: SequenceModelSpec,
  batch = 256,
): { hidden: Float32Array; vectors: Float32Array } {
  const width = head.units + spec.outputDim;
  const all = forward(head.cut, x, rows, spec, width, batch);
  const hidden = new Float32Array(rows * head.units);
  const vectors = new Float32Array(rows * spec.outputDim);
  for (let r = 0; r < rows; r++) {
    hidden.set(all.subarray(r * width, r * width + head.units), r * head.units);
    vectors.set(all.subarray(r * width + head.units, (r + 1) * width), r * spec.outputDim);
  }
  return { hidden, vectors };
}
