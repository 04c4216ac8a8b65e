import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, templateColumns } from '../../src/data/item-text.ts';

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
