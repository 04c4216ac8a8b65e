import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { embedCommand } from './src/cli/embed.ts';
await yargs(hideBin(process.argv)).command(embedCommand).strict().parseAsync();
