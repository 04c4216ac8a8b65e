import { describe, expect, it } from 'vitest';
import { buildSequential, SEQUENTIAL_MODELS } from '../../src/sequential/registry.ts';
import {
  resolveSequentialSpec,
  SEQUENTIAL_DEFAULTS,
  SEQUENTIAL_KINDS,
  type SequentialSpecInput,
} from '../../src/sequential/spec.ts';

describe('resolveSequentialSpec', () => {
  it('fills the kind defaults and keeps given values', () => {
    expect(resolveSequentialSpec({ kind: 'sasrec', dim: 32 })).toEqual({
      ...SEQUENTIAL_DEFAULTS.sasrec,
      kind: 'sasrec',
      dim: 32,
    });
    expect(resolveSequentialSpec({ kind: 'gru4rec' }).heads).toBeUndefined();
  });

  it('a resolved spec resolves to itself (a saved spec rebuilds the same model)', () => {
    for (const kind of SEQUENTIAL_KINDS) {
      const spec = resolveSequentialSpec({ kind, seed: 7 });
      expect(resolveSequentialSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    }
  });

  it('every kind has a builder and defaults', () => {
    expect(Object.keys(SEQUENTIAL_MODELS).sort()).toEqual([...SEQUENTIAL_KINDS].sort());
    expect(Object.keys(SEQUENTIAL_DEFAULTS).sort()).toEqual([...SEQUENTIAL_KINDS].sort());
  });

  const bad: [unknown, RegExp][] = [
    [{ kind: 'bert4rec' }, /unknown kind "bert4rec"; expected one of gru4rec, sasrec/],
    [{}, /unknown kind undefined/],
    [{ kind: 'sasrec', dims: 64 }, /unknown key "dims" for sasrec/],
    [{ kind: 'gru4rec', heads: 2 }, /unknown key "heads" for gru4rec/],
    [{ kind: 'sasrec', dim: 64, heads: 3 }, /heads \(3\) must divide dim \(64\)/],
    [{ kind: 'sasrec', dropout: 1 }, /dropout must be in \[0, 1\), got 1/],
    [{ kind: 'gru4rec', maxLen: 2.5 }, /maxLen must be a positive integer, got 2.5/],
    [{ kind: 'gru4rec', lr: '1e-3' }, /lr must be a positive number, got "1e-3"/],
    [{ kind: 'gru4rec', l2: -1 }, /l2 must be a number >= 0, got -1/],
  ];
  it.each(bad)('refuses %j', (input, message) => {
    expect(() => resolveSequentialSpec(input as SequentialSpecInput)).toThrow(message);
  });

  it('buildSequential refuses a bad catalogue size before building anything', () => {
    expect(() => buildSequential({ kind: 'sasrec' }, 0)).toThrow(/nItems must be a positive integer, got 0/);
  });
});
