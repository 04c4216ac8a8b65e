import type { Argv, CommandModule } from 'yargs';
import { BACKEND_PREFS, type BackendPref } from '../env.ts';
import { requestedBackend, resolveBackend } from '../model/backend.ts';
import { addItemsOffline } from '../pipeline/add-items.ts';
import { finish } from './output.ts';

interface AddArgs {
  checkpoint: string;
  file: string;
  out?: string;
  backend?: BackendPref;
  json: boolean;
}

const addCommand: CommandModule<object, AddArgs> = {
  command: 'add',
  describe:
    "add items from a file (columns id, text[, title, kind]) into a new checkpoint version, embedded with the checkpoint's encoder",
  builder: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'checkpoint directory' })
      .option('file', { type: 'string', demandOption: true, describe: 'CSV or TSV of new items' })
      .option('out', {
        type: 'string',
        describe: 'new checkpoint directory (default <checkpoint>-items-<UTC time>)',
      })
      .option('backend', { choices: BACKEND_PREFS })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (args) => {
    await resolveBackend(requestedBackend(args.backend) ?? 'auto');
    const r = await addItemsOffline(args.checkpoint, args.file, args.out);
    finish(
      args.json,
      r,
      () =>
        `added ${r.added} of ${r.read} items (${r.quarantined} quarantined${r.quarantinePath ? `: ${r.quarantinePath}` : ''}); ` +
        `${r.items} items in the new checkpoint ${r.out}`,
    );
  },
};

export const itemsCommand: CommandModule = {
  command: 'items',
  describe: 'change a checkpoint’s catalogue without retraining',
  builder: (y: Argv) => y.command(addCommand).demandCommand(1, 'name an items command: add'),
  handler: () => {},
};
