import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoArimaForecaster } from '../../src/forecast/arima-auto.ts';
import { sharedArimaRuntime } from '../../src/forecast/arima-wasm.ts';
import { createForecaster } from '../../src/forecast/registry.ts';
import { gaussian, mulberry32 } from '../../src/util/random.ts';
import { errorsBesideBaselines } from './series.ts';

function walks(seed: number, count: number, length: number, drift: number, sd: number): number[][] {
  const noise = gaussian(mulberry32(seed));
  return Array.from({ length: count }, () => {
    let x = 0.4;
    return Array.from({ length }, () => {
      x += drift + sd * noise();
      return x;
    });
  });
}

function whiteNoise(seed: number, count: number, length: number, sd: number): number[][] {
  const noise = gaussian(mulberry32(seed));
  return Array.from({ length: count }, () => Array.from({ length }, () => 0.3 + sd * noise()));
}

describe('arima-auto order selection (AICc)', () => {
  let auto: AutoArimaForecaster;
  beforeAll(async () => {
    auto = new AutoArimaForecaster(await sharedArimaRuntime(), { model: 'arima-auto' });
  });
  afterAll(() => auto.dispose());

  const dOf = (s: number[]) => {
    const sel = auto.select(s, 1);
    if (!('fit' in sel)) throw new Error(`no fit: ${sel.reason}`);
    return sel.fit.order[1];
  };

  it('picks d = 1 for random walks with drift, d = 0 for white noise, more often than not', () => {
    const rw = walks(11, 100, 30, 0.01, 0.02).map(dOf);
    const wn = whiteNoise(12, 100, 30, 0.02).map(dOf);
    const share1 = rw.filter((d) => d === 1).length / rw.length;
    const share0 = wn.filter((d) => d === 0).length / wn.length;
    console.log(`arima-auto: d=1 on RW+drift ${share1}, d=0 on white noise ${share0}`);
    expect(share1).toBeGreaterThan(0.5);
    expect(share0).toBeGreaterThan(0.5);
  });

  it('falls back with the same guards as fixed-order ARIMA', () => {
    expect(auto.forecastDetailed([0.1, 0.2, 0.3], 1)).toMatchObject({ fallback: 'too-short' });
    expect(auto.forecastDetailed(new Array(20).fill(0.2), 2)).toEqual({
      values: [0.2, 0.2],
      fallback: 'constant',
    });
    const nan = whiteNoise(3, 1, 20, 0.02)[0];
    nan[4] = Number.NaN;
    expect(auto.forecastDetailed(nan, 1).fallback).toBe('non-finite-input');
  });

  it('rejects bad limits', async () => {
    await expect(createForecaster({ model: 'arima-auto', maxD: 2 })).rejects.toThrow(
      /maxD must be an integer in \[0, 1\]/,
    );
    await expect(createForecaster({ model: 'arima-auto', maxP: 0, maxQ: 0 })).rejects.toThrow(/maxP or maxQ/);
  });
});

describe('arima-auto vs naive / SES on generated share series', () => {
  it('{"model":"arima-auto"} beats naive on trends and is not much worse than SES on flat series', async () => {
    const { err, naiveErr, sesErr } = await errorsBesideBaselines({ model: 'arima-auto' });
    expect(err.trend).toBeLessThan(naiveErr.trend);
    expect(err.flat).toBeLessThan(1.15 * sesErr.flat);
  });
});
