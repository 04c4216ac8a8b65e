import { hideBin } from 'yargs/helpers';
import { exitWithError } from './errors.ts';

const argv = hideBin(process.argv);
try {
  // Imported here rather than at the top so that a failure while loading (a bad INTEREST_EVO_* value)
  // is reported like any other error.
  const { runCli } = await import('./program.ts');
  await runCli(argv);
} catch (e) {
  const fromEnv = await import('../env.ts').then(
    (m) => m.env.debug,
    () => false,
  );
  exitWithError(e, argv.includes('--debug') || fromEnv);
}
