/** Cosine similarity of rows `i` and `j` of a row-major matrix (0 when either row is zero). */
export function cosineRows(m: Float32Array, dim: number, i: number, j: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const a = i * dim;
  const b = j * dim;
  for (let k = 0; k < dim; k++) {
    dot += m[a + k] * m[b + k];
    na += m[a + k] * m[a + k];
    nb += m[b + k] * m[b + k];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Pairwise cosine similarities of the `m.length / dim` rows, as an n × n nested array. */
export function cosineMatrix(m: Float32Array, dim: number): number[][] {
  if (!Number.isInteger(dim) || dim < 1 || m.length % dim !== 0) {
    throw new Error(`cosineMatrix: ${m.length} floats is not a whole number of rows of dim ${dim}`);
  }
  const n = m.length / dim;
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => cosineRows(m, dim, i, j)));
}
