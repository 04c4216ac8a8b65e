import { describe, expect, it } from 'vitest';
import { createForecaster, FORECASTERS } from '../../src/forecast/registry.ts';
import {
  createSimpleForecaster,
  DEFAULT_SES_ALPHA,
  SES_ALPHA_GRID,
  sesFitted,
  sesLevel,
} from '../../src/forecast/simple.ts';
import type { ForecastSpec } from '../../src/forecast/types.ts';

describe('simple forecasters', () => {
  it('naive repeats the last value, mean the history mean', async () => {
    const naive = await createForecaster({ model: 'naive' });
    const mean = await createForecaster({ model: 'mean' });
    expect(naive.forecast([0.1, 0.4, 0.2], 3)).toEqual([0.2, 0.2, 0.2]);
    expect(mean.forecast([0.25, 1, 0.25], 2)).toEqual([0.5, 0.5]);
  });

  it('ses starts at the first value and uses a configured alpha', async () => {
    const ses = await createForecaster({ model: 'ses', alpha: 0.3 });
    expect(ses.name).toBe('ses(0.3)');
    // l = 1 → 0.3·2 + 0.7·1 = 1.3 → 0.3·3 + 0.7·1.3 = 1.81
    expect(ses.forecast([1, 2, 3], 1)[0]).toBeCloseTo(1.81, 12);
    expect((await createForecaster({ model: 'ses', alpha: 1 })).forecast([1, 2, 3], 1)).toEqual([3]);
    expect(sesLevel([5], 0.5)).toBe(5);
  });

  it('ses without alpha fits it by one-step SSE over the grid', async () => {
    const ses = await createForecaster({ model: 'ses' });
    expect(ses.name).toBe('ses(fit)');
    // a step: errors vanish fastest with α = 1
    expect(sesFitted([0, 0, 1, 1, 1, 1]).alpha).toBe(1);
    // alternating noise around 0.5: heavy smoothing wins (not the smallest α: the start at 0.4 must decay)
    const zigzag = Array.from({ length: 20 }, (_, t) => 0.5 + (t % 2 ? 0.1 : -0.1));
    expect(sesFitted(zigzag).alpha).toBeLessThanOrEqual(0.2);
    expect(SES_ALPHA_GRID).toHaveLength(20);
    // hand check on [1, 2, 2]: SSE(α) = 1 + (1−α)² → α = 1 (SSE 1) beats every α < 1
    expect(sesFitted([1, 2, 2])).toEqual({ alpha: 1, level: 2, sse: 1 });
    expect(ses.forecast([1, 2, 2], 2)).toEqual([2, 2]);
    // fewer than 3 points: nothing to fit, default α
    expect(sesFitted([1, 2]).alpha).toBe(DEFAULT_SES_ALPHA);
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
