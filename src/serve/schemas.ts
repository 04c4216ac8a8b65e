/**
 * JSON schemas of every route. The server's Ajv does not coerce types (a body's `"k": "10"` is an
 * error, not 10), so query parameters — always strings on the wire — are validated by pattern and
 * converted in the handler.
 */

/** Integer 1..100. */
const K_PATTERN = '^([1-9]|[1-9][0-9]|100)$';
/** A decimal in [0, 1]. */
const UNIT_PATTERN = '^(0(\\.[0-9]{1,12})?|1(\\.0{1,12})?|\\.[0-9]{1,12})$';
/** A non-negative decimal below 100. */
const NONNEG_PATTERN = '^[0-9]{1,2}(\\.[0-9]{1,12})?$';

/** What each query parameter accepts, for error messages (a pattern alone reads badly). */
export const QUERY_HELP: Record<string, string> = {
  k: 'an integer from 1 to 100',
  exclude_seen: 'true or false',
  diversity: 'a number from 0 to 1 (MMR λ; 0 = off)',
  alpha: 'a number from 0 to 1 (LSTM weight in the blend)',
  beta: 'a number from 0 to 99 (popularity prior weight)',
  explain: 'true or false (per-item reasons)',
  kind: 'an item kind of the catalogue (1 to 64 characters)',
};

const userParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 256 } },
  required: ['id'],
  additionalProperties: false,
} as const;

/** With explain: the blend term that put the item there, each term's lift over its median, the item's topic. */
const itemReason = {
  reason: { type: 'string', enum: ['lstm', 'popularity', 'topic', 'none'] },
  lift: {
    type: 'object',
    properties: { lstm: { type: 'number' }, popularity: { type: 'number' }, topic: { type: 'number' } },
    additionalProperties: false,
  },
  topic: { type: 'string' },
} as const;

const recommendationItem = {
  type: 'object',
  properties: { id: { type: 'string' }, title: { type: 'string' }, score: { type: 'number' }, ...itemReason },
  required: ['id', 'title', 'score'],
} as const;

const topicShare = {
  type: 'object',
  properties: { topic: { type: 'integer' }, label: { type: 'string' }, share: { type: 'number' } },
  required: ['topic', 'label', 'share'],
} as const;

const recommendationsReply = {
  type: 'object',
  properties: {
    user: { type: 'string' },
    model: { type: 'string' },
    alpha: { type: 'number' },
    beta: { type: 'number' },
    diversity: { type: 'number' },
    items: { type: 'array', items: recommendationItem },
    topics: { type: 'array', items: topicShare },
    appended_events: { type: 'integer' },
    events: { type: 'integer' },
    buckets: { type: 'integer' },
  },
  required: ['model', 'alpha', 'beta', 'items', 'topics'],
} as const;

const errorReply = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, statusCode: { type: 'integer' } },
  required: ['error', 'message', 'statusCode'],
} as const;

const rankBody = {
  k: { type: 'integer', minimum: 1, maximum: 100 },
  exclude_seen: { type: 'boolean' },
  diversity: { type: 'number', minimum: 0, maximum: 1 },
  alpha: { type: 'number', minimum: 0, maximum: 1 },
  beta: { type: 'number', minimum: 0, maximum: 99 },
  explain: { type: 'boolean' },
  kind: { type: 'string', minLength: 1, maxLength: 64 },
} as const;

export const MAX_EVENTS_PER_REQUEST = 10_000;

const event = {
  type: 'object',
  properties: {
    item: { type: 'string', minLength: 1, maxLength: 256 },
    text: { type: 'string', minLength: 1, maxLength: 4096 },
    ts: { anyOf: [{ type: 'number' }, { type: 'string', minLength: 1, maxLength: 64 }] },
    weight: { type: 'number', minimum: 0 },
  },
  required: ['ts'],
  additionalProperties: false,
} as const;

const events = { type: 'array', minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST, items: event } as const;

export const healthzSchema = {
  response: {
    200: {
      type: 'object',
      properties: {
        status: { type: 'string' },
        model: { type: 'string' },
        manifest_hash: { type: 'string' },
        loaded_at: { type: 'string' },
        uptime_s: { type: 'number' },
      },
      required: ['status', 'model', 'manifest_hash', 'uptime_s'],
    },
  },
} as const;

export const modelSchema = {
  response: {
    200: {
      type: 'object',
      properties: {
        run_id: { type: 'string' },
        created_at: { type: 'string' },
        manifest_hash: { type: 'string' },
        schema_version: { type: 'integer' },
        checkpoint_dir: { type: 'string' },
        backend: { type: 'string' },
        encoder: {
          type: 'object',
          properties: { id: { type: 'string' }, version: { type: 'string' }, dim: { type: 'integer' } },
        },
        model: {
          type: 'object',
          properties: {
            cell: { type: 'string' },
            units: { type: 'integer' },
            layers: { type: 'integer' },
            maxLen: { type: 'integer' },
            inputWidth: { type: 'integer' },
            outputDim: { type: 'integer' },
          },
        },
        blend: { type: 'object', properties: { alpha: { type: 'number' }, beta: { type: 'number' } } },
        counts: {
          type: 'object',
          properties: { users: { type: 'integer' }, items: { type: 'integer' } },
        },
        /** The catalogue's item kinds (what kind= accepts); empty without kinds. */
        kinds: { type: 'array', items: { type: 'string' } },
        topics: {
          type: 'object',
          properties: {
            k: { type: 'integer' },
            temperature: { type: 'number' },
            labels: { type: 'array', items: { type: 'string' } },
          },
        },
        metrics: {
          type: 'object',
          additionalProperties: { type: 'object', additionalProperties: { type: 'number' } },
        },
      },
    },
  },
} as const;

export const userRecommendationsSchema = {
  params: userParams,
  querystring: {
    type: 'object',
    properties: {
      k: { type: 'string', pattern: K_PATTERN, default: '10' },
      exclude_seen: { type: 'string', enum: ['true', 'false', '1', '0'], default: 'true' },
      diversity: { type: 'string', pattern: UNIT_PATTERN, default: '0' },
      alpha: { type: 'string', pattern: UNIT_PATTERN },
      beta: { type: 'string', pattern: NONNEG_PATTERN },
      explain: { type: 'string', enum: ['true', 'false', '1', '0'], default: 'false' },
      kind: { type: 'string', minLength: 1, maxLength: 64 },
    },
    additionalProperties: false,
  },
  response: { 200: recommendationsReply, '4xx': errorReply },
} as const;

/** Free-text interests of a user without events (or besides them): each becomes a text event. */
const interests = {
  type: 'array',
  minItems: 1,
  maxItems: 256,
  items: { type: 'string', minLength: 1, maxLength: 4096 },
} as const;

export const historyRecommendationsSchema = {
  body: {
    type: 'object',
    properties: { events, interests, ...rankBody },
    anyOf: [{ required: ['events'] }, { required: ['interests'] }],
    additionalProperties: false,
  },
  response: { 200: recommendationsReply, '4xx': errorReply },
} as const;

export const appendEventsSchema = {
  params: userParams,
  body: {
    type: 'object',
    properties: { events: { ...events, maxItems: 1_000 } },
    required: ['events'],
    additionalProperties: false,
  },
  response: {
    200: {
      type: 'object',
      properties: {
        user: { type: 'string' },
        appended: { type: 'integer' },
        held: { type: 'integer' },
        model: { type: 'string' },
      },
      required: ['user', 'appended', 'held', 'model'],
    },
    '4xx': errorReply,
  },
} as const;

export const addItemSchema = {
  body: {
    type: 'object',
    properties: {
      id: { type: 'string', minLength: 1, maxLength: 256 },
      text: { type: 'string', minLength: 1, maxLength: 4096 },
      title: { type: 'string', minLength: 1, maxLength: 1024 },
      kind: { type: 'string', minLength: 1, maxLength: 64 },
    },
    required: ['id', 'text'],
    additionalProperties: false,
  },
  response: {
    200: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        kind: { type: 'string' },
        topic: { type: 'string' },
        items: { type: 'integer' },
        added: { type: 'integer' },
        count: { type: 'number' },
        model: { type: 'string' },
      },
      required: ['id', 'topic', 'items', 'added', 'count', 'model'],
    },
    '4xx': errorReply,
  },
} as const;

export const reloadSchema = {
  body: {
    type: ['object', 'null'],
    properties: { checkpoint: { type: 'string', minLength: 1, maxLength: 4096 } },
    additionalProperties: false,
  },
  response: {
    200: {
      type: 'object',
      properties: {
        swapped: { type: 'boolean' },
        model: { type: 'string' },
        manifest_hash: { type: 'string' },
        previous_manifest_hash: { type: 'string' },
        checkpoint_dir: { type: 'string' },
      },
      required: ['swapped', 'model', 'manifest_hash', 'previous_manifest_hash', 'checkpoint_dir'],
    },
    '4xx': errorReply,
  },
} as const;
