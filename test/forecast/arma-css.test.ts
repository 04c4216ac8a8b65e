import { describe, expect, it } from 'vitest';
import { loadArimaRuntime } from '../../src/forecast/arima-wasm.ts';
import { fitArmaCss, forecastArma, nelderMead } from '../../src/forecast/arma-css.ts';
import { gaussian, mulberry32 } from '../../src/util/random.ts';

function ar1(seed: number, n: number, phi: number, mu: number, sd: number): number[] {
  const noise = gaussian(mulberry32(seed));
  let y = 0;
  return Array.from({ length: n }, () => {
    y = phi * y + sd * noise();
    return mu + y;
  });
}

describe('nelderMead', () => {
  it('finds the minimum of a shifted quadratic', () => {
    const { x, fx } = nelderMead((v) => (v[0] - 1) ** 2 + 3 * (v[1] + 2) ** 2, [0, 0], [0.5, 0.5], 2000);
    expect(x[0]).toBeCloseTo(1, 4);
    expect(x[1]).toBeCloseTo(-2, 4);
    expect(fx).toBeLessThan(1e-8);
  });

  it('finds an interior minimum next to a +∞ region (the ARMA objective outside the stationary region)', () => {
    let walls = 0;
    const f = (v: number[]) => {
      if (v[0] > 0.6) {
        walls++;
        return Number.POSITIVE_INFINITY;
      }
      return (v[0] - 0.5) ** 2 + 2 * (v[1] + 1) ** 2 + (v[2] - 0.25) ** 2;
    };
    const { x, fx } = nelderMead(f, [0, 0, 0], [0.2, 0.2, 0.2], 3000);
    expect(walls).toBeGreaterThan(0);
    expect(x[0]).toBeCloseTo(0.5, 4);
    expect(x[1]).toBeCloseTo(-1, 4);
    expect(x[2]).toBeCloseTo(0.25, 4);
    expect(fx).toBeLessThan(1e-8);
  });
});

describe('fitArmaCss', () => {
  it('recovers a long AR(1) and forecasts μ + φ(x_T − μ)', () => {
    const x = ar1(1, 2000, 0.6, 0.3, 0.02);
    const fit = fitArmaCss(x, 1, 0);
    expect(fit?.phi[0]).toBeCloseTo(0.6, 1);
    expect(fit?.mu).toBeCloseTo(0.3, 2);
    expect(Math.sqrt(fit?.sigma2 ?? 0)).toBeCloseTo(0.02, 3);
    if (!fit) return;
    const last = x[x.length - 1];
    expect(forecastArma(x, fit, 2)[0]).toBeCloseTo(fit.mu + fit.phi[0] * (last - fit.mu), 12);
  });

  it('agrees with the package (CSS, d = 0) on 30-point AR(1) series', async () => {
    const rt = await loadArimaRuntime();
    for (const [p, q] of [
      [1, 0],
      [0, 1],
      [1, 1],
    ]) {
      const model = new rt.ARIMA({ p, d: 0, q, method: 1, optimizer: 6, verbose: false });
      let gap = 0;
      let ratio = 0;
      const cases = 40;
      for (let s = 0; s < cases; s++) {
        const x = ar1(100 + s, 30, 0.6, 0.3, 0.02);
        const fit = fitArmaCss(x, p, q);
        if (!fit) throw new Error('no fit');
        const pkg = model.train(x).predict(1)[0][0];
        gap += Math.abs(forecastArma(x, fit, 1)[0] - pkg) / cases;
        ratio += fit.sigma2 / rt.fitStats(model).sigma2 / cases;
      }
      model.destroy();
      expect(gap).toBeLessThan(0.004); // innovations sd 0.02
      expect(ratio).toBeGreaterThan(0.9);
      expect(ratio).toBeLessThan(1.05); // never much worse than the package's optimum
    }
  });

  it('reproduces pinned fits exactly (any change to the arithmetic or search order shows here)', () => {
    // Values from the implementation before the allocation-free rewrite; toEqual compares numbers exactly.
    const x1 = [0.12, 0.15, 0.11, 0.18, 0.2, 0.17, 0.22, 0.19, 0.25, 0.21, 0.24, 0.3, 0.26, 0.28, 0.31, 0.27];
    const x2 = [0.05, 0, 0, 0.31, 0.12, 0.04, 0, 0.22, 0.18, 0.02, 0.09, 0.15];
    expect(fitArmaCss(x1, 0, 1)).toEqual({
      mu: 0.2122058000348881,
      phi: [],
      theta: [0.4844002285361057],
      sigma2: 0.002509618851878173,
    });
    expect(fitArmaCss(x1, 1, 2)).toEqual({
      mu: 0.6568354336109894,
      phi: [0.972676666550083],
      theta: [-1.9128348595905371, 0.9138834228380904],
      sigma2: 0.00022739660623540496,
    });
    expect(fitArmaCss(x1, 2, 0)).toEqual({
      mu: 0.3265235558341146,
      phi: [0.23660258884508042, 0.6066890559951464],
      theta: [],
      sigma2: 0.0009262576396629342,
    });
    expect(fitArmaCss(x2, 1, 1)).toEqual({
      mu: 0.10247118155486715,
      phi: [0.33055681962954764],
      theta: [-0.998999999160413],
      sigma2: 0.005783799883645393,
    });
    expect(fitArmaCss(x2, 2, 1)).toEqual({
      mu: 0.10633978525835594,
      phi: [0.15371824558675287, -0.4992744209141866],
      theta: [-0.9989999999908641],
      sigma2: 0.0024776987311525877,
    });
    expect(fitArmaCss(x2, 1, 2)).toEqual({
      mu: 0.0995041442464759,
      phi: [0.055098581054600346],
      theta: [-0.48661564737041185, -0.5123843521486927],
      sigma2: 0.005493904819955201,
    });
  });

  it('returns null when the series is too short for the order', () => {
    expect(fitArmaCss([0.1, 0.2, 0.3, 0.4], 2, 2)).toBeNull();
  });
});

describe('ArimaRuntime.fitStats', () => {
  it('reads σ², log-likelihood and AIC from the fitted struct consistently', async () => {
    const rt = await loadArimaRuntime();
    const x = ar1(9, 300, 0.7, 5, 1);
    const model = new rt.ARIMA({ p: 1, d: 0, q: 0, method: 1, optimizer: 6, verbose: false });
    expect(() => rt.fitStats(model)).toThrow(/no fit/);
    const st = rt.fitStats(model.train(x));
    expect(st.nUsed).toBe(300);
    // CSS Gaussian log-likelihood: −n/2·(ln 2πσ² + 1); AIC with φ, μ and σ²
    expect(st.loglik).toBeCloseTo((-300 / 2) * (Math.log(2 * Math.PI * st.sigma2) + 1), 2);
    expect(st.aic).toBeCloseTo(-2 * st.loglik + 2 * 3, 6);
    expect(Math.sqrt(st.sigma2)).toBeCloseTo(1, 0);
    expect(rt.fitStats(model.train(x.slice(0, 50))).nUsed).toBe(50);
    model.destroy();
  });
});
