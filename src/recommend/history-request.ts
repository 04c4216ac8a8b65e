/**
 * Validation of a dated history sent for recommendations (POST /v1/recommendations, /v1/users/:id/events):
 * each bad event is named in a HistoryError whose `status` is the HTTP answer a server gives.
 */

/** One dated event: a catalogue item id or a free text, at unix seconds or an ISO-8601 time. */
export interface HistoryEvent {
  item?: string;
  text?: string;
  ts: number | string;
  /** Relative weight in the bucket's mean vector (a rating in training); default 1. */
  weight?: number;
}

/** Bad history input; `status` is the HTTP status a server should answer with. */
export class HistoryError extends Error {
  override name = 'HistoryError';
  constructor(
    message: string,
    readonly status: 400 | 404 | 422 = 400,
  ) {
    super(message);
  }
}

export class UnknownItemError extends HistoryError {
  override name = 'UnknownItemError';
  constructor(message: string) {
    super(message, 422);
  }
}

/** The checkpoint's encoder cannot be rebuilt identically here, so free text cannot be embedded. */
export class EncoderMismatchError extends HistoryError {
  override name = 'EncoderMismatchError';
  constructor(message: string) {
    super(message, 422);
  }
}

/**
 * A user's free-text interests as text events, all at `ts`: a user with no events at all is then one
 * bucket of texts, recommended through the same path as any ad-hoc history.
 */
export function interestEvents(interests: readonly string[], ts: number): HistoryEvent[] {
  return interests.map((text) => ({ text, ts }));
}

/** Unix seconds of year 9999: anything larger is almost surely milliseconds or garbage. */
const MAX_ABS_TS = 253_402_300_799;

/** An event after validation: item index into the checkpoint, or a text to embed. */
export interface ResolvedEvent {
  item: number;
  text: string | null;
  ts: number;
  weight: number;
  order: number;
}

function parseTs(ts: unknown, where: string): number {
  const t = typeof ts === 'number' ? ts : typeof ts === 'string' ? Date.parse(ts) / 1000 : Number.NaN;
  if (!Number.isFinite(t) || Math.abs(t) > MAX_ABS_TS) {
    throw new HistoryError(
      `${where}.ts: expected unix seconds or an ISO-8601 time, got ${JSON.stringify(ts)}`,
    );
  }
  return t;
}

/** Validates events: unknown ids (not in `itemIndex`), bad times or empty events throw HistoryError naming the event. */
export function resolveHistory(
  events: readonly HistoryEvent[],
  itemIndex: ReadonlyMap<string, number>,
): ResolvedEvent[] {
  if (!Array.isArray(events) || events.length === 0)
    throw new HistoryError('events: expected a non-empty array');
  return events.map((e, order) => {
    const where = `events[${order}]`;
    if (e === null || typeof e !== 'object') throw new HistoryError(`${where}: expected an object`);
    const hasItem = e.item !== undefined;
    const hasText = e.text !== undefined;
    if (hasItem === hasText) throw new HistoryError(`${where}: give exactly one of "item" or "text"`);
    const weight = e.weight ?? 1;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new HistoryError(`${where}.weight: expected a finite number ≥ 0`);
    }
    const ts = parseTs(e.ts, where);
    if (hasText) {
      if (typeof e.text !== 'string' || e.text.trim() === '')
        throw new HistoryError(`${where}.text: expected a non-empty string`);
      return { item: -1, text: e.text, ts, weight, order };
    }
    const item = typeof e.item === 'string' ? itemIndex.get(e.item) : undefined;
    if (item === undefined) {
      throw new UnknownItemError(
        `${where}.item: unknown item ${JSON.stringify(e.item)} (not in the checkpoint)`,
      );
    }
    return { item, text: null, ts, weight, order };
  });
}
