/** Every command ends with this: `--json` prints one machine-readable line as the last stdout line. */
export function finish(json: boolean, summary: unknown, human: () => string): void {
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`${human()}\n`);
}
