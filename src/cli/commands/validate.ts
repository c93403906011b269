/**
 * `plano validate [files…]`: schema and semantic checks of one or more configs, every finding
 * at its line:column, in the format CI needs. Exit 0 clean (warnings allowed), 1 findings
 * (warnings too with --strict), 2 usage or I/O error.
 */
import { Option, type Command } from 'commander';
import { CliError, EXIT_FINDINGS, EXIT_OK } from '../exit.js';
import { useColor, type CliIo } from '../io.js';
import { FINDINGS_FORMATS, isFindingsFormat, loadRenderer } from '../render/formats.js';
import { totals, type CheckedFile } from '../render/report.js';
import type { Diagnostic } from '../../config/diagnostics.js';
import type { ConfigEncodingError } from '../config-file.js';
import type { CommandModule } from './index.js';
import { PLANO_VERSION } from '../version.js';

interface ValidateOptions {
  format?: string;
  strict?: boolean;
  env?: boolean;
  quiet?: boolean;
}

export const validateCommand: CommandModule = {
  register(program: Command, io: CliIo, setExitCode: (code: number) => void) {
    program
      .command('validate')
      .description('check config files against the schema and the semantic rules; findings at line:column')
      .argument('[files...]', 'config files or directories (default: plano_config.yaml, else config.yaml)')
      .addOption(new Option('-f, --format <format>', 'output format (default: pretty)').choices(FINDINGS_FORMATS))
      .option('--strict', 'warnings count as findings too (exit 1)')
      .option('--env', 'check the config against this environment: every $VAR it names must be set, and values are checked as substituted')
      .option('-q, --quiet', 'list errors only (warnings are still counted, and fail --strict)')
      .action(async (files: string[], options: ValidateOptions) => {
        setExitCode(await runValidate(files, options, io));
      });
  },
};

export async function runValidate(args: readonly string[], options: ValidateOptions, io: CliIo): Promise<number> {
  const format = options.format ?? 'pretty';
  if (!isFindingsFormat(format)) throw new CliError(`unknown format "${format}": use one of ${FINDINGS_FORMATS.join(', ')}`);
  // Loaded here, not at the top, so that other commands do not pay for the checker and renderers.
  const [{ checkConfig }, { ConfigEncodingError, findConfigFiles, readConfigText }, render] = await Promise.all([
    import('../../resolve/check.js'),
    import('../config-file.js'),
    loadRenderer(format),
  ]);

  const files = await findConfigFiles(args, io.cwd);
  const checked: CheckedFile[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readConfigText(file, io.cwd);
    } catch (error) {
      // A file that is not UTF-8 is a finding about that file: the others are still checked,
      // and --format json still prints its one object.
      if (!(error instanceof ConfigEncodingError)) throw error;
      checked.push({ file, text: '', diagnostics: [encodingFinding(file, error)] });
      continue;
    }
    checked.push({ file, text, diagnostics: checkConfig(text, file, options.env ? { env: io.env, requireEnv: true } : {}).diagnostics });
  }

  // Counted before --quiet hides the warnings: hiding them must not change the verdict.
  const counted = totals(checked, options.strict === true);
  const shown = options.quiet ? checked.map((f) => ({ ...f, diagnostics: f.diagnostics.filter((d) => d.severity === 'error') })) : checked;
  io.stdout.write(render(shown, { color: useColor(io), totals: counted, toolVersion: PLANO_VERSION }));
  return counted.valid ? EXIT_OK : EXIT_FINDINGS;
}

function encodingFinding(file: string, error: ConfigEncodingError): Diagnostic {
  return {
    file,
    severity: 'error',
    code: 'invalid-encoding',
    message: error.message.replace(`${file}:${error.line}:${error.column}: `, ''),
    path: '',
    line: error.line,
    column: error.column,
    endLine: error.line,
    endColumn: error.column + 1,
    ...(error.hint !== undefined ? { suggestion: error.hint } : {}),
  };
}
