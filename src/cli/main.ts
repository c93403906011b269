/**
 * The entry point: builds the commander program, runs it, and maps what commands return or
 * throw to an exit code. The only place that decides the process's exit status.
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { CliError, EXIT_OK, EXIT_USAGE } from './exit.js';
import { processIo, type CliIo } from './io.js';
import { PLANO_VERSION } from './version.js';

export function createProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('plano')
    .description('Validate, expand and serve Plano LLM gateway configs (plano_config.yaml).')
    .version(PLANO_VERSION, '-V, --version')
    .showHelpAfterError('(run `plano --help` for usage)')
    // Options belong to the command they follow: what comes after `plano agent <agent>` is the agent's.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    });
  for (const command of COMMANDS) command.register(program, io, setExitCode);
  return program;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = EXIT_OK;
  const program = createProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit through here with code 0; usage mistakes with 1, which is ours for findings.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof CliError) {
      io.stderr.write(`plano: ${error.message}\n${error.hint ? `  ${error.hint}\n` : ''}`);
      return error.exitCode;
    }
    // Not the user's mistake: say so, and keep the stack behind PLANO_DEBUG.
    const detail = error instanceof Error ? (io.env.PLANO_DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
    io.stderr.write(`plano: internal error: ${detail}\n` +
      '  This is a bug in plano; please report it with the command and config that caused it (PLANO_DEBUG=1 shows the stack).\n');
    return EXIT_USAGE;
  }
}
