import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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

export function loadConfig(path: string): LoadedConfig {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new ConfigError(`config ${path} is not valid YAML: ${(e as Error).message}`);
  }
  return { config: parseConfig(raw, path), path: abs, baseDir: dirname(abs) };
}
