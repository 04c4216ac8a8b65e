import { describe, expect, it } from 'vitest';
import { buildKnnSnapshots, chooseKnnNeighbours, itemKnnScorer } from '../../src/evaluate/knn.ts';
import { KnnStarted } from '../../src/evaluate/knn-thread.ts';
import { synthLog } from './synth-log.ts';

describe('KnnStarted', () => {
  it("builds each window's snapshots on a thread, the in-process build bit for bit, for any count up to its max, handed over once", async () => {
    const { log, nItems, split } = synthLog();
    const started = new KnnStarted(log, [split.valid, split.test], nItems, 50, 0);
    try {
      const [valid, test] = await Promise.all([started.take(split.valid), started.take(split.test)]);
      expect(valid).toEqual(buildKnnSnapshots(log, split.valid, nItems, 50));
      expect(test).toEqual(buildKnnSnapshots(log, split.test, nItems, 50));
      // A smaller count reads a prefix of each list: the same scores as snapshots built with that count.
      const own = itemKnnScorer(log, buildKnnSnapshots(log, split.test, nItems, 20), 20)(split.test);
      expect(itemKnnScorer(log, test!, 20)(split.test)).toEqual(own);
      // The validation choice reads the started snapshots as it would its own.
      const opts = { nItems, excludeSeen: true };
      expect(
        await chooseKnnNeighbours(log, split.valid, [5, 50], {
          ...opts,
          snapshots: Promise.resolve(valid!),
        }),
      ).toEqual(await chooseKnnNeighbours(log, split.valid, [5, 50], opts));
      // Handed over once (the caller drops them when done), and only for the windows it was given.
      expect(started.take(split.valid)).toBeUndefined();
      expect(started.take([])).toBeUndefined();
    } finally {
      await started.dispose();
    }
  });

  it('builds in-process, when first asked, below the threaded size; a stopped thread rejects with one line', async () => {
    const { log, nItems, split } = synthLog();
    const small = new KnnStarted(log, [split.valid], nItems, 10);
    expect(await small.take(split.valid)).toEqual(buildKnnSnapshots(log, split.valid, nItems, 10));
    const stopped = new KnnStarted(log, [split.valid], nItems, 10, 0);
    await stopped.dispose();
    await expect(stopped.take(split.valid)).rejects.toThrow(
      /^item-knn thread: exited with code \d+ before every window was built$/,
    );
  });
});
