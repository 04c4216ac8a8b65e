import type { Config } from '../config/schema.ts';
import type { Example } from '../data/split.ts';
import type { FeatureStore } from '../features/sequence.ts';
import type { ExampleForecasts } from '../forecast/examples.ts';
import { forecastSpec, withStrength } from '../forecast/from-config.ts';
import { forecastExamplesMany } from '../forecast/many.ts';
import { mulberry32, shuffle } from '../util/random.ts';

/** Forecasters always shown beside the configured one and the LSTM's topic head. */
export const REFERENCE_FORECASTERS = ['pooled', 'arima-resid', 'naive', 'mean', 'ses'] as const;
export type ReferenceForecaster = (typeof REFERENCE_FORECASTERS)[number];

/**
 * Indices (ascending) of the windows the forecast-error tables score: all of them up to `cap`, else a
 * seeded sample of `cap` — the same for a window list whoever asks, so the reference forecasts started
 * beside training and the tables agree.
 */
export function errorSample(n: number, cap: number | null, seed: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (cap === null || n <= cap) return all;
  return shuffle(all, mulberry32(seed ^ 0x5eed))
    .slice(0, cap)
    .sort((a, b) => a - b);
}

/** The examples at errorSample's indices. */
export const errorWindows = (cfg: Config, examples: readonly Example[]): Example[] =>
  errorSample(examples.length, cfg.evaluate.forecast_error_users, cfg.run.seed).map((i) => examples[i]);

/**
 * The per-series reference forecasts of evaluation's error tables (every reference but pooled, which is
 * fitted after training), started on worker threads as soon as the split is known: they need only the
 * topic series, so they run beside training (one thread) instead of after it. Each window's forecasts are
 * forecastExamples' numbers bit for bit (forecastJobs places results by job).
 */
export class ReferenceForecasts {
  private readonly byWindow = new Map<readonly Example[], Map<string, Promise<ExampleForecasts>>>();

  constructor(cfg: Config, store: FeatureStore, windows: readonly (readonly Example[])[]) {
    const models = REFERENCE_FORECASTERS.filter((m) => m !== 'pooled' && m !== cfg.forecast.model);
    let queue: Promise<unknown> = Promise.resolve();
    for (const examples of windows) {
      const started = new Map<string, Promise<ExampleForecasts>>();
      for (const model of models) {
        // One window's forecasts at a time, so at most its workers run beside training.
        const p = queue.then(() => forecastWindow(cfg, store, errorWindows(cfg, examples), model));
        queue = p.catch(() => {});
        started.set(model, p);
      }
      this.byWindow.set(examples, started);
    }
  }

  /** The started forecasts of `model` on errorWindows of exactly this list of examples, if any. */
  get(model: string, examples: readonly Example[]): Promise<ExampleForecasts> | undefined {
    return this.byWindow.get(examples)?.get(model);
  }
}

function forecastWindow(
  cfg: Config,
  store: FeatureStore,
  examples: readonly Example[],
  model: ReferenceForecaster,
): Promise<ExampleForecasts> {
  const spec = forecastSpec(withStrength({ ...cfg.forecast, model }, null));
  return forecastExamplesMany(
    { spec },
    store,
    examples,
    cfg.forecast.horizon,
    `forecast (${model}, ${examples.length} windows)`,
  );
}
