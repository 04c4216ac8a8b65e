import type { CommandModule } from 'yargs';
import { BACKEND_PREFS, type BackendPref } from '../env.ts';
import { describeBackend, requestedBackend, resolveBackend } from '../model/backend.ts';
import { createServer, isLoopback } from '../serve/server.ts';
import { openSharedState } from '../serve/shared-state.ts';
import { finish } from './output.ts';

interface Args {
  checkpoint: string;
  host: string;
  port: number;
  'body-limit': number;
  'cache-entries': number;
  'log-requests': boolean;
  'max-added-items': number;
  'items-file'?: string;
  backend?: BackendPref;
  redis?: string;
  json: boolean;
}

export const serveCommand: CommandModule<object, Args> = {
  command: 'serve',
  describe: 'serve recommendations over HTTP from a checkpoint (SIGHUP reloads it, SIGTERM stops)',
  builder: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'checkpoint directory' })
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'address to listen on (loopback by default)',
      })
      .option('port', { type: 'number', default: 8080, describe: '0 = any free port' })
      .option('body-limit', { type: 'number', default: 1 << 20, describe: 'largest request body, bytes' })
      .option('log-requests', {
        type: 'boolean',
        default: false,
        describe: 'log every request and response to stderr (costs latency under load)',
      })
      .option('cache-entries', {
        type: 'number',
        default: 10_000,
        describe: 'stored users’ answers kept in the result cache (0 = none)',
      })
      .option('max-added-items', {
        type: 'number',
        default: 10_000,
        describe: 'items POST /v1/items may add to the loaded checkpoint',
      })
      .option('items-file', {
        type: 'string',
        describe: 'where added items persist (default <checkpoint>.added-items.jsonl)',
      })
      .option('backend', {
        choices: BACKEND_PREFS,
        describe: 'tfjs backend (default: INTEREST_EVO_BACKEND, else auto)',
      })
      .option('redis', {
        type: 'string',
        describe: 'share appended events and model swaps with other replicas through this Redis',
      })
      .option('json', { type: 'boolean', default: false })
      .check((a) => {
        if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65_535)
          throw new Error('--port must be an integer from 0 to 65535');
        if (!Number.isInteger(a['cache-entries']) || a['cache-entries'] < 0)
          throw new Error('--cache-entries must be an integer ≥ 0');
        if (!Number.isInteger(a['max-added-items']) || a['max-added-items'] < 0)
          throw new Error('--max-added-items must be an integer ≥ 0');
        if (!Number.isInteger(a['body-limit']) || a['body-limit'] < 1024)
          throw new Error('--body-limit must be an integer ≥ 1024');
        return true;
      }) as never,
  handler: async (args) => {
    const backend = await resolveBackend(requestedBackend(args.backend) ?? 'auto');
    console.error(describeBackend(backend));
    const server = await createServer({
      checkpoint: args.checkpoint,
      bodyLimit: args['body-limit'],
      cacheEntries: args['cache-entries'],
      // Logs go to stderr so stdout carries only the start-up summary (one JSON line with --json).
      logger: { level: 'info', stream: process.stderr },
      logRequests: args['log-requests'],
      maxAddedItems: args['max-added-items'],
      itemsFile: args['items-file'],
      shared: args.redis ? await openSharedState(args.redis) : undefined,
    });
    const url = await server.app.listen({ host: args.host, port: args.port });
    if (!isLoopback(args.host) && args.host !== 'localhost') {
      console.error(
        `serve: listening on ${args.host}, reachable beyond this machine; /admin/* still answers loopback only`,
      );
    }
    const { ck } = server.slot.current;
    finish(
      args.json,
      { url, model: ck.manifest.run_id, manifest_hash: ck.manifestHash, backend: backend.name },
      () =>
        `serving ${ck.manifest.run_id} (${ck.users.length} users, ${ck.items.ids.length} items) at ${url}`,
    );
    process.on('SIGHUP', () => {
      server.reload().then(
        (r) => server.app.log.info({ manifest_hash: r.current, previous: r.previous }, 'checkpoint reloaded'),
        (e: Error) => server.app.log.error(`reload refused, still serving the old checkpoint: ${e.message}`),
      );
    });
    const stop = (signal: string) => {
      server.app.log.info(`${signal}: closing (in-flight requests finish first)`);
      server.close().then(
        () => process.exit(0),
        (e: Error) => {
          console.error(`serve: ${e.message}`);
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  },
};
