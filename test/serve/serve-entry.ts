/** `interest-evo serve` as its own process for cli.test.ts, independent of main.ts's command list. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { serveCommand } from '../../src/cli/serve.ts';

await yargs(hideBin(process.argv)).command(serveCommand).strict().parseAsync();
