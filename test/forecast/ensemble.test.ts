import { describe, expect, it } from 'vitest';
import { createForecaster } from '../../src/forecast/registry.ts';
import { errorsBesideBaselines } from './series.ts';

describe('ensemble of fitted SES and arima-auto', () => {
  it('rejects bad weights', async () => {
    await expect(createForecaster({ model: 'ensemble', weights: 'bma' } as never)).rejects.toThrow(/weights/);
  });

  it('{"model":"ensemble"} beats naive on trends and is not much worse than SES on flat series', async () => {
    const { err, naiveErr, sesErr } = await errorsBesideBaselines({ model: 'ensemble' });
    expect(err.trend).toBeLessThan(naiveErr.trend);
    expect(err.flat).toBeLessThan(1.15 * sesErr.flat);
  });
});
