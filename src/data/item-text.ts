/**
 * Item text templates: `{column}` placeholders plus `[...]` sections that are dropped when any
 * placeholder inside them is empty, so "{title}[. Tags: {tags}]" gives no dangling "Tags:" label.
 */
type Part = { lit: string } | { col: string };
interface Section {
  optional: boolean;
  parts: Part[];
}
export type Template = Section[];

export function parseTemplate(src: string): Template {
  const out: Template = [];
  let cur: Section = { optional: false, parts: [] };
  const re = /\{([^{}[\]]+)\}|\[|\]|[^{}[\]]+|[{}]/g;
  for (const m of src.matchAll(re)) {
    const tok = m[0];
    if (m[1] !== undefined) cur.parts.push({ col: m[1].trim() });
    else if (tok === '[' || tok === ']') {
      if ((tok === '[') === cur.optional) {
        throw new Error(`item text template "${src}": ${tok === '[' ? 'nested' : 'unmatched'} "${tok}"`);
      }
      out.push(cur);
      cur = { optional: tok === '[', parts: [] };
    } else if (tok === '{' || tok === '}') {
      throw new Error(`item text template "${src}": unmatched "${tok}"`);
    } else cur.parts.push({ lit: tok });
  }
  if (cur.optional) throw new Error(`item text template "${src}": unclosed "["`);
  out.push(cur);
  return out.filter((s) => s.parts.length > 0);
}

export function templateColumns(t: Template): string[] {
  const cols = t.flatMap((s) => s.parts.flatMap((p) => ('col' in p ? [p.col] : [])));
  return [...new Set(cols)];
}

export function renderTemplate(t: Template, values: (col: string) => string): string {
  let out = '';
  for (const s of t) {
    const texts = s.parts.map((p) => ('col' in p ? values(p.col) : p.lit));
    const empty = s.parts.some((p, i) => 'col' in p && texts[i] === '');
    if (!(s.optional && empty)) out += texts.join('');
  }
  return out.replace(/\s+/g, ' ').trim();
}

/**
 * A warning when extra item text (tags) may include rows from the evaluation windows of a global split:
 * item text built from them would carry a little of what the model is asked to forecast.
 */
export function itemTextCutoffWarning(
  extra: { before: string | number | null } | null,
  cutoffs: { valid_from: string } | undefined,
): string | null {
  if (!extra || !cutoffs) return null;
  const validFrom = Date.parse(cutoffs.valid_from) / 1000;
  const before =
    extra.before === null
      ? null
      : typeof extra.before === 'number'
        ? extra.before
        : Date.parse(extra.before) / 1000;
  if (before !== null && before <= validFrom) return null;
  const why = before === null ? 'uses rows of every date' : `reads rows up to ${extra.before}`;
  return (
    `warning: data.extra_item_text ${why}, past the validation cutoff ${cutoffs.valid_from}: ` +
    `item text can carry future information; set data.extra_item_text.before: "${cutoffs.valid_from.slice(0, 10)}"`
  );
}
