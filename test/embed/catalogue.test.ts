import { describe, expect, it } from 'vitest';
import { ConfigSchema, embedWith } from '../../src/config/schema.ts';
import { embedCatalogue } from '../../src/embed/catalogue.ts';

describe('embedCatalogue', () => {
  it('embeds item texts with the configured encoder into unit rows', async () => {
    const cfg = embedWith(ConfigSchema.shape.embed.parse(undefined), {
      encoder: 'hashing',
      cache: null,
      hashing: { dim: 32 },
    });
    const texts = ['Toy Story. Genres: Comedy', 'Heat. Genres: Crime', 'Toy Story. Genres: Comedy'];
    const r = await embedCatalogue(texts, cfg);
    expect(r.dim).toBe(32);
    expect(r.encoder.dim).toBe(32);
    expect(r.vectors).toHaveLength(3 * 32);
    expect(r.hits).toBe(0);
    for (let i = 0; i < 3; i++) {
      const row = r.vectors.subarray(i * 32, (i + 1) * 32);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
    expect(Array.from(r.vectors.subarray(64))).toEqual(Array.from(r.vectors.subarray(0, 32)));
  });
});
