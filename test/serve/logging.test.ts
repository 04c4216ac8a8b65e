import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/serve/server.ts';
import { tinyCheckpoint } from './fixture.ts';

/** A pino-compatible stream that keeps the JSON lines written to it. */
function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines };
}

describe('request logging', () => {
  let dir: string;
  beforeAll(async () => {
    dir = (await tinyCheckpoint('tiny-logging')).run.checkpointDir;
  });

  for (const logRequests of [false, true]) {
    it(`logRequests ${logRequests}: per-request lines ${logRequests ? 'written' : 'not written'}`, async () => {
      const out = capture();
      const server = await createServer({
        checkpoint: dir,
        logger: { level: 'info', stream: out.stream },
        logRequests,
      });
      try {
        for (let i = 0; i < 3; i++) await server.app.inject({ method: 'GET', url: '/healthz' });
      } finally {
        await server.close();
      }
      const perRequest = out
        .lines()
        .filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');
      expect(perRequest).toHaveLength(logRequests ? 6 : 0);
    });
  }
});
