#!/usr/bin/env node
// npm writes a parent's platform-specific optional dependencies into package-lock.json even when the
// registry it used has no such package (the mirror here lacks e.g. @biomejs/cli-darwin-arm64); `npm ci`
// then refuses the lockfile as out of sync. This drops declarations whose package has no lockfile entry,
// so `npm ci` installs exactly what the lockfile holds. Run it after every `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const removed = [];
for (const [where, meta] of Object.entries(lock.packages)) {
  for (const name of Object.keys(meta.optionalDependencies ?? {})) {
    if (!(`node_modules/${name}` in lock.packages)) {
      delete meta.optionalDependencies[name];
      removed.push(`${name} (from ${where || 'the root'})`);
    }
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(
  removed.length
    ? `dropped ${removed.length} unavailable optional dependencies:\n  ${removed.join('\n  ')}`
    : 'lockfile already consistent',
);
