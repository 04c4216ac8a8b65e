import { afterAll, describe, expect, it } from 'vitest';
import { levelErrors, MIN_RESID_ERRORS } from '../../src/forecast/arima-resid.ts';
import { createForecaster } from '../../src/forecast/registry.ts';
import type { Forecaster, ForecastSpec } from '../../src/forecast/types.ts';
import { errorsBesideBaselines, linearCases, meanAbsError, oneStep, VARIANT_CASES } from './series.ts';

describe('levelErrors', () => {
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

describe('arima-resid settings', () => {
  it('rejects a bad shrink or level', async () => {
    await expect(createForecaster({ model: 'arima-resid', shrink: 2 })).rejects.toThrow(/shrink/);
    await expect(createForecaster({ model: 'arima-resid', level: 'median' } as never)).rejects.toThrow(
      /level/,
    );
  });
});

describe('arima-resid vs naive / SES / the mean on generated share series', () => {
  const made: Forecaster[] = [];
  afterAll(() => {
    for (const f of made) f.dispose();
  });

  it('{"model":"arima-resid"} beats naive on trends and is not much worse than SES on flat series', async () => {
    const { err, naiveErr, sesErr } = await errorsBesideBaselines({ model: 'arima-resid' });
    expect(err.trend).toBeLessThan(naiveErr.trend);
    expect(err.flat).toBeLessThan(1.15 * sesErr.flat);
  });

  it('arima-resid around the mean improves on the mean where there is a trend and costs little on flat series', async () => {
    const { trend, flat } = VARIANT_CASES;
    const f = await createForecaster({ model: 'arima-resid', level: 'mean' });
    made.push(f);
    const mean = await createForecaster({ model: 'mean' });
    expect(f.name).toBe('arima-resid(mean, 0.5)|mean');
    expect(meanAbsError(trend, oneStep(f))).toBeLessThan(0.8 * meanAbsError(trend, oneStep(mean)));
    expect(meanAbsError(flat, oneStep(f))).toBeLessThan(1.05 * meanAbsError(flat, oneStep(mean)));
  });
});

describe('arima-resid on short series (all its candidates are fitted in JS: no 11-point package limit)', () => {
  const lengths = [5, 6, 7, 8, 9, 10];
  const cases = (seed: number, trend: boolean) =>
    lengths.flatMap((length) => linearCases(seed + length, 60, { length, sd: 0.02, trend }));
  const trend = cases(200, true);
  const flat = cases(300, false);
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
    const err = { trend: meanAbsError(trend, oneStep(resid)), flat: meanAbsError(flat, oneStep(resid)) };
    const meanErr = { trend: meanAbsError(trend, oneStep(mean)), flat: meanAbsError(flat, oneStep(mean)) };
    console.log('arima-resid(mean) on 5–10 points', { err, meanErr });
    expect(err.trend).toBeLessThan(0.9 * meanErr.trend);
    expect(err.flat).toBeLessThan(1.1 * meanErr.flat);
  });

  it('with the SES level, is no worse than fitted SES on 5–10 point series', async () => {
    const resid = await make({ model: 'arima-resid' });
    const ses = await make({ model: 'ses' });
    for (const set of [trend, flat]) {
      expect(meanAbsError(set, oneStep(resid))).toBeLessThan(1.03 * meanAbsError(set, oneStep(ses)));
    }
  });
});
