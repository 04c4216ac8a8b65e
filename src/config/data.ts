import { z } from 'zod';

/** A column name in a delimited file's header. */
const Column = z.string().min(1);

/** A point in time: ISO date/time string (UTC unless it carries an offset) or unix seconds. */
const TimePoint = z.union([z.string().min(1), z.number()]);

/**
 * How to read one delimited file. `auto` picks the dialect from the extension:
 * .csv → comma + double quotes; .tsv/.tab/.dat → tab, no quoting (Last.fm names contain bare quotes).
 */
const fileFields = {
  path: z.string().min(1),
  format: z.enum(['auto', 'csv', 'tsv']).default('auto'),
  delimiter: z.union([z.literal('auto'), z.string().length(1)]).default('auto'),
  /** Quote character; '' disables quoting. */
  quote: z.union([z.literal('auto'), z.string().max(1)]).default('auto'),
  encoding: z.enum(['utf-8', 'latin-1']).default('utf-8'),
};

export const FileSpecSchema = z.object(fileFields).strict();
export type FileSpec = z.infer<typeof FileSpecSchema>;

/** Calendar columns for files that store dates split up (Last.fm: day, month, year). Dates are UTC midnight. */
const TimeColumnsSchema = z
  .object({ year: Column, month: Column.nullable().default(null), day: Column.nullable().default(null) })
  .strict();

const EventsSchema = z
  .object({
    ...fileFields,
    user: Column,
    item: Column,
    /** Timestamp column; defaults to `timestamp` unless `time_columns` is given. */
    time: Column.nullable().optional(),
    /** `auto` decides once per file: all numeric → s (or ms when values exceed 1e11), else ISO. */
    time_unit: z.enum(['s', 'ms', 'iso', 'auto']).default('auto'),
    time_columns: TimeColumnsSchema.nullable().default(null),
    weight: Column.nullable().default(null),
    /** Optional event text column (e.g. the tag or a review). */
    text: Column.nullable().default(null),
    /** Name of a `lookups` entry that maps the text column's value (e.g. tagID → tagValue). */
    text_lookup: z.string().min(1).nullable().default(null),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.time != null && e.time_columns !== null)
      ctx.addIssue({ code: 'custom', message: 'give either time or time_columns, not both' });
    if (e.text_lookup !== null && e.text === null)
      ctx.addIssue({ code: 'custom', path: ['text_lookup'], message: 'text_lookup needs a text column' });
  })
  .transform((e) => ({ ...e, time: e.time_columns ? null : (e.time ?? 'timestamp') }));

const ItemsSchema = z
  .object({
    ...fileFields,
    id: Column,
    /** Display title; defaults to the id. */
    title: Column.nullable().default(null),
    /**
     * Template over item columns and `{tags}` (from extra_item_text). A `[...]` section is dropped when
     * any placeholder inside it is empty, e.g. "{title}. Genres: {genres}[. Tags: {tags}]".
     * Defaults to "{title}".
     */
    text: z.string().min(1).nullable().default(null),
    categories: Column.nullable().default(null),
    category_separator: z.string().min(1).default('|'),
    kind: Column.nullable()
      .default(null)
      .describe('item kind column (film, book, …): per-kind report tables, `kind=` when recommending'),
  })
  .strict();

const ExtraItemTextSchema = z
  .object({
    ...fileFields,
    id: Column,
    field: Column,
    /** Name of a `lookups` entry that maps the field's value (e.g. tagID → tagValue). */
    lookup: z.string().min(1).nullable().default(null),
    max_per_item: z.int().positive().default(10),
    /** When each row was written (as for events); needed by `before`. */
    time: Column.nullable().default(null),
    time_unit: z.enum(['s', 'ms', 'iso', 'auto']).default('auto'),
    time_columns: TimeColumnsSchema.nullable().default(null),
    /**
     * Only rows dated before this time (ISO date/time or unix seconds) feed item text, so text does not
     * carry what happened in the evaluation windows; later rows are counted as filtered.
     */
    before: TimePoint.nullable().default(null),
  })
  .strict()
  .superRefine((x, ctx) => {
    if (x.time !== null && x.time_columns !== null)
      ctx.addIssue({ code: 'custom', message: 'give either time or time_columns, not both' });
    if (x.before !== null && x.time === null && x.time_columns === null)
      ctx.addIssue({ code: 'custom', path: ['before'], message: 'before needs a time or time_columns' });
  });

const LookupSchema = z.object({ ...fileFields, key: Column, value: Column }).strict();

const FiltersSchema = z
  .object({
    min_rating: z.number().nullable().default(null),
    min_user_events: z.int().nonnegative().default(5),
    min_item_events: z.int().nonnegative().default(1),
    time_from: TimePoint.nullable().default(null),
    time_to: TimePoint.nullable().default(null),
  })
  .strict();

const ValidationSchema = z
  .object({
    /** Earlier timestamps are quarantined (before the web-era logs these datasets come from). */
    min_time: TimePoint.default('1990-01-01'),
    /** Later timestamps are quarantined; null → the events file's modification time + 1 day. */
    now: TimePoint.nullable().default(null),
  })
  .strict();

export const DataConfigSchema = z
  .object({
    events: EventsSchema,
    items: ItemsSchema,
    extra_item_text: ExtraItemTextSchema.nullable().default(null),
    lookups: z.record(z.string().min(1), LookupSchema).default({}),
    filters: FiltersSchema.default(FiltersSchema.parse({})),
    validation: ValidationSchema.default(ValidationSchema.parse({})),
    allow_unknown_items: z.boolean().default(false),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.filters.min_rating !== null && d.events.weight === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['filters', 'min_rating'],
        message: 'min_rating needs events.weight',
      });
    }
    const refs: [string, string | null][] = [
      ['events.text_lookup', d.events.text_lookup],
      ['extra_item_text.lookup', d.extra_item_text?.lookup ?? null],
    ];
    for (const [where, name] of refs) {
      if (name !== null && !(name in d.lookups)) {
        const known = Object.keys(d.lookups).join(', ') || '(none)';
        ctx.addIssue({
          code: 'custom',
          path: where.split('.'),
          message: `unknown lookup "${name}"; lookups: ${known}`,
        });
      }
    }
  });

export type DataConfig = z.infer<typeof DataConfigSchema>;
export type DataConfigInput = z.input<typeof DataConfigSchema>;
