/**
 * Exit codes (DESIGN.md contract): 0 ok (warnings allowed), 1 findings, 2 usage or I/O error.
 * Commands return a code or throw CliError; only src/cli/main.ts turns either into the
 * process's exit code.
 */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** A usage or I/O problem: printed as `plano: <message>` with an optional hint, exit 2. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
