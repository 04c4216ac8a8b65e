import { describe, expect, it } from 'vitest';
import { FeatureStore } from '../../src/features/sequence.ts';
import { buildSequenceModel, predict, type SequenceModelSpec } from '../../src/model/lstm.ts';
import { predictExamples, sequencesOf } from '../../src/model/train.ts';
import { withSeededRandom } from '../../src/util/seeded.ts';
import { synthLog } from '../evaluate/synth-log.ts';

describe('predictExamples', () => {
  it('is predict over all the sequences at once, bit for bit, built a chunk at a time', async () => {
    const { log, itemVectors, topics, split } = synthLog();
    const store = new FeatureStore({
      ...log,
      weight: new Float32Array(log.item.length).fill(1),
      itemVectors,
      dim: topics,
      itemShares: itemVectors,
      k: topics,
      buckets: { events: 5 },
    });
    const spec: SequenceModelSpec = {
      cell: 'lstm',
      units: 4,
      layers: 1,
      inputProjection: 0,
      dropout: 0,
      recurrentDropout: 0,
      l2: 0,
      maxLen: 3,
      inputWidth: store.width,
      outputDim: topics,
      topicHead: topics,
    };
    const model = await withSeededRandom(1, () => buildSequenceModel(spec));
    // More examples than one chunk (4,096), so the chunked path is what runs.
    const examples = Array.from({ length: 4500 }, (_, i) => split.train[i % split.train.length]);
    const got = predictExamples(model, spec, store, examples);
    const want = predict(model, sequencesOf(store, examples, spec.maxLen), examples.length, spec);
    expect(got.vectors).toEqual(want.vectors);
    expect(got.topics).toEqual(want.topics);
    model.dispose();
  });
});
