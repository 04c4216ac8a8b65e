import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChartSpec, renderSvg, svgToPng } from './charts.ts';

/**
 * A report as sections of blocks, rendered two ways from the same content: Markdown (charts as PNG files
 * beside it) and one self-contained HTML page (charts as inline SVG, no scripts, no network).
 */
export type Block =
  | { kind: 'text'; text: string }
  | { kind: 'table'; head: string[]; rows: string[][]; align?: ('l' | 'r')[] }
  | { kind: 'chart'; name: string; title: string; spec: ChartSpec; alt?: string }
  | { kind: 'code'; lang: string; text: string };

export interface Section {
  title: string;
  blocks: Block[];
}

export interface ReportDoc {
  title: string;
  sections: Section[];
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function toMarkdown(doc: ReportDoc, chartFile: (name: string) => string): string {
  const out = [`# ${doc.title}`, ''];
  for (const s of doc.sections) {
    out.push(`## ${s.title}`, '');
    for (const b of s.blocks) {
      if (b.kind === 'text') out.push(b.text);
      else if (b.kind === 'code') out.push(`\`\`\`${b.lang}`, b.text, '```');
      else if (b.kind === 'chart')
        out.push(`![${mdCell(b.alt ?? b.title)}](${chartFile(b.name)})`, '', `*${b.title}*`);
      else {
        const align = b.head.map((_, c) => ((b.align?.[c] ?? 'r') === 'l' ? '---' : '---:'));
        out.push(
          `| ${b.head.map(mdCell).join(' | ')} |`,
          `|${align.join('|')}|`,
          ...b.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
        );
      }
      out.push('');
    }
  }
  return out.join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The little inline Markdown the report's text uses: **bold** and `code`. */
function inline(s: string): string {
  return escapeHtml(s)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');
}

const STYLE = `body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{border:1px solid #ddd;padding:.25rem .5rem}
th{background:#f4f4f4}td.r{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f8fa;padding:.75rem;overflow:auto;font-size:.8rem}figure{margin:1rem 0}
figcaption{font-size:.85rem;color:#555}figure svg{max-width:100%;height:auto;display:block}
.table-wrap{overflow-x:auto;max-width:100%}p{overflow-wrap:anywhere}`;

export function toHtml(doc: ReportDoc, svgs: ReadonlyMap<string, string>): string {
  const body: string[] = [`<h1>${inline(doc.title)}</h1>`];
  for (const s of doc.sections) {
    body.push(`<section><h2>${inline(s.title)}</h2>`);
    for (const b of s.blocks) {
      if (b.kind === 'text') body.push(`<p>${inline(b.text)}</p>`);
      else if (b.kind === 'code') body.push(`<pre><code>${escapeHtml(b.text)}</code></pre>`);
      else if (b.kind === 'chart')
        body.push(
          `<figure id="fig-${escapeHtml(b.name)}">${labelSvg(svgs.get(b.name) ?? '', b.alt ?? b.title)}<figcaption>${inline(b.title)}</figcaption></figure>`,
        );
      else {
        const cls = (c: number) => ((b.align?.[c] ?? 'r') === 'l' ? '' : ' class="r"');
        body.push(
          '<div class="table-wrap"><table><thead><tr>',
          ...b.head.map((h) => `<th>${inline(h)}</th>`),
          '</tr></thead><tbody>',
          ...b.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${inline(c)}</td>`).join('')}</tr>`),
          '</tbody></table></div>',
        );
      }
    }
    body.push('</section>');
  }
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.title)}</title>
<style>${STYLE}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}

/** The chart's text alternative on its root element (screen readers read it instead of the marks). */
function labelSvg(svg: string, alt: string): string {
  return svg.replace(/^<svg\b/, `<svg role="img" aria-label="${escapeHtml(alt)}"`);
}

/**
 * Vega names clip paths and gradients with ids like "clip1" in every SVG; several inline in one page would
 * collide, so each chart's ids get its own prefix.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

function charts(doc: ReportDoc) {
  return doc.sections.flatMap((s) => s.blocks.filter((b) => b.kind === 'chart'));
}

export interface WrittenDoc {
  markdown: string;
  html: string;
  charts: string[];
}

/** Writes `<base>.md`, `<base>.html` and `charts/<name>.{svg,png}` into dir. */
export async function writeDoc(dir: string, base: string, doc: ReportDoc): Promise<WrittenDoc> {
  const chartDir = join(dir, 'charts');
  const list = charts(doc);
  if (new Set(list.map((c) => c.name)).size !== list.length) throw new Error('report: duplicate chart names');
  const svgs = new Map<string, string>();
  if (list.length) mkdirSync(chartDir, { recursive: true });
  else mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const c of list) {
    const svg = await renderSvg(c.spec);
    svgs.set(c.name, scopeSvgIds(svg, c.name));
    writeFileSync(join(chartDir, `${c.name}.svg`), svg);
    writeFileSync(join(chartDir, `${c.name}.png`), svgToPng(svg));
    files.push(join(chartDir, `${c.name}.png`));
  }
  const markdown = join(dir, `${base}.md`);
  const html = join(dir, `${base}.html`);
  writeFileSync(
    markdown,
    toMarkdown(doc, (name) => `charts/${name}.png`),
  );
  writeFileSync(html, toHtml(doc, svgs));
  return { markdown, html, charts: files };
}
