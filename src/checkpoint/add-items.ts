/**
 * New items without retraining: an item given by its text joins the catalogue with its text vector (from
 * the checkpoint's encoder) and no learned residual (its scoring vector is the text vector). Its topic
 * membership follows from the checkpoint's centroids like every item's (topicsOf), so the topic expert can
 * rank it at once; the LSTM expert scores it by ⟨l̂, e_i⟩ as any item. Its count starts at the median count
 * of the catalogue's items of its dominant topic (and kind): with a count of 0 the popularity-weighted topic
 * mixture would rank it below every item anyone has touched, and nothing counts events while serving.
 */

import type { ItemKinds } from '../recommend/kinds.ts';
import { dominantTopic, softAssign } from '../topics/kmeans.ts';
import type { CheckpointContent } from './export.ts';

/** A new item as given: id, text, optional title (default: the id) and kind. */
export interface NewItemInput {
  id: string;
  text: string;
  title?: string;
  kind?: string;
}

export interface NewItem {
  id: string;
  title: string;
  kind?: string;
  /** Unit text vector from the checkpoint's encoder. */
  vector: Float32Array;
  /** Its count in the popularity terms (startingCount). */
  count: number;
}

/** What a new item changes in a checkpoint (and what places it in the stored topic shares). */
type Catalogue = Pick<
  CheckpointContent,
  'items' | 'itemVectors' | 'scoringVectors' | 'popularity' | 'itemShares' | 'centroids'
> & { manifest: { topics: { temperature: number } } };

/** The topic model a new item is placed with: the checkpoint's centroids and its items' dominant topics. */
export interface Placement {
  centroids: Float32Array;
  dim: number;
  temperature: number;
  /** Dominant topic of each catalogue item. */
  itemTopic: Int32Array;
}

/**
 * The median count of the catalogue's items in the new item's dominant topic (of its kind, when it has
 * one); 0 when that topic has no such items.
 */
export function startingCount(
  cat: Pick<Catalogue, 'items' | 'popularity'>,
  place: Placement,
  vector: Float32Array,
  kind?: string,
): number {
  const k = place.centroids.length / place.dim;
  const topic = dominantTopic(softAssign(vector, place.dim, place.centroids, place.temperature), k, 0);
  const counts: number[] = [];
  place.itemTopic.forEach((t, i) => {
    if (t === topic && (kind === undefined || cat.items.kinds?.[i] === kind)) counts.push(cat.popularity[i]);
  });
  if (counts.length === 0) return 0;
  counts.sort((a, b) => a - b);
  const mid = counts.length >> 1;
  return counts.length % 2 ? counts[mid] : (counts[mid - 1] + counts[mid]) / 2;
}

/**
 * Why `item` cannot join a catalogue with these ids and kinds, in one line, or null. A catalogue with kinds
 * needs one of its kinds (a new kind would have no training behind it); one without takes no kind.
 */
export function newItemProblem(
  item: { id?: unknown; text?: unknown; kind?: unknown },
  hasId: (id: string) => boolean,
  kinds: ItemKinds,
  hasKinds: boolean,
): string | null {
  if (typeof item.id !== 'string' || item.id.trim() === '') return 'id: expected a non-empty string';
  if (typeof item.text !== 'string' || item.text.trim() === '') return 'text: expected a non-empty string';
  if (hasId(item.id)) return `id: item ${JSON.stringify(item.id)} is already in the catalogue`;
  if (item.kind === undefined || item.kind === null || item.kind === '')
    return hasKinds ? `kind: required, one of ${kinds.names.join(', ')}` : null;
  if (typeof item.kind !== 'string') return 'kind: expected a string';
  if (!hasKinds) return "kind: this catalogue's items have no kind (config data.items.kind)";
  return kinds.names.includes(item.kind)
    ? null
    : `kind: unknown kind ${JSON.stringify(item.kind)} (kinds: ${kinds.names.join(', ')})`;
}

function append(a: Float32Array, rows: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(a.length + rows.reduce((s, r) => s + r.length, 0));
  out.set(a);
  let o = a.length;
  for (const r of rows) {
    out.set(r, o);
    o += r.length;
  }
  return out;
}

/** The catalogue with `added` appended after its items (existing rows keep their indices). */
export function withItems<C extends Catalogue>(ck: C, added: readonly NewItem[]): C {
  const vectors = added.map((a) => a.vector);
  const { items } = ck;
  return {
    ...ck,
    items: {
      ids: [...items.ids, ...added.map((a) => a.id)],
      titles: [...items.titles, ...added.map((a) => a.title)],
      ...(items.kinds && { kinds: [...items.kinds, ...added.map((a) => a.kind ?? '')] }),
    },
    itemVectors: append(ck.itemVectors, vectors),
    // No residual for an item the model never trained on: it is scored by its text vector.
    scoringVectors: ck.scoringVectors && append(ck.scoringVectors, vectors),
    popularity: append(ck.popularity, [Float32Array.from(added, (a) => a.count)]),
    // Stored shares (topics from categories) get the new item's placement by its vector, as topicsOf
    // gives every item of a k-means checkpoint.
    itemShares:
      ck.itemShares &&
      append(
        ck.itemShares,
        vectors.map((v) => softAssign(v, v.length, ck.centroids, ck.manifest.topics.temperature)),
      ),
  };
}
