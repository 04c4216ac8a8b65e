/**
 * Item kinds (film, book, music, …) of a catalogue, for `kind=` requests: a kind restricts the candidates to
 * its items, which is the same as excluding every item of another kind.
 */

/** A kind the catalogue does not have, or a kind asked of a catalogue without kinds; answered with HTTP 400. */
export class KindError extends Error {
  override name = 'KindError';
  readonly status = 400;
}

export class ItemKinds {
  /** Distinct kinds, sorted. */
  readonly names: string[];
  private readonly others = new Map<string, Int32Array>();

  /** `kinds`: each item's kind (a checkpoint's items.json `kinds`), or undefined when the data has none. */
  constructor(private readonly kinds: readonly string[] | undefined) {
    this.names = kinds ? [...new Set(kinds)].filter((k) => k !== '').sort() : [];
  }

  /** Checks a requested kind, with one line naming what is wrong. */
  check(kind: string): void {
    if (!this.kinds)
      throw new KindError(`kind: this catalogue's items have no kind (config data.items.kind)`);
    if (!this.names.includes(kind))
      throw new KindError(`kind: unknown kind ${JSON.stringify(kind)} (kinds: ${this.names.join(', ')})`);
  }

  /** Item indices of every other kind (what `kind` excludes), computed once per kind. */
  excludedBy(kind: string): Int32Array {
    this.check(kind);
    let out = this.others.get(kind);
    if (!out) {
      const kinds = this.kinds as readonly string[];
      out = Int32Array.from(kinds.flatMap((k, i) => (k === kind ? [] : [i])));
      this.others.set(kind, out);
    }
    return out;
  }
}

/** Both exclusion lists (either may be absent) as one iterable, without copying them. */
export function* bothExcluded(
  a: Iterable<number> | undefined,
  b: Iterable<number> | undefined,
): Generator<number> {
  if (a) yield* a;
  if (b) yield* b;
}
