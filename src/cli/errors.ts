/**
 * What the CLI prints when a command fails: one line `interest-evo: <message>` on stderr, the stack only
 * when asked (`--debug` or INTEREST_EVO_DEBUG=1), so a user sees what is wrong, not where in our code.
 */

/** A bad invocation caught by the argument parser (unknown option, failed check): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Built-in types our own `throw`s never use: they point at a bug, so the line names the type. */
const BUG_TYPES = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError']);

export interface ErrorReport {
  /** What goes to stderr, ending in a newline. */
  text: string;
  /** 2 for a usage error, 1 for anything else. */
  code: number;
}

export function errorReport(e: unknown, debug: boolean): ErrorReport {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = err instanceof UsageError ? 2 : 1;
  if (debug) return { text: `interest-evo: ${err.stack ?? err.message}\n`, code };
  if (BUG_TYPES.has(err.name))
    return { text: `interest-evo: ${err.name}: ${err.message} (--debug prints the stack)\n`, code };
  return { text: `interest-evo: ${err.message}${code === 2 ? ' (see --help)' : ''}\n`, code };
}

export function exitWithError(e: unknown, debug: boolean): never {
  const r = errorReport(e, debug);
  process.stderr.write(r.text);
  process.exit(r.code);
}
