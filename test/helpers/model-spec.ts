import type { SequenceModelSpec } from '../../src/model/lstm.ts';

/** A small sequence model without dropout or regularisation: tests set the sizes they need. */
export function tinySpec(
  sizes: Pick<SequenceModelSpec, 'maxLen' | 'inputWidth' | 'outputDim' | 'topicHead'> &
    Partial<SequenceModelSpec>,
): SequenceModelSpec {
  return {
    cell: 'lstm',
    units: 4,
    layers: 1,
    inputProjection: 0,
    dropout: 0,
    recurrentDropout: 0,
    l2: 0,
    ...sizes,
  };
}
