import { describe, expect, it } from 'vitest';
import {
  forecastSpec,
  pooledStrength,
  STRENGTH_GRID,
  withForecaster,
  withStrength,
} from '../../src/forecast/from-config.ts';

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
