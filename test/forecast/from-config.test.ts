import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import {
  autoStrengths,
  fitPooledWithNet,
  forecastSpec,
  mayUseNet,
  pooledStrength,
  STRENGTH_GRID,
  withForecaster,
  withStrength,
} from '../../src/forecast/from-config.ts';
import { netFold } from '../../src/forecast/pooled-net.ts';
import { synthLog, synthStore } from '../evaluate/synth-log.ts';
import { PER_USER } from '../helpers/split.ts';

describe('forecastSpec', () => {
  it("translates a forecast block into the registry's spec, defaults for the keys it lacks", () => {
    expect(forecastSpec({ model: 'arima' })).toEqual({ model: 'arima', order: [1, 1, 1], fallback: 'mean' });
    expect(forecastSpec({ model: 'arima-resid' })).toEqual({
      model: 'arima-resid',
      level: 'mean',
      shrink: 0.5,
    });
    expect(forecastSpec({ model: 'ses' })).toEqual({ model: 'ses', alpha: 0.3 });
    expect(forecastSpec({ model: 'ses', alpha: null } as { model: 'ses' })).toEqual({ model: 'ses' });
    expect(forecastSpec({ model: 'naive' })).toEqual({ model: 'naive' });
  });

  it('refuses pooled, which is fitted rather than built', () => {
    expect(() => forecastSpec({ model: 'pooled' })).toThrow(/fitted on the training data/);
  });
});

describe('pooled strength', () => {
  it('reads a resolved strength and refuses an unresolved auto', () => {
    expect(pooledStrength({ model: 'pooled', strength: 16 } as { model: 'pooled' })).toBe(16);
    expect(() => pooledStrength({ model: 'pooled' })).toThrow(/chosen on validation/);
    expect(STRENGTH_GRID[0]).toBeNull();
  });

  it('reads net, the last candidate of auto', () => {
    expect(pooledStrength({ model: 'pooled', strength: 'net' } as { model: 'pooled' })).toBe('net');
    expect(STRENGTH_GRID.at(-1)).toBe('net');
  });

  it('sets the strength of a pooled block only', () => {
    const arima = { model: 'arima' as const, order: [1, 1, 1] };
    expect(withStrength(arima, 4)).toBe(arima);
    expect(pooledStrength(withStrength({ model: 'pooled' as const }, null))).toBeNull();
  });
});

describe('withForecaster', () => {
  it('runs fn with a registry forecaster', async () => {
    const name = await withForecaster({ model: 'naive' }, (f) => f.name, null);
    expect(name).toMatch(/naive/);
  });

  it('needs the fitted model for pooled', async () => {
    await expect(
      withForecaster({ model: 'pooled', strength: null } as { model: 'pooled' }, () => 0, null),
    ).rejects.toThrow(/needs its fitted model/);
  });
});

describe('fitPooledWithNet', () => {
  const synth = synthLog();
  const store = synthStore(synth);
  const { train, valid } = synth.split;

  it('tries the network under auto only where validation targets sit where test targets do', () => {
    const heldOut = { ...PER_USER, validation: 'users' } as Config['split'];
    expect(autoStrengths(heldOut)).toEqual(STRENGTH_GRID);
    expect(autoStrengths(PER_USER)).toEqual([null, 4, 16, 64]);
    expect(autoStrengths({ protocol: 'global' } as Config['split'])).toEqual([null, 4, 16, 64]);
    expect(mayUseNet({ model: 'pooled' }, heldOut)).toBe(true);
    expect(mayUseNet({ model: 'pooled' }, PER_USER)).toBe(false);
    // Asked for by name, it is used whatever the protocol.
    expect(mayUseNet({ model: 'pooled', strength: 'net' } as { model: 'pooled' }, PER_USER)).toBe(true);
    expect(mayUseNet({ model: 'pooled', strength: 16 } as { model: 'pooled' }, heldOut)).toBe(false);
    expect(mayUseNet({ model: 'ses' }, heldOut)).toBe(false);
  });

  it('fits no network when told not to', async () => {
    const ridgeOnly = await fitPooledWithNet({ model: 'pooled' }, store, synth.split, {
      seed: 1,
      net: false,
    });
    expect(ridgeOnly.validNets).toBeNull();
    expect(ridgeOnly.pooled.net).toBeUndefined();
  });

  it('fits the test network on every training and validation target, each fold’s without that fold’s', async () => {
    const { pooled, validNets } = await fitPooledWithNet({ model: 'pooled' }, store, synth.split, {
      seed: 1,
      net: true,
    });
    const inFold = (f: number) => valid.filter((ex) => netFold(ex) === f).length;
    expect(inFold(0)).toBeGreaterThan(0);
    expect(inFold(1)).toBeGreaterThan(0);
    expect(pooled.net?.examples).toBe(train.length + valid.length);
    expect(validNets?.map((n) => n.examples)).toEqual([train.length + inFold(1), train.length + inFold(0)]);
    // Fold 0's network is the test network of the split without fold 0's validation examples: their
    // targets never reach it.
    const without0 = await fitPooledWithNet(
      { model: 'pooled' },
      store,
      {
        train,
        valid: valid.filter((ex) => netFold(ex) !== 0),
      },
      { seed: 1, net: true },
    );
    expect(validNets?.[0]).toEqual(without0.pooled.net);
  });
});
