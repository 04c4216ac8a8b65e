import { describe, expect, it } from 'vitest';
import { DataConfigSchema } from '../../src/config/data.ts';

const minimal = {
  events: { path: 'r.csv', user: 'userId', item: 'movieId' },
  items: { path: 'm.csv', id: 'movieId' },
};

describe('DataConfigSchema', () => {
  it('fills defaults', () => {
    const c = DataConfigSchema.parse(minimal);
    expect(c.events).toMatchObject({
      format: 'auto',
      delimiter: 'auto',
      encoding: 'utf-8',
      time: 'timestamp',
    });
    expect(c.events).toMatchObject({ time_unit: 'auto', time_columns: null, weight: null, text: null });
    expect(c.filters).toEqual({
      min_rating: null,
      min_user_events: 5,
      min_item_events: 1,
      time_from: null,
      time_to: null,
    });
    expect(c.validation).toEqual({ min_time: '1990-01-01', now: null });
    expect(c.extra_item_text).toBeNull();
    expect(c.allow_unknown_items).toBe(false);
  });

  it('rejects unknown keys at every level', () => {
    expect(() => DataConfigSchema.parse({ ...minimal, extra: 1 })).toThrow(/extra/);
    expect(() => DataConfigSchema.parse({ ...minimal, events: { ...minimal.events, usr: 'x' } })).toThrow(
      /usr/,
    );
    expect(() => DataConfigSchema.parse({ ...minimal, filters: { min_users: 2 } })).toThrow(/min_users/);
  });

  it('extra_item_text.before needs a time, and names the key', () => {
    const x = { path: 't.csv', id: 'movieId', field: 'tag' };
    const r = DataConfigSchema.safeParse({ ...minimal, extra_item_text: { ...x, before: '2015-01-01' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['extra_item_text', 'before']);
    expect(r.error?.issues[0].message).toMatch(/before needs a time or time_columns/);
    const ok = DataConfigSchema.parse({ ...minimal, extra_item_text: { ...x, time: 'ts', before: 1.4e9 } });
    expect(ok.extra_item_text).toMatchObject({ time: 'ts', time_unit: 'auto', before: 1.4e9 });
  });

  it('uses time_columns instead of a time column', () => {
    const time_columns = { year: 'year', month: 'month', day: 'day' };
    const c = DataConfigSchema.parse({ ...minimal, events: { ...minimal.events, time_columns } });
    expect(c.events.time).toBeNull();
    expect(() =>
      DataConfigSchema.parse({ ...minimal, events: { ...minimal.events, time: 'ts', time_columns } }),
    ).toThrow(/either time or time_columns/);
  });

  it('checks lookup references', () => {
    const events = { ...minimal.events, text: 'tagID', text_lookup: 'tag' };
    const bad = DataConfigSchema.safeParse({ ...minimal, events });
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['events.text_lookup', 'unknown lookup "tag"; lookups: (none)'],
    ]);
    const lookups = { tag: { path: 'tags.dat', key: 'tagID', value: 'tagValue', encoding: 'latin-1' } };
    expect(DataConfigSchema.parse({ ...minimal, events, lookups }).lookups.tag.encoding).toBe('latin-1');
  });
});
