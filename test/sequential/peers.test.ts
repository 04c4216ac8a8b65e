import { beforeAll, describe, expect, it } from 'vitest';
import { splitEvents } from '../../src/data/split.ts';
import { resolveBackend } from '../../src/model/backend.ts';
import { type PeersInput, runPeers, startPeers } from '../../src/sequential/peers.ts';
import { synthLog } from '../evaluate/synth-log.ts';
import { PER_USER } from '../helpers/split.ts';

const tiny = { dim: 8, layers: 1, maxLen: 8, batch: 16, epochs: 2, dropout: 0.2, lr: 1e-2 };
const input: PeersInput = {
  entries: [
    { kind: 'gru4rec', ...tiny },
    { kind: 'sasrec', ...tiny },
  ],
  seed: 3,
  ks: [10, 20],
  excludeSeen: true,
};

function data() {
  const { log, nItems } = synthLog(60, 80, 4, 5);
  const split = splitEvents(log, { events: 5 }, PER_USER);
  return { log, nItems, split };
}

const withoutSeconds = (r: Awaited<ReturnType<typeof runPeers>>) => ({
  methods: r.methods,
  costs: r.costs.map(({ seconds, ...c }) => c),
});

describe('the peers stage', () => {
  beforeAll(async () => {
    await resolveBackend('wasm');
  });

  it('trains each peer on a worker thread of its own with the numbers they give in the caller’s thread', async () => {
    const { log, nItems, split } = data();
    const lines: string[] = [];
    const started = startPeers(input, log, split, nItems, (l) => lines.push(l));
    expect(started.where).toBe('thread');
    const threaded = await started.result;
    const inline = await runPeers(input, log, split, nItems, () => {});
    expect(Object.keys(threaded.methods)).toEqual(['gru4rec', 'sasrec']);
    expect(threaded.methods.gru4rec.users).toBeGreaterThan(40);
    expect(withoutSeconds(threaded)).toEqual(withoutSeconds(inline));
    // The thread's epoch lines reach the caller's log.
    expect(lines.some((l) => /^gru4rec epoch 2: loss/.test(l))).toBe(true);
  });

  it('reports a peer failing on the thread where the result is awaited, in one line', async () => {
    const { log, nItems, split } = data();
    const bad = { ...input, entries: [{ kind: 'gru4rec' as const, ...tiny, dim: -1 }] };
    const started = startPeers(bad, log, split, nItems, () => {});
    await expect(started.result).rejects.toThrow(/^sequential peers: .*dim/);
  });

  it('runs in the caller’s thread only when awaited when nothing is configured', async () => {
    const { log, nItems, split } = data();
    const started = startPeers({ ...input, entries: [] }, log, split, nItems, () => {});
    expect(started.where).toBe('inline');
    expect(await started.result).toEqual({ methods: {}, costs: [] });
  });
});
