import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { persistItems, restoreItems, sidecarOf } from '../../src/serve/added-items.ts';

describe('the sidecar file of items added while serving', () => {
  it('restores this checkpoint’s items exactly, skips other checkpoints’ and reports unreadable lines', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sidecar-')), 'ck.added-items.jsonl');
    const a = { id: 'a', title: 'A', kind: 'book', count: 2.5, vector: Float32Array.of(0.6, -0.8, 0) };
    const b = { id: 'b', title: 'b', count: 0, vector: Float32Array.of(1, 0, 0) };
    persistItems(path, 'hash-1', [a]);
    persistItems(path, 'hash-2', [b]);
    appendFileSync(path, '{"manifest_hash": "hash-1", "id": "torn"\n');
    persistItems(path, 'hash-1', [b]);
    const r = restoreItems(path, 'hash-1', 3);
    expect(r.items).toEqual([a, b]);
    expect(r.otherCheckpoints).toBe(1);
    expect(r.bad).toEqual([{ line: 3, reason: 'not JSON' }]);
    expect(restoreItems(path, 'hash-1', 4).bad).toHaveLength(4);
    expect(restoreItems(join(path, 'missing'), 'hash-1', 3).items).toEqual([]);
    expect(sidecarOf('/x/checkpoints/run-1/')).toBe('/x/checkpoints/run-1.added-items.jsonl');
  });
});
