/**
 * Forecast accuracy study (issue 6): every forecaster's one-step topic-share forecasts against what users
 * did next, on Last.fm-2k (monthly buckets), ml-latest-small (10-event buckets) and a synthetic log with
 * planted drift (against the planted truth). Prints JSON (stdout, or --out) and Markdown tables (stderr).
 *
 *   npx tsx scripts/forecast-study.ts [--datasets lastfm,movielens,synth] [--workers 2] [--resamples 1000]
 *     [--encoder use-lite|hashing] [--only arima-resid,ensemble] [--out reports/forecast-study.json]
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.ts';
import { type BucketSpec, type Config, embedWith } from '../src/config/schema.ts';
import { bucketUser } from '../src/data/bucket.ts';
import { loadDataset } from '../src/data/read.ts';
import { generateSynthetic } from '../src/data/synth.ts';
import { embedCatalogue } from '../src/embed/catalogue.ts';
import type { EncoderName } from '../src/embed/types.ts';
import {
  type ForecastErrorRow,
  forecastErrorMarkdown,
  forecastErrorTable,
} from '../src/evaluate/forecast-error.ts';
import { FeatureStore } from '../src/features/sequence.ts';
import { expandSeries, type InactiveMode } from '../src/forecast/expand.ts';
import { type ForecastJob, forecastMany } from '../src/forecast/many.ts';
import type { ForecastSpec } from '../src/forecast/types.ts';
import { buildTopics } from '../src/topics/model.ts';

const { values: args } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'lastfm,movielens,synth' },
    workers: { type: 'string', default: '2' },
    resamples: { type: 'string', default: '1000' },
    encoder: { type: 'string' },
    out: { type: 'string' },
    'min-history': { type: 'string', default: '6' },
    /** Only forecasters whose name contains one of these (comma-separated); the mean/SES bar always runs. */
    only: { type: 'string' },
  },
});
const WORKERS = Number(args.workers);
const RESAMPLES = Number(args.resamples);
const MIN_HISTORY = Number(args['min-history']);

interface Candidate {
  name: string;
  spec: ForecastSpec;
  /** How inactive calendar buckets enter the series (calendar-bucketed data only). */
  mode?: InactiveMode;
}

const CANDIDATES: Candidate[] = [
  { name: 'naive', spec: { model: 'naive' } },
  { name: 'mean', spec: { model: 'mean' } },
  { name: 'ses(0.3)', spec: { model: 'ses', alpha: 0.3 } },
  { name: 'ses(fit)', spec: { model: 'ses' } },
  { name: 'arima(1,1,1)|ses', spec: { model: 'arima', order: [1, 1, 1], fallback: 'ses' } },
  { name: 'arima(0,1,1)|ses', spec: { model: 'arima', order: [0, 1, 1], fallback: 'ses' } },
  { name: 'arima-auto|ses', spec: { model: 'arima-auto' } },
  { name: 'arima-resid(ses,0.5)', spec: { model: 'arima-resid' } },
  { name: 'arima-resid(mean,0.5)', spec: { model: 'arima-resid', level: 'mean' } },
  { name: 'ensemble(aic)', spec: { model: 'ensemble' } },
  { name: 'ensemble(equal)', spec: { model: 'ensemble', weights: 'equal' } },
];
/** The bar an ARIMA variant must clear: the best of these (by MAE) on each window. */
const BAR = ['mean', 'ses(0.3)', 'ses(fit)'];
/** Calendar data: the cheap models also with inactive months as zero-activity rows. */
const ZERO_MODE: Candidate[] = [
  { name: 'mean [zeros]', spec: { model: 'mean' }, mode: 'zeros' },
  { name: 'ses(fit) [zeros]', spec: { model: 'ses' }, mode: 'zeros' },
  { name: 'arima-resid(mean,0.5) [zeros]', spec: { model: 'arima-resid', level: 'mean' }, mode: 'zeros' },
  { name: 'ensemble(aic) [zeros]', spec: { model: 'ensemble' }, mode: 'zeros' },
];

/** One forecast origin: a user's history (K × T shares, calendar slots) and the shares that followed. */
interface Origin {
  user: number;
  series: number[][];
  slots: number[];
  targetSlot: number;
  actual: number[];
  /** Which part of the study window the target falls in. */
  window: string;
}

interface StudyData {
  name: string;
  k: number;
  origins: Origin[];
  calendar: boolean;
  notes: string;
}

const say = (s: string) => console.error(s);

/** Every bucket of every user as a target, given ≥ MIN_HISTORY earlier buckets; `pick` decides which. */
function originsOf(
  store: FeatureStore,
  userOffsets: Int32Array,
  ts: Float64Array,
  buckets: BucketSpec,
  pick: (user: number, slot: number, index: number, count: number) => string | null,
): Origin[] {
  const out: Origin[] = [];
  for (let u = 0; u + 1 < userOffsets.length; u++) {
    const b = bucketUser(ts, userOffsets[u], userOffsets[u + 1], buckets);
    if (b.start.length <= MIN_HISTORY) continue;
    const full = store.topicSeries(u, userOffsets[u + 1]);
    for (let j = MIN_HISTORY; j < b.start.length; j++) {
      const window = pick(u, b.slot[j], j, b.start.length);
      if (!window) continue;
      out.push({
        user: u,
        series: full.map((s) => s.slice(0, j)),
        slots: b.slot.slice(0, j),
        targetSlot: b.slot[j],
        actual: full.map((s) => s[j]),
        window,
      });
    }
  }
  return out;
}

async function embeddedTopics(cfg: Config, texts: string[], items: Parameters<typeof buildTopics>[2]) {
  const embed = args.encoder ? embedWith(cfg.embed, { encoder: args.encoder as EncoderName }) : cfg.embed;
  const emb = await embedCatalogue(texts, embed);
  say(
    `  embed: ${emb.encoder.id} ${emb.dim}-d, ${emb.misses} encoded, ${emb.hits} cached, ${emb.seconds.toFixed(1)} s`,
  );
  const topics = await buildTopics(emb.vectors, emb.dim, items, { ...cfg.topics, seed: cfg.run.seed });
  return { emb, topics };
}

async function configData(
  path: string,
): Promise<{ cfg: Config; store: FeatureStore; ds: Awaited<ReturnType<typeof loadDataset>> }> {
  const loaded = loadConfig(path);
  const cfg = loaded.config;
  const ds = await loadDataset(cfg.data, loaded.baseDir);
  say(`  data: ${ds.users.length} users, ${ds.items.ids.length} items, ${ds.events.n} events`);
  const { emb, topics } = await embeddedTopics(cfg, ds.items.texts, ds.items);
  say(`  topics: k=${topics.k}: ${topics.labels.slice(0, 6).join(' | ')} …`);
  const store = new FeatureStore({
    userOffsets: ds.userOffsets,
    item: ds.events.item,
    ts: ds.events.ts,
    weight: ds.events.weight,
    itemVectors: emb.vectors,
    dim: emb.dim,
    itemShares: topics.itemShares,
    k: topics.k,
    buckets: cfg.buckets,
  });
  return { cfg, store, ds };
}

const monthOf = (y: number, m: number) => y * 12 + (m - 1);

/**
 * Last.fm-2k: monthly buckets, targets from 2010-01 up to the config's test_from: the validation side only,
 * so choices made from this study never look at the test window.
 */
async function lastfm(): Promise<StudyData> {
  const { cfg, store, ds } = await configData('configs/lastfm-2k.yaml');
  const testFrom = new Date(
    `${cfg.split.protocol === 'global' ? cfg.split.test_from : '2010-11-01'}T00:00:00Z`,
  );
  const testSlot = monthOf(testFrom.getUTCFullYear(), testFrom.getUTCMonth() + 1);
  const origins = originsOf(store, ds.userOffsets, ds.events.ts, cfg.buckets, (_u, slot) => {
    if (slot < monthOf(2010, 1) || slot >= testSlot) return null;
    return 'valid';
  });
  return {
    name: 'lastfm-2k',
    k: store.src.k,
    origins,
    calendar: true,
    notes: `monthly buckets, targets 2010-01 up to test_from ${testFrom.toISOString().slice(0, 10)} (validation side only), history ≥ ${MIN_HISTORY} active months`,
  };
}

/**
 * ml-latest-small: 10-event buckets; each user's 2nd and 3rd last buckets as targets (bursty users: activity
 * time). The last bucket is the test target and stays out.
 */
async function movielens(): Promise<StudyData> {
  const { cfg, store, ds } = await configData('configs/movielens-small-fast.yaml');
  const origins = originsOf(store, ds.userOffsets, ds.events.ts, cfg.buckets, (_u, _slot, j, count) =>
    j >= count - 3 && j < count - 1 ? 'valid' : null,
  );
  return {
    name: 'ml-latest-small',
    k: store.src.k,
    origins,
    calendar: false,
    notes: `10-event buckets, each user's 2nd and 3rd last buckets as targets (not the test bucket), history ≥ ${MIN_HISTORY} buckets, ${cfg.embed.encoder} topics`,
  };
}

/**
 * Synthetic: 300 users × 200 events (trend, cycle, switch), 10-event buckets, the planted genres as one-hot
 * topics (no embedding noise); target = the planted shares right after the history (truth), not a draw.
 */
function synthetic(): StudyData {
  const topics = 6;
  const perUser = 200;
  const d = generateSynthetic({
    users: 300,
    items: 600,
    eventsPerUser: perUser,
    topics,
    seed: 7,
    patterns: ['trend', 'cycle', 'switch'],
  });
  const origins: Origin[] = [];
  d.futureShares.forEach((truth, u) => {
    const evs = d.events.slice(u * perUser, (u + 1) * perUser);
    const series = Array.from({ length: topics }, () => [] as number[]);
    for (let b = 0; b < perUser / 10; b++) {
      const counts = new Array<number>(topics).fill(0);
      for (const e of evs.slice(b * 10, b * 10 + 10)) counts[(e[1] - 1) % topics]++;
      counts.forEach((c, k) => {
        series[k].push(c / 10);
      });
    }
    origins.push({
      user: u,
      series,
      slots: series[0].map((_, i) => i),
      targetSlot: series[0].length,
      actual: truth,
      window: d.patterns[u],
    });
  });
  return {
    name: 'synthetic',
    k: topics,
    origins,
    calendar: false,
    notes: `${d.events.length} events, 20 buckets/user, truth = planted next-period shares`,
  };
}

interface WindowResult {
  window: string;
  origins: number;
  users: number;
  bar: string;
  rows: (ForecastErrorRow & { fellBack: number; fitted: number })[];
}

async function study(data: StudyData) {
  const only = args.only?.split(',');
  const candidates = (data.calendar ? [...CANDIDATES, ...ZERO_MODE] : CANDIDATES).filter(
    (c) => !only || BAR.includes(c.name) || only.some((o) => c.name.includes(o)),
  );
  const { k, origins } = data;
  const forecasts: Record<
    string,
    { shares: Float32Array; fitted: Int32Array; fellBack: Int32Array; seconds: number }
  > = {};
  for (const c of candidates) {
    const t0 = performance.now();
    const jobs: ForecastJob[] = origins.map((o) => ({
      series: c.mode ? expandSeries(o.series, o.slots, c.mode, o.targetSlot) : o.series,
      horizon: 1,
    }));
    const res = await forecastMany(c.spec, jobs, { workers: WORKERS });
    const shares = new Float32Array(origins.length * k);
    res.forEach((r, i) => {
      shares.set(r.shares, i * k);
    });
    forecasts[c.name] = {
      shares,
      fitted: Int32Array.from(res, (r) => r.fitted),
      fellBack: Int32Array.from(res, (r) => r.fellBack),
      seconds: (performance.now() - t0) / 1000,
    };
    say(`  ${c.name}: ${forecasts[c.name].seconds.toFixed(1)} s`);
  }
  const parts = [...new Set(origins.map((o) => o.window))];
  const windows = parts.length > 1 ? ['all', ...parts] : parts;
  const results: WindowResult[] = [];
  for (const window of windows) {
    const idx = origins.flatMap((o, i) => (window === 'all' || o.window === window ? [i] : []));
    const pick = (x: Float32Array) => {
      const out = new Float32Array(idx.length * k);
      idx.forEach((i, r) => {
        out.set(x.subarray(i * k, (i + 1) * k), r * k);
      });
      return out;
    };
    const actual = new Float32Array(origins.length * k);
    origins.forEach((o, i) => {
      actual.set(o.actual, i * k);
    });
    const evals = Object.fromEntries(
      candidates.map((c) => [c.name, { forecast: pick(forecasts[c.name].shares), actual: pick(actual) }]),
    );
    const users = idx.map((i) => origins[i].user);
    const opts = { k, users, resamples: RESAMPLES, seed: 1 };
    const plain = forecastErrorTable(evals, opts);
    // The bar to beat: the better (by MAE) of mean and smoothing.
    const bar = plain
      .filter((r) => BAR.includes(r.forecaster))
      .sort((a, b) => a.mae.value - b.mae.value)[0].forecaster;
    const rows = forecastErrorTable(evals, { ...opts, reference: bar }).map((r) => ({
      ...r,
      fitted: idx.reduce((s, i) => s + forecasts[r.forecaster].fitted[i], 0),
      fellBack: idx.reduce((s, i) => s + forecasts[r.forecaster].fellBack[i], 0),
    }));
    results.push({ window, origins: idx.length, users: new Set(users).size, bar, rows });
  }
  const seconds = Object.fromEntries(
    Object.entries(forecasts).map(([n, f]) => [n, Number(f.seconds.toFixed(2))]),
  );
  return { dataset: data.name, notes: data.notes, k, origins: origins.length, seconds, windows: results };
}

function markdown(r: Awaited<ReturnType<typeof study>>): string {
  const parts = [`### ${r.dataset} (${r.notes}; k=${r.k})`];
  for (const w of r.windows) {
    parts.push(
      `\n**${w.window}**: ${w.origins} origins, ${w.users} users; Δ vs the best of mean/SES = ${w.bar}\n`,
    );
    parts.push(forecastErrorMarkdown(w.rows, w.bar));
    const fb = w.rows
      .filter((x) => x.fellBack > 0)
      .map((x) => `${x.forecaster} ${((100 * x.fellBack) / (x.fellBack + x.fitted)).toFixed(0)}%`);
    if (fb.length) parts.push(`\nseries answered by the fallback: ${fb.join(', ')}`);
  }
  return parts.join('\n');
}

const builders: Record<string, () => Promise<StudyData> | StudyData> = {
  lastfm,
  movielens,
  synth: synthetic,
};
const report = [];
for (const name of args.datasets.split(',')) {
  const build = builders[name];
  if (!build) throw new Error(`unknown dataset ${name}; expected ${Object.keys(builders).join(', ')}`);
  say(`# ${name}`);
  const data = await build();
  say(`  ${data.origins.length} origins`);
  const r = await study(data);
  say(markdown(r));
  report.push(r);
}
const json = JSON.stringify(report, null, 1);
if (args.out) writeFileSync(resolve(args.out), json);
else console.log(json);
