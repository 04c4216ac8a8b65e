import type { EventLog, Example } from '../data/split.ts';

/** One user's training events: [from, end) of the log. */
export interface TrainingSequence {
  user: number;
  from: number;
  end: number;
}

/**
 * Per user with training examples, the events before the end of their last training target (the largest
 * targetEnd): nothing of a user's validation or test window is trained on, under either split protocol.
 * Users in ascending order.
 */
export function trainingSequences(log: EventLog, train: readonly Example[]): TrainingSequence[] {
  const ends = new Map<number, number>();
  for (const ex of train) ends.set(ex.user, Math.max(ends.get(ex.user) ?? 0, ex.targetEnd));
  return [...ends]
    .sort((a, b) => a[0] - b[0])
    .map(([user, end]) => ({ user, from: log.userOffsets[user], end }));
}

/**
 * Each sequence cut from its end into windows of at most maxLen transitions (maxLen + 1 events, the
 * last event of one window is the first of the next): every training transition is a target exactly
 * once, where the last maxLen items alone would drop two thirds of a 150-event history.
 */
export function sequenceWindows(seqs: readonly TrainingSequence[], maxLen: number): TrainingSequence[] {
  const out: TrainingSequence[] = [];
  for (const s of seqs)
    for (let end = s.end; end - s.from >= 2; end -= maxLen)
      out.push({ user: s.user, from: Math.max(s.from, end - maxLen - 1), end });
  return out;
}

/**
 * The items of events [from, to), at most the last maxLen, as input ids (item + 1; 0 is padding)
 * right-aligned in out[offset, offset + maxLen). `out` must be zero there.
 */
function writeLeftPadded(
  item: Int32Array,
  from: number,
  to: number,
  maxLen: number,
  out: Int32Array,
  offset: number,
): void {
  const start = Math.max(from, to - maxLen);
  const pad = maxLen - (to - start);
  for (let i = start; i < to; i++) out[offset + pad + i - start] = item[i] + 1;
}

/** Next-item pairs of a batch of sequences. */
export interface NextItemBatch {
  /** rows × maxLen input ids (item + 1, left-padded with 0). */
  ids: Int32Array;
  /** Flat indices (row × maxLen + position) of the non-padded inputs, each with a target. */
  positions: Int32Array;
  /** The item following each of those inputs. */
  targets: Int32Array;
}

/** Pairs (item_t → item_{t+1}) at every position of each sequence's last maxLen transitions. */
export function nextItemBatch(
  log: EventLog,
  seqs: readonly TrainingSequence[],
  maxLen: number,
): NextItemBatch {
  const ids = new Int32Array(seqs.length * maxLen);
  const positions: number[] = [];
  const targets: number[] = [];
  seqs.forEach((s, r) => {
    writeLeftPadded(log.item, s.from, s.end - 1, maxLen, ids, r * maxLen);
    const n = Math.min(maxLen, s.end - 1 - s.from);
    for (let j = 0; j < n; j++) {
      positions.push(r * maxLen + maxLen - n + j);
      targets.push(log.item[s.end - n + j]);
    }
  });
  return { ids, positions: Int32Array.from(positions), targets: Int32Array.from(targets) };
}

/** Input ids of each example's history: the user's last maxLen items before `end` (examples × maxLen). */
export function historyIds(log: EventLog, examples: readonly Example[], maxLen: number): Int32Array {
  const ids = new Int32Array(examples.length * maxLen);
  examples.forEach((ex, r) => {
    writeLeftPadded(log.item, log.userOffsets[ex.user], ex.end, maxLen, ids, r * maxLen);
  });
  return ids;
}
