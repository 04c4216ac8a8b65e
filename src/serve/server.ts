/**
 * HTTP API over one checkpoint (Fastify). Every route validates its input with a JSON schema; bad input
 * of any kind answers 4xx with a message. Listens on loopback unless told otherwise; /admin/* answers
 * only loopback clients.
 */
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import { newItemProblem } from '../checkpoint/add-items.ts';
import { CheckpointError } from '../checkpoint/load.ts';
import { HistoryError, type HistoryEvent, interestEvents } from '../recommend/history-request.ts';
import { KindError } from '../recommend/kinds.ts';
import { UnknownUserError, type UserRecommendations } from '../recommend/recommender.ts';
import { dominantTopic } from '../topics/kmeans.ts';
import { persistItems, restoreItems, sidecarOf } from './added-items.ts';
import { ModelSlot, type ServingModel } from './model-slot.ts';
import { ResultCache } from './result-cache.ts';
import {
  addItemSchema,
  appendEventsSchema,
  healthzSchema,
  historyRecommendationsSchema,
  modelSchema,
  QUERY_HELP,
  reloadSchema,
  userRecommendationsSchema,
} from './schemas.ts';
import type { SharedState } from './shared-state.ts';
import { UserEvents } from './user-events.ts';

export interface ServerOptions {
  checkpoint: string;
  /** Request body cap in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Bounds of the appended-events state. */
  maxUsersWithEvents?: number;
  maxEventsPerUser?: number;
  /** Stored users' answers held in the result cache (default 10,000; 0 = no cache). */
  cacheEntries?: number;
  /** Fastify logger setting (default off). */
  logger?: FastifyServerOptions['logger'];
  /** Log every request and response (two lines each); off by default, as it costs latency under load. */
  logRequests?: boolean;
  /** Items POST /v1/items may add to one loaded checkpoint (default 10,000). */
  maxAddedItems?: number;
  /** Where added items persist (default: `<checkpoint>.added-items.jsonl`, beside the checkpoint). */
  itemsFile?: string;
  /** `serve --redis`: appended events and model swaps shared with the other replicas (closed with the server). */
  shared?: SharedState;
}

export interface RecommendServer {
  app: FastifyInstance;
  slot: ModelSlot;
  userEvents: UserEvents;
  /** Loads `dir` (default: the served one), verifies it and swaps it in; throws CheckpointError if refused. */
  reload(dir?: string): Promise<{ previous: string; current: string; dir: string }>;
  /** Stops accepting requests, waits for in-flight ones, frees the model. */
  close(): Promise<void>;
}

export function isLoopback(ip: string | undefined): boolean {
  return ip === '::1' || !!ip?.startsWith('127.') || !!ip?.startsWith('::ffff:127.');
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_NAMES: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
};

function send(reply: FastifyReply, statusCode: number, message: string) {
  return reply.code(statusCode).send({ error: STATUS_NAMES[statusCode] ?? 'Error', message, statusCode });
}

/** Validation errors phrased per parameter: "querystring/k must be an integer from 1 to 100". */
function validationMessage(e: FastifyError): string {
  const first = e.validation?.[0];
  if (e.validationContext === 'querystring' && first) {
    const name = first.keyword === 'additionalProperties' ? undefined : first.instancePath.replace(/^\//, '');
    if (name && QUERY_HELP[name]) return `query parameter ${name} must be ${QUERY_HELP[name]}`;
    if (first.keyword === 'additionalProperties') {
      const extra = (first.params as { additionalProperty?: string }).additionalProperty;
      return `unknown query parameter ${JSON.stringify(extra)} (known: ${Object.keys(QUERY_HELP).join(', ')})`;
    }
  }
  return e.message;
}

/** Free texts are embedded per request; with a slow encoder this bounds the work one request can cause. */
export const MAX_TEXT_EVENTS = 256;

function checkTextEvents(events: readonly HistoryEvent[]): void {
  const n = events.reduce((s, e) => s + (e.text !== undefined ? 1 : 0), 0);
  if (n > MAX_TEXT_EVENTS)
    throw new HttpError(400, `at most ${MAX_TEXT_EVENTS} free-text events per request, got ${n}`);
}

const bool = (s: string) => s === 'true' || s === '1';
const optNumber = (s: string | undefined) => (s === undefined ? undefined : Number(s));

interface UserQuery {
  k: string;
  exclude_seen: string;
  diversity: string;
  alpha?: string;
  beta?: string;
  explain: string;
  kind?: string;
}

interface RankBody {
  k?: number;
  exclude_seen?: boolean;
  diversity?: number;
  alpha?: number;
  beta?: number;
  explain?: boolean;
  kind?: string;
}

interface ItemBody {
  id: string;
  text: string;
  title?: string;
  kind?: string;
}

/** The history of a request: its events, then its free-text interests dated now. */
function requestHistory(b: { events?: HistoryEvent[]; interests?: string[] }): HistoryEvent[] {
  return [...(b.events ?? []), ...interestEvents(b.interests ?? [], Math.floor(Date.now() / 1000))];
}

export async function createServer(opts: ServerOptions): Promise<RecommendServer> {
  const started = performance.now();
  const itemsFile = opts.itemsFile ?? sidecarOf(opts.checkpoint);
  const maxAdded = opts.maxAddedItems ?? 10_000;
  const warn = (line: string) => console.error(`serve: ${line}`);
  // Items added to this very checkpoint before a restart or reload are served again.
  const restore = (m: ServingModel) => {
    const r = restoreItems(itemsFile, m.ck.manifestHash, m.ck.manifest.encoder.dim);
    for (const b of r.bad) warn(`${itemsFile}:${b.line}: skipped, ${b.reason}`);
    const fresh = r.items.filter((it) => !m.rec.itemRows.has(it.id)).slice(0, maxAdded);
    if (fresh.length < r.items.length)
      warn(
        `${itemsFile}: ${r.items.length - fresh.length} added items skipped (duplicate ids or over ${maxAdded})`,
      );
    if (fresh.length) m.rec.addItems(fresh);
  };
  const slot = await ModelSlot.open(opts.checkpoint, restore);
  const shared = opts.shared;
  const userEvents = new UserEvents(opts.maxUsersWithEvents, opts.maxEventsPerUser);
  // One cache per served model: a swap replaces it, so no answer outlives its checkpoint.
  const caches = new WeakMap<ServingModel, ResultCache<UserRecommendations>>();
  const cacheOf = (m: ServingModel) => {
    let c = caches.get(m);
    if (!c) {
      c = new ResultCache(opts.cacheEntries ?? 10_000);
      caches.set(m, c);
    }
    return c;
  };
  const app = Fastify({
    bodyLimit: opts.bodyLimit ?? 1 << 20,
    logger: opts.logger ?? false,
    logController: new LogController({ disableRequestLogging: !(opts.logRequests ?? false) }),
    // No coercion: a wrong JSON type is an error. Unknown properties are refused, not silently dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Room for the longest user id the schema accepts (256) in a path parameter.
    routerOptions: { maxParamLength: 300 },
  });

  app.setErrorHandler((e: FastifyError, req, reply) => {
    if (e.validation) return send(reply, 400, `${validationMessage(e)}`);
    if (e instanceof HistoryError) return send(reply, e.status, e.message);
    if (e instanceof KindError) return send(reply, e.status, e.message);
    if (e instanceof UnknownUserError) return send(reply, 404, e.message);
    if (e instanceof HttpError) return send(reply, e.statusCode, e.message);
    const code = e.statusCode ?? 500;
    if (code >= 400 && code < 500) return send(reply, code, e.message);
    req.log.error(e);
    return reply
      .code(500)
      .send({ error: 'Internal Server Error', message: 'internal error', statusCode: 500 });
  });
  app.setNotFoundHandler((req, reply) => send(reply, 404, `no route ${req.method} ${req.url.split('?')[0]}`));

  const summary = (m: ServingModel) => ({ model: m.ck.manifest.run_id, manifest_hash: m.ck.manifestHash });

  app.get('/healthz', { schema: healthzSchema }, async () => {
    const m = slot.current;
    return {
      status: 'ok',
      ...summary(m),
      loaded_at: m.loadedAt.toISOString(),
      uptime_s: (performance.now() - started) / 1000,
    };
  });

  app.get('/v1/model', { schema: modelSchema }, async () => {
    const { ck } = slot.current;
    const mf = ck.manifest;
    return {
      run_id: mf.run_id,
      created_at: mf.created_at,
      manifest_hash: ck.manifestHash,
      schema_version: mf.schema_version,
      checkpoint_dir: ck.dir,
      backend: mf.backend,
      encoder: mf.encoder,
      model: mf.model,
      blend: { alpha: mf.blend.alpha, beta: mf.blend.beta },
      counts: { users: ck.users.length, items: slot.current.rec.ck.items.ids.length },
      kinds: slot.current.rec.kinds.names,
      topics: { k: mf.topics.k, temperature: mf.topics.temperature, labels: ck.topicLabels },
      metrics: mf.metrics,
    };
  });

  app.get<{ Params: { id: string }; Querystring: UserQuery }>(
    '/v1/users/:id/recommendations',
    { schema: userRecommendationsSchema },
    async (req) => {
      const q = req.query;
      const rank = {
        excludeSeen: bool(q.exclude_seen),
        diversity: Number(q.diversity),
        alpha: optNumber(q.alpha),
        beta: optNumber(q.beta),
        explain: bool(q.explain),
        kind: q.kind,
      };
      const k = Number(q.k);
      const user = req.params.id;
      return slot.use(async (m) => {
        const appended = shared ? await shared.events(m.ck.manifestHash, user) : userEvents.get(user);
        if (!appended) {
          // Synchronous from lookup to store, so no append or swap can slip in between.
          const cache = cacheOf(m);
          const key = `${k}|${rank.excludeSeen}|${rank.diversity}|${rank.alpha}|${rank.beta}|${rank.explain}|${rank.kind}`;
          let r = cache.get(user, key);
          if (!r) {
            r = m.rec.recommend(user, k, rank);
            cache.set(user, key, r);
          }
          return { ...r, model: m.ck.manifest.run_id, appended_events: 0 };
        }
        const prefix = m.history.prefixOf(m.rec.userRow(user));
        const r = await m.history.recommend(appended, k, { ...rank, prefix });
        return { user, ...r, model: m.ck.manifest.run_id, appended_events: appended.length };
      });
    },
  );

  app.post<{ Body: RankBody & { events?: HistoryEvent[]; interests?: string[] } }>(
    '/v1/recommendations',
    { schema: historyRecommendationsSchema },
    async (req) => {
      const b = req.body;
      const history = requestHistory(b);
      checkTextEvents(history);
      return slot.use(async (m) => ({
        ...(await m.history.recommend(history, b.k ?? 10, {
          excludeSeen: b.exclude_seen,
          diversity: b.diversity,
          alpha: b.alpha,
          beta: b.beta,
          explain: b.explain,
          kind: b.kind,
        })),
        model: m.ck.manifest.run_id,
      }));
    },
  );

  app.post<{ Params: { id: string }; Body: { events: HistoryEvent[] } }>(
    '/v1/users/:id/events',
    { schema: appendEventsSchema },
    async (req) => {
      const user = req.params.id;
      checkTextEvents(req.body.events);
      return slot.use(async (m) => {
        m.rec.userRow(user);
        // Validate everything before storing anything, so a bad batch leaves the state unchanged.
        const resolved = m.history.resolve(req.body.events);
        if (resolved.some((e) => e.text !== null)) await m.history.checkEncoder();
        const held = shared
          ? await shared.append(m.ck.manifestHash, user, req.body.events, userEvents.maxEvents)
          : userEvents.append(user, req.body.events);
        cacheOf(m).forget(user);
        return { user, appended: req.body.events.length, held, model: m.ck.manifest.run_id };
      });
    },
  );

  app.post<{ Body: ItemBody }>('/v1/items', { schema: addItemSchema }, async (req) => {
    if (!isLoopback(req.ip)) throw new HttpError(403, '/v1/items answers loopback clients only');
    const b = req.body;
    return slot.use(async (m) => {
      const check = () => {
        if (m.rec.itemRows.has(b.id))
          throw new HttpError(409, `id: item ${JSON.stringify(b.id)} is already in the catalogue`);
        const problem = newItemProblem(b, () => false, m.rec.kinds, !!m.rec.ck.items.kinds);
        if (problem) throw new HttpError(400, problem);
        if (m.rec.ck.items.ids.length - m.baseItems >= maxAdded)
          throw new HttpError(
            409,
            `at most ${maxAdded} items can be added to one checkpoint; retrain or run items add`,
          );
      };
      check();
      const vector = await m.history.embed([b.text]);
      // Checked again after the await: another request may have added the same id meanwhile.
      check();
      const item = m.rec.newItem(b, vector);
      persistItems(itemsFile, m.ck.manifestHash, [item]);
      m.rec.addItems([item]);
      cacheOf(m).clear();
      const row = m.rec.itemRows.get(b.id) as number;
      const topic = dominantTopic(m.rec.itemShares, m.ck.manifest.topics.k, row);
      return {
        id: b.id,
        ...(b.kind && { kind: b.kind }),
        topic: m.ck.topicLabels[topic] ?? String(topic),
        items: m.rec.ck.items.ids.length,
        added: m.rec.ck.items.ids.length - m.baseItems,
        count: item.count,
        model: m.ck.manifest.run_id,
      };
    });
  });

  const swap = async (dir: string | undefined) => {
    const { previous, current } = await slot.reload(dir);
    // Appended events were relative to the old checkpoint's state; a different checkpoint supersedes them.
    if (previous.ck.manifestHash !== current.ck.manifestHash) userEvents.clear();
    return { previous: previous.ck.manifestHash, current: current.ck.manifestHash, dir: current.ck.dir };
  };
  // A swap here is announced to the other replicas; theirs are followed here (not announced again).
  const reload = async (dir?: string) => {
    const r = await swap(dir);
    await shared?.announceSwap(r.dir);
    return r;
  };
  await shared?.onSwap((dir) => {
    swap(dir).then(
      (r) => app.log.info({ manifest_hash: r.current, previous: r.previous }, 'swapped by another replica'),
      (e: Error) =>
        app.log.error(`swap from another replica refused, still serving the old one: ${e.message}`),
    );
  });

  app.post<{ Body: { checkpoint?: string } | null }>(
    '/admin/reload',
    { schema: reloadSchema },
    async (req: FastifyRequest<{ Body: { checkpoint?: string } | null }>) => {
      if (!isLoopback(req.ip)) throw new HttpError(403, '/admin/reload answers loopback clients only');
      try {
        const r = await reload(req.body?.checkpoint);
        return {
          swapped: r.previous !== r.current,
          ...summary(slot.current),
          previous_manifest_hash: r.previous,
          checkpoint_dir: r.dir,
        };
      } catch (e) {
        // Whatever stopped the new checkpoint from loading, the old one is still served.
        const why =
          e instanceof CheckpointError ? e.message : `${(e as Error).name}: ${(e as Error).message}`;
        throw new HttpError(422, `checkpoint refused, still serving the old one: ${why}`);
      }
    },
  );

  await app.ready();
  return {
    app,
    slot,
    userEvents,
    reload,
    close: async () => {
      await app.close();
      await slot.close();
      await shared?.close();
    },
  };
}
