import { buildGru4Rec } from './gru4rec.ts';
import type { SequentialNet } from './net.ts';
import { buildSasRec } from './sasrec.ts';
import {
  resolveSequentialSpec,
  type SequentialKind,
  type SequentialSpec,
  type SequentialSpecInput,
} from './spec.ts';

/** Network builders by kind: adding a model = one file, one line here, its defaults in spec.ts. */
export const SEQUENTIAL_MODELS: Record<
  SequentialKind,
  (spec: SequentialSpec, nItems: number) => SequentialNet
> = {
  gru4rec: buildGru4Rec,
  sasrec: buildSasRec,
};

/** The network of a (saved) spec with freshly initialised, seeded weights; the spec is validated first. */
export function buildSequential(input: SequentialSpecInput, nItems: number): SequentialNet {
  if (!(Number.isInteger(nItems) && nItems >= 1))
    throw new Error(`sequential: nItems must be a positive integer, got ${nItems}`);
  const spec = resolveSequentialSpec(input);
  return SEQUENTIAL_MODELS[spec.kind](spec, nItems);
}
