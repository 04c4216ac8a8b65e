import { readFileSync } from 'node:fs';
import { createHashingEmbedder } from '/work/main/src/embed/hashing.ts';
import { sphericalKMeans } from '/work/main/src/topics/kmeans.ts';

const rows = readFileSync(process.argv[2] + '/movies.csv', 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(','));
const texts = rows.map((r) => `${r[1]}. Genres: ${r[2]}`);
const genres = rows.map((r) => r[2]);
const k = Number(process.argv[3]);
const emb = createHashingEmbedder({ dim: 256, ngrams: 2, seed: 42 });
const v = await emb.embed(texts);
for (const seed of [42]) {
  const km = sphericalKMeans(v, 256, k, seed, 50);
  // purity: for each cluster, the largest genre count
  const by = new Map<number, Map<string, number>>();
  km.assign.forEach((c: number, i: number) => {
    const m = by.get(c) ?? new Map();
    m.set(genres[i], (m.get(genres[i]) ?? 0) + 1);
    by.set(c, m);
  });
  let pure = 0;
  for (const m of by.values()) pure += Math.max(...m.values());
  let obj = 0;
  for (let i = 0; i < genres.length; i++) {
    let s = 0;
    for (let d = 0; d < 256; d++) s += v[i * 256 + d] * km.centroids[km.assign[i] * 256 + d];
    obj += s;
  }
  console.log(
    seed,
    'purity',
    (pure / genres.length).toFixed(3),
    'objective',
    obj.toFixed(1),
    'iters',
    km.iterations,
  );
}
