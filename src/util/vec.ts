/** Row-major matrix helpers over Float32Array (n rows × dim). */

export function dot(a: Float32Array, ai: number, b: Float32Array, bi: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += a[ai + d] * b[bi + d];
  return s;
}

/** L2-normalises every row in place; zero rows stay zero. */
export function normalizeRows(m: Float32Array, dim: number): Float32Array {
  for (let o = 0; o < m.length; o += dim) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += m[o + d] * m[o + d];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let d = 0; d < dim; d++) m[o + d] *= inv;
    }
  }
  return m;
}

/**
 * A matrix's nonzero coordinates per row, in order (CSR). A dot product over them is the dense one bit for
 * bit (a zero term adds nothing to the sum), and hashing-encoder vectors are ~3 % nonzero.
 */
export interface SparseRows {
  offsets: Int32Array;
  dims: Int32Array;
  values: Float32Array;
}

export function sparseRows(m: Float32Array, dim: number): SparseRows {
  const n = m.length / dim;
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let d = 0; d < dim; d++) if (m[i * dim + d] !== 0) c++;
    offsets[i + 1] = offsets[i] + c;
  }
  const dims = new Int32Array(offsets[n]);
  const values = new Float32Array(offsets[n]);
  let p = 0;
  for (let j = 0; j < m.length; j++)
    if (m[j] !== 0) {
      dims[p] = j % dim;
      values[p++] = m[j];
    }
  return { offsets, dims, values };
}

/** ⟨row i of s, q[qi …]⟩, summed in coordinate order: the dense dot product bit for bit. */
export function sparseDot(s: SparseRows, i: number, q: ArrayLike<number>, qi = 0): number {
  let sum = 0;
  for (let p = s.offsets[i]; p < s.offsets[i + 1]; p++) sum += s.values[p] * q[qi + s.dims[p]];
  return sum;
}

/** Rows `ids` of a row-major matrix, stacked. */
export function gatherRows(m: Float32Array, dim: number, ids: ArrayLike<number>): Float32Array {
  const out = new Float32Array(ids.length * dim);
  for (let r = 0; r < ids.length; r++) out.set(m.subarray(ids[r] * dim, (ids[r] + 1) * dim), r * dim);
  return out;
}

/** In-place softmax of x / temperature. */
export function softmaxInPlace(x: Float32Array | number[], temperature = 1): void {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of x) max = Math.max(max, v / temperature);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    x[i] = Math.exp(x[i] / temperature - max);
    sum += x[i];
  }
  for (let i = 0; i < x.length; i++) x[i] /= sum;
}

/** log1p of the integers 0 … length − 1, grown on demand (counts repeat: a row of 20k needs few logs). */
let log1pTable = new Float64Array(0);

/**
 * out[i] = log(1 + counts[i]), each the value Math.log1p gives: integer counts read a shared table (the
 * same double, stored the same way), any other value is computed.
 */
export function log1pCounts(counts: Float32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c >= 0 && c < log1pTable.length && Number.isInteger(c)) out[i] = log1pTable[c];
    else if (c >= 0 && c < 2 ** 24 && Number.isInteger(c)) {
      growLog1p(c + 1);
      out[i] = log1pTable[c];
    } else out[i] = Math.log1p(c);
  }
  return out;
}

function growLog1p(length: number): void {
  const next = new Float64Array(Math.max(length, 2 * log1pTable.length, 1024));
  for (let c = 0; c < next.length; c++) next[c] = Math.log1p(c);
  log1pTable = next;
}
