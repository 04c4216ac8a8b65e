import {
  BlendColumns,
  type BlendConstants,
  type BlendParams,
  type BlendRow,
  blendConstants,
  blendValue,
} from '../recommend/blend.ts';
import { Candidates } from './candidates.ts';

/**
 * Candidates per feature tried before a whole row: few enough that a grid of settings costs little per
 * row, the wider tier for the settings whose k-th candidate does not beat the narrow tier's bound.
 */
const TIERS = [64, 512] as const;

/**
 * The top lists of many blend settings over the rows of one chunk without scoring every item for each: per
 * row, the candidates of its four inputs (Candidates) and each setting's constants are computed once, and
 * each setting then scores only the candidates. Lists are exactly blendRow + topK's; null when no tier's
 * bound holds (the caller ranks the whole row).
 */
export class BlendTops {
  private row = -1;
  private inputs: BlendRow | null = null;
  private readonly tiers: ({ cand: Candidates; columns: BlendColumns } | null)[] = TIERS.map(() => null);
  private readonly constants = new Map<string, BlendConstants>();
  /** kthLargest's heap, as long as the widest tier. */
  private readonly scratch = new Float32Array(Math.max(...TIERS));

  constructor(
    private readonly rowOf: (r: number) => BlendRow,
    private readonly tau: number,
  ) {}

  top(p: BlendParams, r: number, k: number, excluded: ReadonlySet<number> | null): Int32Array | null {
    const x = this.at(r);
    const c = this.constantsOf(p, x);
    for (let t = 0; t < TIERS.length; t++) {
      const { cand, columns } = this.candidates(t, x);
      const [l, v, s, n] = cand.thresholds;
      const fill = (out: Float32Array) => columns.values(p, c, out);
      const top = cand.top(fill, blendValue(p, this.tau, c, l, v, s, n), k, excluded);
      if (top) return top;
    }
    return null;
  }

  /** Row r's inputs; the per-row caches start over when the row changes. */
  private at(r: number): BlendRow {
    if (r !== this.row || !this.inputs) {
      this.row = r;
      this.inputs = this.rowOf(r);
      this.tiers.fill(null);
      this.constants.clear();
    }
    return this.inputs;
  }

  /** Tier t's candidates of the row and their inputs, which every setting of the row scores. */
  private candidates(t: number, x: BlendRow) {
    if (!this.tiers[t]) {
      const cand = new Candidates([x.lstm, x.vector, x.topic, x.logCount], TIERS[t], this.scratch);
      const [lstm, vector, topic, logCount] = cand.columns;
      this.tiers[t] = { cand, columns: new BlendColumns({ lstm, vector, topic, logCount }, this.tau) };
    }
    return this.tiers[t];
  }

  /** A setting's constants; the mixture mode's normaliser (a pass over every item) is shared by its β. */
  private constantsOf(p: BlendParams, x: BlendRow): BlendConstants {
    const key = p.mode === 'mixture' ? `${p.mode}:${p.beta}:${p.alpha > 0}` : `${p.mode}:${p.beta}`;
    let c = this.constants.get(key);
    if (!c) {
      c = blendConstants(p, x, this.tau);
      this.constants.set(key, c);
    }
    return c;
  }
}
