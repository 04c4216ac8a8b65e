import { describe, expect, it } from 'vitest';
import { createForecaster, FORECASTERS } from '../../src/forecast/registry.ts';
import { createSimpleForecaster, sesLevel } from '../../src/forecast/simple.ts';
import type { ForecastSpec } from '../../src/forecast/types.ts';

describe('simple forecasters', () => {
  it('naive repeats the last value, mean the history mean', async () => {
    const naive = await createForecaster({ model: 'naive' });
    const mean = await createForecaster({ model: 'mean' });
    expect(naive.forecast([0.1, 0.4, 0.2], 3)).toEqual([0.2, 0.2, 0.2]);
    expect(mean.forecast([0.25, 1, 0.25], 2)).toEqual([0.5, 0.5]);
  });

  it('ses starts at the first value, alpha defaults to 0.3', async () => {
    const ses = await createForecaster({ model: 'ses' });
    // l = 1 → 0.3·2 + 0.7·1 = 1.3 → 0.3·3 + 0.7·1.3 = 1.81
    expect(ses.forecast([1, 2, 3], 1)[0]).toBeCloseTo(1.81, 12);
    expect((await createForecaster({ model: 'ses', alpha: 1 })).forecast([1, 2, 3], 1)).toEqual([3]);
    expect(sesLevel([5], 0.5)).toBe(5);
  });

  it('skip non-finite points instead of returning NaN', () => {
    const series = [0.2, Number.NaN, 0.4, Number.POSITIVE_INFINITY];
    expect(createSimpleForecaster({ model: 'naive' }).forecast(series, 1)).toEqual([0.4]);
    expect(createSimpleForecaster({ model: 'mean' }).forecast(series, 1)[0]).toBeCloseTo(0.3, 12);
    expect(createSimpleForecaster({ model: 'ses' }).forecast(series, 1)[0]).toBeCloseTo(0.26, 12);
  });

  it('rejects bad input with a clear error', async () => {
    const naive = await createForecaster({ model: 'naive' });
    expect(() => naive.forecast([], 1)).toThrow(/no finite values/);
    expect(() => naive.forecast([Number.NaN], 1)).toThrow(/no finite values/);
    expect(() => naive.forecast([1], 0)).toThrow(/horizon must be a positive integer/);
    expect(() => naive.forecast([1], 1.5)).toThrow(/horizon/);
    await expect(createForecaster({ model: 'ses', alpha: 0 })).rejects.toThrow(/alpha/);
    await expect(createForecaster({ model: 'prophet' } as unknown as ForecastSpec)).rejects.toThrow(
      /unknown forecast model "prophet"/,
    );
    await expect(FORECASTERS.mean({ model: 'naive' })).rejects.toThrow(
      /factory 'mean' got a spec for "naive"/,
    );
  });
});
