import { describe, expect, it } from 'vitest';
import {
  itemTextCutoffWarning,
  parseTemplate,
  renderTemplate,
  templateColumns,
} from '../../src/data/item-text.ts';

describe('item text templates', () => {
  const t = parseTemplate('{title}. Genres: {genres}[. Tags: {tags}]');
  const render = (v: Record<string, string>) => renderTemplate(t, (c) => v[c] ?? '');

  it('lists placeholder columns once', () => {
    expect(templateColumns(parseTemplate('{a} {b} {a}[{c}]'))).toEqual(['a', 'b', 'c']);
  });

  it('drops optional sections whose placeholders are empty', () => {
    expect(render({ title: 'Heat', genres: 'Crime', tags: 'pacino, de niro' })).toBe(
      'Heat. Genres: Crime. Tags: pacino, de niro',
    );
    expect(render({ title: 'Heat', genres: 'Crime' })).toBe('Heat. Genres: Crime');
    expect(render({ title: 'Heat' })).toBe('Heat. Genres:'); // required sections stay
  });

  it('collapses whitespace (multi-line titles)', () => {
    expect(renderTemplate(parseTemplate('{a}  x'), () => 'one\ntwo')).toBe('one two x');
  });

  it('rejects malformed templates', () => {
    expect(() => parseTemplate('{a}[[{b}]]')).toThrow(/nested "\["/);
    expect(() => parseTemplate('{a}]')).toThrow(/unmatched "\]"/);
    expect(() => parseTemplate('{a}[{b}')).toThrow(/unclosed "\["/);
    expect(() => parseTemplate('{a')).toThrow(/unmatched "\{"/);
  });
});

describe('itemTextCutoffWarning', () => {
  const cutoffs = { valid_from: '2010-05-01T00:00:00.000Z' };
  it('warns when extra item text may reach into the evaluation windows of a global split', () => {
    expect(itemTextCutoffWarning({ before: null }, cutoffs)).toMatch(
      /uses rows of every date, past the validation cutoff .*before: "2010-05-01"/,
    );
    expect(itemTextCutoffWarning({ before: '2011-01-01' }, cutoffs)).toMatch(/reads rows up to 2011-01-01/);
  });
  it('is quiet when the text stops at the cutoff, without extra text, or without global cutoffs', () => {
    expect(itemTextCutoffWarning({ before: '2010-05-01' }, cutoffs)).toBeNull();
    expect(itemTextCutoffWarning({ before: Date.UTC(2009, 0, 1) / 1000 }, cutoffs)).toBeNull();
    expect(itemTextCutoffWarning(null, cutoffs)).toBeNull();
    expect(itemTextCutoffWarning({ before: null }, undefined)).toBeNull();
  });
});
