/**
 * Items added to a running server (POST /v1/items), persisted to a sidecar file beside the checkpoint so a
 * restart or reload of the same checkpoint keeps them. One JSON line per item with the manifest hash it was
 * added to and its vector, so restoring needs no encoder and gives the very same vectors. The checkpoint
 * itself is never written (it stays what its manifest verifies); `items add` makes a new version offline.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NewItem } from '../checkpoint/add-items.ts';
import { bufferToFloat32, float32ToBuffer } from '../util/fs.ts';

interface Line {
  manifest_hash: string;
  id: string;
  title: string;
  kind?: string;
  count: number;
  vector: string;
}

/** The default sidecar of a checkpoint directory: a sibling file, outside the verified checkpoint. */
export const sidecarOf = (checkpointDir: string) => `${resolve(checkpointDir)}.added-items.jsonl`;

export interface Restored {
  items: NewItem[];
  /** Lines that could not be read (a torn last write, a hand edit), each with its reason. */
  bad: { line: number; reason: string }[];
  /** Lines for another checkpoint (a sidecar outlives a reload to a different model). */
  otherCheckpoints: number;
}

function parseLine(text: string, dim: number): Line | string {
  let v: Partial<Line>;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof v.manifest_hash !== 'string' || typeof v.id !== 'string' || typeof v.title !== 'string')
    return 'needs manifest_hash, id and title strings';
  if (v.kind !== undefined && typeof v.kind !== 'string') return 'kind must be a string';
  if (typeof v.count !== 'number' || !(v.count >= 0)) return 'count must be a number ≥ 0';
  if (typeof v.vector !== 'string' || Buffer.from(v.vector, 'base64').byteLength !== dim * 4)
    return `vector must be ${dim} base64 float32 values`;
  return v as Line;
}

/** The items of `path` added to the checkpoint with `manifestHash`, in the order they were added. */
export function restoreItems(path: string, manifestHash: string, dim: number): Restored {
  const out: Restored = { items: [], bad: [], otherCheckpoints: 0 };
  if (!existsSync(path)) return out;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      const v = parseLine(text, dim);
      if (typeof v === 'string') out.bad.push({ line: i + 1, reason: v });
      else if (v.manifest_hash !== manifestHash) out.otherCheckpoints++;
      else
        out.items.push({
          id: v.id,
          title: v.title,
          ...(v.kind !== undefined && { kind: v.kind }),
          count: v.count,
          vector: bufferToFloat32(Buffer.from(v.vector, 'base64')),
        });
    });
  return out;
}

/** Appends items durably (fsync) before the server answers that they were added. */
export function persistItems(path: string, manifestHash: string, items: readonly NewItem[]): void {
  const lines = items.map((it) =>
    JSON.stringify({
      manifest_hash: manifestHash,
      id: it.id,
      title: it.title,
      ...(it.kind !== undefined && { kind: it.kind }),
      count: it.count,
      vector: float32ToBuffer(it.vector).toString('base64'),
    } satisfies Line),
  );
  appendFileSync(path, `${lines.join('\n')}\n`);
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
