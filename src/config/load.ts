import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { type Config, ConfigSchema } from './schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Formats zod issues as "key.path: message" lines so the user sees which key is wrong. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const path = i.path.length ? i.path.join('.') : '(root)';
      const keys = i.code === 'unrecognized_keys' ? ` (${i.keys.join(', ')})` : '';
      return `  ${path}: ${i.message}${keys}`;
    })
    .join('\n');
}

export function parseConfig(raw: unknown, source = 'config'): Config {
  const r = ConfigSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(`invalid ${source}:\n${formatIssues(r.error.issues)}`);
  return r.data;
}

export interface LoadedConfig {
  config: Config;
  path: string;
  /** Directory that relative data paths in the config are resolved against. */
  baseDir: string;
}

/** Mappings merge key by key (`over` wins); a list or scalar in `over` replaces the base's. */
function mergeRaw(base: unknown, over: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(base) || !isMap(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeRaw(base[k], v);
  return out;
}

/**
 * The YAML at `abs` with its `extends:` chain applied: `extends: base.yaml` names a config in the same
 * directory (so relative data paths mean the same in both) whose keys this file overrides.
 */
function readRaw(abs: string, shown: string, seen: readonly string[]): unknown {
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config ${shown}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new ConfigError(`config ${shown} is not valid YAML: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || !('extends' in raw)) return raw;
  const { extends: parent, ...own } = raw as Record<string, unknown>;
  if (typeof parent !== 'string' || basename(parent) !== parent) {
    throw new ConfigError(
      `config ${shown}: extends must name a config file in the same directory, got ${JSON.stringify(parent)}`,
    );
  }
  const parentAbs = join(dirname(abs), parent);
  if (seen.includes(parentAbs)) {
    throw new ConfigError(`config ${shown}: extends loops back to ${parent}`);
  }
  return mergeRaw(readRaw(parentAbs, parent, [...seen, abs]), own);
}

export function loadConfig(path: string): LoadedConfig {
  const abs = resolve(path);
  return { config: parseConfig(readRaw(abs, path, [abs]), path), path: abs, baseDir: dirname(abs) };
}
