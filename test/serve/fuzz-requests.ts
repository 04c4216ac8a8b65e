/**
 * A seeded generator of malformed (and a few well-formed) HTTP requests for the server: random
 * methods, paths, query strings, bodies and content types. Shared by the fuzz test and bench/serve.ts.
 */
import type { InjectOptions } from 'fastify';
import { mulberry32 } from '../../src/util/random.ts';

export interface FuzzCatalogue {
  users: readonly string[];
  items: readonly string[];
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const ODD_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '%',
  '%zz',
  '%00',
  '..',
  '../../etc/passwd',
  '🙂',
  '\u0000',
  'a'.repeat(300),
  '<script>',
  '{"a":1}',
  '[]',
  '0x10',
  '1.0.0',
  '  10  ',
  '1,2',
  '__proto__',
  'constructor',
];

function oddString(r: Rand): string {
  if (r() < 0.6) return pick(r, ODD_STRINGS);
  const n = int(r, 0, 40);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(int(r, 0, r() < 0.9 ? 127 : 0xffff));
  return s;
}

function oddNumber(r: Rand): number {
  return pick(r, [0, -1, 1, 5, 10, 100, 101, 1e6, -0.5, 0.5, 1.5, 2 ** 53, -(2 ** 31), 1e300, 3.14]);
}

/** Any JSON value, nested up to `depth`. */
function jsonValue(r: Rand, depth: number): unknown {
  const t = int(r, 0, depth > 0 ? 6 : 4);
  if (t === 0) return null;
  if (t === 1) return r() < 0.5;
  if (t === 2) return oddNumber(r);
  if (t === 3) return oddString(r);
  if (t === 4) return int(r, -3, 200);
  if (t === 5) return Array.from({ length: int(r, 0, 4) }, () => jsonValue(r, depth - 1));
  return Object.fromEntries(
    Array.from({ length: int(r, 0, 4) }, () => [oddString(r), jsonValue(r, depth - 1)]),
  );
}

function event(r: Rand, cat: FuzzCatalogue): unknown {
  if (r() < 0.15) return jsonValue(r, 2);
  const e: Record<string, unknown> = {};
  const kind = r();
  if (kind < 0.5) e.item = r() < 0.7 ? pick(r, cat.items) : r() < 0.5 ? oddString(r) : jsonValue(r, 1);
  else if (kind < 0.8) e.text = r() < 0.7 ? 'space adventure with robots' : jsonValue(r, 1);
  else if (kind < 0.9) {
    e.item = pick(r, cat.items);
    e.text = 'both';
  }
  const ts = r();
  e.ts =
    ts < 0.4
      ? int(r, 0, 2_000_000_000)
      : ts < 0.6
        ? '2021-03-04T05:06:07Z'
        : ts < 0.9
          ? jsonValue(r, 1)
          : undefined;
  if (r() < 0.3) e.weight = r() < 0.5 ? oddNumber(r) : jsonValue(r, 1);
  if (r() < 0.1) e[oddString(r)] = jsonValue(r, 1);
  return e;
}

function body(r: Rand, cat: FuzzCatalogue): string | undefined {
  const t = r();
  if (t < 0.1) return undefined;
  if (t < 0.2) return oddString(r);
  if (t < 0.3) return JSON.stringify(jsonValue(r, 3));
  if (t < 0.35) return '{"events": ['.repeat(int(r, 1, 50));
  if (t < 0.38) return `[${'['.repeat(int(r, 100, 3000))}`;
  const obj: Record<string, unknown> = {};
  if (r() < 0.9)
    obj.events = r() < 0.85 ? Array.from({ length: int(r, 0, 30) }, () => event(r, cat)) : jsonValue(r, 2);
  for (const key of ['k', 'diversity', 'alpha', 'beta', 'exclude_seen', 'checkpoint']) {
    if (r() < 0.2) obj[key] = r() < 0.5 ? oddNumber(r) : jsonValue(r, 1);
  }
  if (r() < 0.05) obj.padding = 'x'.repeat(int(r, 1_000, 200_000));
  const text = JSON.stringify(obj);
  return r() < 0.05 ? text.slice(0, int(r, 0, text.length)) : text;
}

/** Percent-encodes; a lone surrogate becomes the (invalid UTF-8) escape of one, which is fuzz too. */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '')).concat('%ED%A0%80');
  }
}

function query(r: Rand): string {
  const parts: string[] = [];
  const keys = ['k', 'exclude_seen', 'diversity', 'alpha', 'beta', 'K', 'k[]', oddString(r)];
  for (let i = int(r, 0, 4); i > 0; i--) {
    const key = pick(r, keys);
    const value = r() < 0.5 ? String(oddNumber(r)) : oddString(r);
    parts.push(r() < 0.7 ? `${enc(key)}=${enc(value)}` : `${key}=${value}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function userSegment(r: Rand, cat: FuzzCatalogue): string {
  const t = r();
  if (t < 0.5) return pick(r, cat.users);
  const s = oddString(r);
  return t < 0.8 ? enc(s) : s.replace(/[\s#?]/g, '');
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'garbage',
  'application/json; charset=latin1',
];

/** The n-th request of the sequence seeded by `seed` (deterministic). */
export function* fuzzRequests(seed: number, n: number, cat: FuzzCatalogue): Generator<InjectOptions> {
  const r = mulberry32(seed);
  for (let i = 0; i < n; i++) {
    const u = userSegment(r, cat);
    const path = pick(r, [
      `/v1/users/${u}/recommendations`,
      `/v1/users/${u}/events`,
      '/v1/recommendations',
      '/healthz',
      '/v1/model',
      '/admin/reload',
      `/v1/users/${u}`,
      `/${enc(oddString(r))}`,
      '/v1/users//recommendations',
      '//v1//model',
    ]);
    const method = pick(r, [
      'GET',
      'GET',
      'POST',
      'POST',
      'PUT',
      'DELETE',
      'PATCH',
      'HEAD',
      'OPTIONS',
    ] as const);
    const payload = method === 'GET' || method === 'HEAD' ? undefined : body(r, cat);
    const headers: Record<string, string> = {};
    if (payload !== undefined || r() < 0.1) {
      if (r() < 0.9) headers['content-type'] = r() < 0.6 ? 'application/json' : pick(r, CONTENT_TYPES);
    }
    yield {
      method,
      url: path + query(r),
      payload,
      headers,
      // Mostly loopback; some requests come "from elsewhere" (admin must refuse them).
      remoteAddress: r() < 0.9 ? '127.0.0.1' : '203.0.113.9',
    };
  }
}
