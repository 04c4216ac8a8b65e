import { describe, expect, it } from 'vitest';
import { buildSequenceModel, predict } from '../../src/model/lstm.ts';
import { predictExamples, sequencesOf } from '../../src/model/train.ts';
import { withSeededRandom } from '../../src/util/seeded.ts';
import { synthLog, synthStore } from '../evaluate/synth-log.ts';
import { tinySpec } from '../helpers/model-spec.ts';

describe('predictExamples', () => {
  it('is predict over all the sequences at once, bit for bit, built a chunk at a time', async () => {
    const synth = synthLog();
    const { topics, split } = synth;
    const store = synthStore(synth);
    const spec = tinySpec({ maxLen: 3, inputWidth: store.width, outputDim: topics, topicHead: topics });
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
