import { z } from 'zod';

type Shapes = Record<string, z.ZodRawShape>;

type Variant<
  K extends string,
  S extends Shapes,
  M extends keyof S & string,
  Mode extends z.core.$ZodObjectConfig,
> = z.ZodObject<S[M] & { [P in K]: z.ZodLiteral<M> }, Mode>;

type Variants<K extends string, S extends Shapes, Mode extends z.core.$ZodObjectConfig> = {
  [M in keyof S & string]: Variant<K, S, M, Mode>;
}[keyof S & string];

/**
 * A block whose `key` names a kind (a forecaster, an encoder) and whose other keys belong to that kind.
 * `shapes` holds each kind's keys, shared ones repeated.
 */
export interface KindBlock<K extends string, S extends Shapes> {
  /** Strict: a key of another kind is an error naming that kind; a block without `key` is the fallback's. */
  config: z.ZodPipe<z.ZodTransform, z.ZodDiscriminatedUnion<[Variants<K, S, z.core.$strict>]>>;
  /**
   * Lenient: reads one kind's settings from any block, keys the block lacks at their defaults and others
   * dropped (evaluation swaps `model` in the configured block to build its reference forecasters).
   */
  read: z.ZodDiscriminatedUnion<[Variants<K, S, z.core.$strip>]>;
}

export function kindBlock<K extends string, S extends Shapes>(
  key: K,
  fallback: keyof S & string,
  shapes: S,
  legacyKeys: readonly string[],
  /** What `key` chooses (the schema's description, in docs/CONFIG.md). */
  about: string,
): KindBlock<K, S> {
  const kinds = Object.keys(shapes);
  const owners = (k: string) => kinds.filter((m) => Object.hasOwn(shapes[m], k));
  const variant = (kind: string, strict: boolean) => {
    const shape = { ...shapes[kind], [key]: z.literal(kind) };
    if (!strict) return z.object(shape);
    return z.strictObject(shape, {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? iss.keys.map((k) => unknownKeyMessage(k, owners(k), `${key}: ${kind}`)).join('; ')
          : undefined,
    });
  };
  const union = (strict: boolean) =>
    z.discriminatedUnion(
      key,
      // The mapped Variants type is what each entry is; TS cannot follow it through map().
      kinds.map((m) => variant(m, strict)) as unknown as [never],
    );
  return {
    config: z.preprocess(
      (raw) => normalise(raw, key, fallback, shapes, legacyKeys),
      union(true).describe(about),
    ) as unknown as KindBlock<K, S>['config'],
    read: union(false) as unknown as KindBlock<K, S>['read'],
  };
}

function unknownKeyMessage(k: string, owners: readonly string[], here: string): string {
  if (owners.length === 0) return `unknown key "${k}"`;
  return `"${k}" is a key of ${owners.join(' / ')}, not of ${here}`;
}

/**
 * Fills in the fallback kind, and trims a block from a resolved config written while blocks were flat
 * (checkpoint manifests, report.json): such a block holds every kind's keys, at least `legacyKeys` (the
 * flat block only grew), so other kinds' keys are dropped for it to parse again. A hand-written block
 * would need all of them to be trimmed this way instead of rejected.
 */
function normalise(
  raw: unknown,
  key: string,
  fallback: string,
  shapes: Shapes,
  legacyKeys: readonly string[],
) {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const block: Record<string, unknown> = key in raw ? { ...raw } : { [key]: fallback, ...raw };
  const kind = block[key];
  const own = typeof kind === 'string' && Object.hasOwn(shapes, kind) ? shapes[kind] : null;
  if (!own || !legacyKeys.every((k) => k in block)) return block;
  const ofAnotherKind = (k: string) =>
    !Object.hasOwn(own, k) && Object.values(shapes).some((s) => Object.hasOwn(s, k));
  return Object.fromEntries(Object.entries(block).filter(([k]) => k === key || !ofAnotherKind(k)));
}
