import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configDocs } from '../../src/config/config-docs.ts';

describe('docs/CONFIG.md', () => {
  it('is what the schema generates', () => {
    const committed = readFileSync('docs/CONFIG.md', 'utf8');
    const fresh = configDocs();
    if (committed !== fresh) expect.fail('docs/CONFIG.md is stale: run `npm run docs:config` and commit it');
  });

  it('lists each kind-specific key with the kinds that take it, and defaults', () => {
    const docs = configDocs();
    expect(docs).toContain(
      '| `forecast.order` | [integer ≥ 0, integer ≥ 0, integer ≥ 0] | `[1, 1, 1]` | (model: arima only)',
    );
    expect(docs).toContain(
      '| `forecast.fallback` | `naive` \\| `mean` \\| `ses` | `mean` | (model: arima / arima-auto only)',
    );
    expect(docs).toMatch(/\| `forecast\.horizon` \| integer ≥ 1 \| `1` \| buckets ahead \|/);
    expect(docs).toMatch(/\| `embed\.hashing\.dim` \| integer ≥ 8 \| `256` \| \(encoder: hashing only\) \|/);
    expect(docs).toMatch(/\| `run\.name` \| string \| required \|/);
  });
});
