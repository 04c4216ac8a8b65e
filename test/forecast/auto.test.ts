import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedArimaRuntime } from '../../src/forecast/arima-wasm.ts';
import {
  AutoArimaForecaster,
  aicc,
  akaikeWeights,
  levelErrors,
  MIN_RESID_ERRORS,
} from '../../src/forecast/auto.ts';
import { createForecaster } from '../../src/forecast/registry.ts';
import type { Forecaster, ForecastSpec } from '../../src/forecast/types.ts';
import { gaussian, mulberry32 } from '../../src/util/random.ts';
import { linearCases, meanAbsError } from './series.ts';

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

describe('aicc / akaikeWeights', () => {
  it('match hand-computed values', () => {
    // n = 10, k = 2, σ² = e^-2: 10·(−2) + 4 + 2·2·3/7
    expect(aicc(Math.exp(-2), 10, 2)).toBeCloseTo(-20 + 4 + 12 / 7, 12);
    expect(aicc(1, 3, 2)).toBe(Number.POSITIVE_INFINITY);
    const w = akaikeWeights([10, 12, Number.POSITIVE_INFINITY]);
    expect(w[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(w[1]).toBeCloseTo(Math.exp(-1) / (1 + Math.exp(-1)), 12);
    expect(w[2]).toBe(0);
  });

  it('levelErrors are the one-step errors of fitted SES or of the expanding mean', () => {
    const ses = levelErrors([1, 2, 3, 4, 5], 'ses');
    expect(ses.gain(7)).toBe(1); // a straight line: the least-lagging α wins
    expect(ses.errors).toEqual([1, 1, 1, 1]);
    expect(ses.level).toBe(5);
    // expanding mean: means 1, 1.5, 2, 2.5 → errors 1, 1.5, 2, 2.5; final mean 3; gain 1/(t+1)
    const mean = levelErrors([1, 2, 3, 4, 5], 'mean');
    expect(mean.errors).toEqual([1, 1.5, 2, 2.5]);
    expect(mean.level).toBeCloseTo(3, 12);
    expect(mean.gain(4)).toBe(0.2);
  });
});

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
    await expect(createForecaster({ model: 'arima-resid', shrink: 2 })).rejects.toThrow(/shrink/);
    await expect(createForecaster({ model: 'arima-resid', level: 'median' } as never)).rejects.toThrow(
      /level/,
    );
    await expect(createForecaster({ model: 'ensemble', weights: 'bma' } as never)).rejects.toThrow(/weights/);
  });
});

describe('improved ARIMA variants vs naive / SES on generated share series', () => {
  const trend = linearCases(42, 150, { length: 24, sd: 0.02, trend: true });
  const flat = linearCases(43, 150, { length: 24, sd: 0.02, trend: false });
  const one = (f: Forecaster) => (h: number[]) => f.forecast(h, 1)[0];
  const specs: ForecastSpec[] = [{ model: 'arima-auto' }, { model: 'arima-resid' }, { model: 'ensemble' }];
  const made: Forecaster[] = [];
  let naive: Forecaster;
  let ses: Forecaster;
  beforeAll(async () => {
    naive = await createForecaster({ model: 'naive' });
    ses = await createForecaster({ model: 'ses' });
  });
  afterAll(() => {
    for (const f of made) f.dispose();
  });

  for (const spec of specs) {
    it(`${JSON.stringify(spec)} beats naive on trends and is not much worse than SES on flat series`, async () => {
      const f = await createForecaster(spec);
      made.push(f);
      const err = { trend: meanAbsError(trend, one(f)), flat: meanAbsError(flat, one(f)) };
      const naiveErr = { trend: meanAbsError(trend, one(naive)), flat: meanAbsError(flat, one(naive)) };
      const sesErr = { trend: meanAbsError(trend, one(ses)), flat: meanAbsError(flat, one(ses)) };
      console.log(f.name, { err, naiveErr, sesErr });
      expect(err.trend).toBeLessThan(naiveErr.trend);
      expect(err.flat).toBeLessThan(1.15 * sesErr.flat);
    });
  }
  it('arima-resid around the mean improves on the mean where there is a trend and costs little on flat series', async () => {
    const f = await createForecaster({ model: 'arima-resid', level: 'mean' });
    made.push(f);
    const mean = await createForecaster({ model: 'mean' });
    expect(f.name).toBe('arima-resid(mean, 0.5)|mean');
    expect(meanAbsError(trend, one(f))).toBeLessThan(0.8 * meanAbsError(trend, one(mean)));
    expect(meanAbsError(flat, one(f))).toBeLessThan(1.05 * meanAbsError(flat, one(mean)));
  });
});

describe('arima-resid on short series (all its candidates are fitted in JS: no 11-point package limit)', () => {
  const lengths = [5, 6, 7, 8, 9, 10];
  const cases = (seed: number, trend: boolean) =>
    lengths.flatMap((length) => linearCases(seed + length, 60, { length, sd: 0.02, trend }));
  const trend = cases(200, true);
  const flat = cases(300, false);
  const one = (f: Forecaster) => (h: number[]) => f.forecast(h, 1)[0];
  const made: Forecaster[] = [];
  const make = async (spec: ForecastSpec) => {
    const f = await createForecaster(spec);
    made.push(f);
    return f;
  };
  afterAll(() => {
    for (const f of made) f.dispose();
  });

  it('fits from MIN_RESID_ERRORS + 1 points; arima-auto keeps the package limit', async () => {
    const resid = await make({ model: 'arima-resid', level: 'mean' });
    const series = trend[0].history;
    expect(MIN_RESID_ERRORS).toBe(4);
    expect(resid.forecastDetailed?.(series.slice(0, MIN_RESID_ERRORS), 1).fallback).toBe('too-short');
    expect(resid.forecastDetailed?.(series.slice(0, MIN_RESID_ERRORS + 1), 1).fallback).toBeNull();
    const auto = await make({ model: 'arima-auto', maxD: 0 });
    expect(auto.forecastDetailed?.(series.slice(0, 10), 1).fallback).toBe('too-short');
  });

  it('corrects the lagging mean on 5–10 point trends and costs little on flat series', async () => {
    const resid = await make({ model: 'arima-resid', level: 'mean' });
    const mean = await make({ model: 'mean' });
    const err = { trend: meanAbsError(trend, one(resid)), flat: meanAbsError(flat, one(resid)) };
    const meanErr = { trend: meanAbsError(trend, one(mean)), flat: meanAbsError(flat, one(mean)) };
    console.log('arima-resid(mean) on 5–10 points', { err, meanErr });
    expect(err.trend).toBeLessThan(0.9 * meanErr.trend);
    expect(err.flat).toBeLessThan(1.1 * meanErr.flat);
  });

  it('with the SES level, is no worse than fitted SES on 5–10 point series', async () => {
    const resid = await make({ model: 'arima-resid' });
    const ses = await make({ model: 'ses' });
    for (const set of [trend, flat]) {
      expect(meanAbsError(set, one(resid))).toBeLessThan(1.03 * meanAbsError(set, one(ses)));
    }
  });
});
