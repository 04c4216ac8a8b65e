import { describe, expect, it } from 'vitest';
import { type Manifest, manifestRecency } from '../../src/checkpoint/format.ts';

describe('manifestRecency', () => {
  const blend = { alpha: 0.5, beta: 0, curve: [] } satisfies Manifest['blend'];

  it('reads the chosen window and decay', () => {
    expect(manifestRecency({ ...blend, recent_window: 0.3, recent_decay: 0.2 })).toEqual({
      window: 0.3,
      decay: 0.2,
    });
  });

  it('gives checkpoints from before those choices the profile they were evaluated with: the last 10 %, undecayed', () => {
    expect(manifestRecency(blend)).toEqual({ window: 0.1, decay: 0 });
    expect(manifestRecency({ ...blend, recent_window: 0.05 })).toEqual({ window: 0.05, decay: 0 });
  });
});
