/**
 * `plano schema`: print the config's JSON Schema (draft-07) for editors and other tools, or
 * with --path where the shipped file lives (for a `# yaml-language-server: $schema=…` line).
 */
import type { Command } from 'commander';
import { EXIT_OK } from '../exit.js';
import type { CliIo } from '../io.js';
import type { CommandModule } from './index.js';

export const schemaCommand: CommandModule = {
  register(program: Command, io: CliIo, setExitCode: (code: number) => void) {
    program
      .command('schema')
      .description('print the JSON Schema of plano_config.yaml (for editors and other tools)')
      .option('--path', 'print the path of the installed schema file instead of its contents')
      .action(async (options: { path?: boolean }) => {
        const { loadSchemaText, SCHEMA_FILE } = await import('../../config/schema-file.js');
        if (options.path) io.stdout.write(`${SCHEMA_FILE}\n`);
        else {
          const text = loadSchemaText();
          io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        }
        setExitCode(EXIT_OK);
      });
  },
};
