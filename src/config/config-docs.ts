import { z } from 'zod';
import { ConfigSchema } from './schema.ts';

/**
 * docs/CONFIG.md, written from the zod schema (scripts/config-docs.ts) so the reference cannot drift from
 * what the loader accepts: every key with its type, default and description, per section; keys that only
 * one kind takes (a forecaster's, an encoder's, a split protocol's) say which.
 */
export function configDocs(): string {
  const sections = Object.entries(ConfigSchema.shape).map(([key, field]) => section(key, field));
  return [HEADER, ...sections].join('\n');
}

const HEADER = `# Configuration reference

Generated from \`src/config/schema.ts\` by \`npm run docs:config\`; do not edit by hand (a test fails when
this file is stale). A key of another kind than the block's (e.g. \`order\` under \`forecast.model: ses\`) is
an error. Durations are like \`30d\`, \`12h\`, \`2w\`; relative data paths are resolved against the config file.
A top-level \`extends: base.yaml\` (a file in the same directory) takes that config and merges this file's keys
over it: mappings key by key, lists and values replaced.
`;

type Schema = z.core.$ZodType;

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
  /** The kinds that take this key; empty when every kind does. */
  only: string[];
  /** The key naming the kind, e.g. `model`. */
  kindKey?: string;
}

function section(key: string, field: Schema): string {
  const rows = rowsOf(key, field);
  const table = [
    '| key | type | default | description |',
    '|---|---|---|---|',
    ...rows.map((r) => {
      const only = r.only.length ? `(${r.kindKey}: ${r.only.join(' / ')} only)` : '';
      return `| \`${r.key}\` | ${r.type} | ${r.default} | ${cell([only, r.description].filter(Boolean).join(' '))} |`;
    }),
  ];
  return [`## \`${key}\``, '', ...table, ''].join('\n');
}

/** Rows for a key: objects and per-kind blocks become one row per leaf key. */
function rowsOf(key: string, field: Schema): Row[] {
  const u = unwrap(field);
  const dflt = u.hasDefault ? formatValue(u.defaultValue) : u.optional ? '—' : 'required';
  const def = u.inner._zod.def;
  if (def.type === 'object') return shapeRows(key, (u.inner as z.core.$ZodObject)._zod.def.shape);
  if (def.type === 'union' && 'discriminator' in def) {
    return kindRows(key, u.inner as z.core.$ZodDiscriminatedUnion, u.hasDefault ? u.defaultValue : undefined);
  }
  return [
    { key, type: cell(typeOf(field)), default: cell(dflt), description: describe(field) ?? '', only: [] },
  ];
}

function shapeRows(prefix: string, shape: z.core.$ZodShape): Row[] {
  return Object.entries(shape).flatMap(([k, s]) => rowsOf(`${prefix}.${k}`, s));
}

/** A discriminated union: its discriminator, then each kind's keys, merged where kinds share a key. */
function kindRows(prefix: string, union: z.core.$ZodDiscriminatedUnion, dflt: unknown): Row[] {
  const key = union._zod.def.discriminator;
  const options = union._zod.def.options as z.core.$ZodObject[];
  const kindOf = (o: z.core.$ZodObject) =>
    String((o._zod.def.shape[key]._zod.def as unknown as { values: unknown[] }).values[0]);
  const kinds = options.map(kindOf);
  const chosen = (dflt as Record<string, unknown> | undefined)?.[key];
  const head: Row = {
    key: `${prefix}.${key}`,
    type: kinds.map((k) => `\`${k}\``).join(' \\| '),
    default: chosen === undefined ? 'required' : formatValue(chosen),
    description: describe(union) ?? '',
    only: [],
  };
  const merged = new Map<string, Row>();
  for (const o of options) {
    const { [key]: _, ...shape } = o._zod.def.shape;
    for (const r of shapeRows(prefix, shape)) {
      const seen = merged.get(signature(r));
      if (seen) seen.only.push(kindOf(o));
      else merged.set(signature(r), { ...r, only: [kindOf(o)], kindKey: key });
    }
  }
  const rows = [...merged.values()].map((r) => ({
    ...r,
    only: r.only.length === kinds.length ? [] : r.only,
  }));
  return [head, ...rows];
}

const signature = (r: Row) => JSON.stringify([r.key, r.type, r.default, r.description]);

interface Unwrapped {
  inner: Schema;
  hasDefault: boolean;
  defaultValue?: unknown;
  optional: boolean;
}

/** Strips default / optional / preprocess wrappers, remembering the default. */
function unwrap(s: Schema): Unwrapped {
  const def = s._zod.def;
  if (def.type === 'default') {
    const d = def as z.core.$ZodDefaultDef;
    return { ...unwrap(d.innerType), hasDefault: true, defaultValue: d.defaultValue };
  }
  if (def.type === 'optional')
    return { ...unwrap((def as z.core.$ZodOptionalDef).innerType), optional: true };
  if (def.type === 'pipe') {
    const p = def as z.core.$ZodPipeDef;
    // A preprocess (transform → schema) documents its schema; a parse-then-transform its input.
    return unwrap(p.in._zod.def.type === 'transform' ? p.out : p.in);
  }
  return { inner: s, hasDefault: false, optional: false };
}

function describe(s: Schema): string | undefined {
  for (let cur: Schema | undefined = s; cur; ) {
    const d = z.globalRegistry.get(cur)?.description;
    if (d) return d;
    const def = cur._zod.def as { innerType?: Schema };
    cur = def.innerType;
  }
  return undefined;
}

/** A short type, e.g. "integer ≥ 1", "`mean` \| `cls`", "number or null", "[integer ≥ 0, …]". */
function typeOf(s: Schema): string {
  const title = z.globalRegistry.get(s)?.title;
  if (title) return title;
  const def = s._zod.def;
  switch (def.type) {
    case 'default':
    case 'optional':
      return typeOf((def as z.core.$ZodDefaultDef).innerType);
    case 'nullable':
      return `${typeOf((def as z.core.$ZodNullableDef).innerType)} or null`;
    case 'pipe': {
      const p = def as z.core.$ZodPipeDef;
      return typeOf(p.in._zod.def.type === 'transform' ? p.out : p.in);
    }
    case 'string':
      return stringType(def as z.core.$ZodStringDef);
    case 'number':
      return numberType(def as z.core.$ZodNumberDef);
    case 'boolean':
      return 'boolean';
    case 'enum':
      return Object.values((def as z.core.$ZodEnumDef).entries)
        .map((v) => `\`${v}\``)
        .join(' | ');
    case 'literal':
      return (def as z.core.$ZodLiteralDef<z.core.util.Literal>).values.map((v) => `\`${v}\``).join(' | ');
    case 'array':
      return `list of ${group(typeOf((def as z.core.$ZodArrayDef).element))}`;
    case 'tuple':
      return `[${(def as z.core.$ZodTupleDef).items.map(typeOf).join(', ')}]`;
    case 'union':
      return (def as z.core.$ZodUnionDef).options.map(typeOf).join(' | ');
    case 'record':
      return `map of ${typeOf((def as z.core.$ZodRecordDef).keyType)} → ${typeOf((def as z.core.$ZodRecordDef).valueType)}`;
    case 'object':
      return objectType(def as z.core.$ZodObjectDef);
    default:
      return def.type;
  }
}

function stringType(def: z.core.$ZodStringDef): string {
  const format = (def as { format?: string }).format;
  return format ? `ISO ${format}` : 'string';
}

function numberType(def: z.core.$ZodNumberDef): string {
  const checks = (def.checks ?? []).map(
    (c) => c._zod.def as { check: string; value?: number; inclusive?: boolean },
  );
  const integer =
    (def as { format?: string }).format !== undefined || checks.some((c) => c.check === 'number_format');
  const bounds = checks.flatMap((c) => {
    if (c.check === 'greater_than') return [`${c.inclusive ? '≥' : '>'} ${c.value}`];
    if (c.check === 'less_than') return [`${c.inclusive ? '≤' : '<'} ${c.value}`];
    return [];
  });
  return [integer ? 'integer' : 'number', ...bounds].join(' ');
}

function objectType(def: z.core.$ZodObjectDef): string {
  const keys = Object.entries(def.shape).map(([k, v]) => `${k}: ${typeOf(v)}`);
  if (def.catchall && def.catchall._zod.def.type !== 'never') keys.push(`…: ${typeOf(def.catchall)}`);
  return `{ ${keys.join(', ')} }`;
}

const group = (t: string) => (t.includes(' | ') || t.includes(' or ') ? `(${t})` : t);

function formatValue(v: unknown): string {
  if (typeof v === 'string') return `\`${v}\``;
  return `\`${JSON.stringify(v)?.replaceAll(',', ', ')}\``;
}

/** Escapes a table cell's pipes (unescaped ones first, so escaping twice is harmless). */
const cell = (s: string) => s.replace(/(?<!\\)\|/g, '\\|');
