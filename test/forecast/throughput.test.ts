import { describe, expect, it } from 'vitest';
import { sharedArimaRuntime } from '../../src/forecast/arima-wasm.ts';
import { createForecaster } from '../../src/forecast/registry.ts';
import { linearCases } from './series.ts';

/** Best-of-rounds series/s of each fn, rounds interleaved so JIT warm-up and load hit both alike. */
function rates(series: number[][], fns: ((s: number[]) => unknown)[], rounds = 4): number[] {
  const best = fns.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, i) => {
      const t0 = performance.now();
      for (const s of series) fn(s);
      best[i] = Math.max(best[i], series.length / ((performance.now() - t0) / 1000));
    });
  }
  return best;
}

describe('ARIMA(1,1,1) css throughput on 24-point series', () => {
  it('guards cost little next to the bare package calls', async () => {
    const series = linearCases(3, 2000, { length: 24, sd: 0.02, trend: true }).map((c) => c.history);
    const { ARIMA } = await sharedArimaRuntime();
    const bare = new ARIMA({ p: 1, d: 1, q: 1, method: 1, optimizer: 6, verbose: false });
    const f = await createForecaster({ model: 'arima', order: [1, 1, 1], fallback: 'naive' });
    const [bareRate, guardedRate] = rates(series, [(s) => bare.train(s).predict(1), (s) => f.forecast(s, 1)]);
    bare.destroy();
    f.dispose();
    console.log(
      `ARIMA(1,1,1) css, 24 points: bare ${bareRate.toFixed(0)} series/s, guarded ${guardedRate.toFixed(0)} series/s`,
    );
    expect(guardedRate).toBeGreaterThan(0.7 * bareRate);
  });
});
