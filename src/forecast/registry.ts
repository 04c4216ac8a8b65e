import { ArimaForecaster } from './arima.ts';
import { AutoArimaForecaster } from './arima-auto.ts';
import { ResidualArimaForecaster } from './arima-resid.ts';
import { sharedArimaRuntime } from './arima-wasm.ts';
import { EnsembleForecaster } from './ensemble.ts';
import { createSimpleForecaster } from './simple.ts';
import type { Forecaster, ForecastSpec } from './types.ts';

type Model = ForecastSpec['model'];

/** Narrows `spec` to the model a factory was registered under (catches a spec routed to the wrong one). */
function specOf<M extends Model>(spec: ForecastSpec, model: M): Extract<ForecastSpec, { model: M }> {
  if (spec?.model !== model) {
    throw new Error(`forecaster factory '${model}' got a spec for ${JSON.stringify(spec?.model)}`);
  }
  return spec as Extract<ForecastSpec, { model: M }>;
}

export const FORECASTERS: Record<Model, (spec: ForecastSpec) => Promise<Forecaster>> = {
  arima: async (spec) => new ArimaForecaster(await sharedArimaRuntime(), specOf(spec, 'arima')),
  naive: async (spec) => createSimpleForecaster(specOf(spec, 'naive')),
  mean: async (spec) => createSimpleForecaster(specOf(spec, 'mean')),
  ses: async (spec) => createSimpleForecaster(specOf(spec, 'ses')),
  'arima-auto': async (spec) =>
    new AutoArimaForecaster(await sharedArimaRuntime(), specOf(spec, 'arima-auto')),
  'arima-resid': async (spec) =>
    new ResidualArimaForecaster(await sharedArimaRuntime(), specOf(spec, 'arima-resid')),
  ensemble: async (spec) => new EnsembleForecaster(await sharedArimaRuntime(), specOf(spec, 'ensemble')),
};

export function createForecaster(spec: ForecastSpec): Promise<Forecaster> {
  const model = spec?.model;
  if (!Object.hasOwn(FORECASTERS, model)) {
    return Promise.reject(
      new Error(
        `unknown forecast model ${JSON.stringify(model)}; expected one of ${Object.keys(FORECASTERS).join(', ')}`,
      ),
    );
  }
  return FORECASTERS[model](spec);
}
