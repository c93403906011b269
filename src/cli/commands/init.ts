/**
 * `plano init`: writes plano_config.yaml in the current folder from a template — chosen by
 * `--template`, by `--from-env` (the providers whose key variables are set, as `plano up` would
 * serve with no config), or on a terminal by a prompt. Never overwrites a file without `--force`,
 * never writes a key's value (keys are `$VARIABLE` references). Without a terminal and without a
 * template it asks nothing, writes nothing, and says how to choose.
 */
import { Option, type Command } from 'commander';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMPLATES, findTemplate, type Template } from '../../config/templates.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from '../exit.js';
import type { CliIo } from '../io.js';
import type { CommandModule } from './index.js';

interface InitOptions {
  template?: string;
  fromEnv?: boolean;
  force?: boolean;
}

const FILE = 'plano_config.yaml';

export const initCommand: CommandModule = {
  register(program: Command, io: CliIo, setExitCode: (code: number) => void) {
    program
      .command('init')
      .description(`write ${FILE} here from a template (on a terminal, asks which)`)
      .addOption(new Option('-t, --template <name>', 'the template').choices(TEMPLATES.map((t) => t.name)))
      .option('--from-env', 'the providers whose key variables are set (what `plano up` serves with no config)')
      .option('-f, --force', `overwrite an existing ${FILE}`)
      .addHelpText('after', `\nTemplates:\n${TEMPLATES.map((t) => `  ${t.name.padEnd(14)} ${t.summary}`).join('\n')}\n`)
      .action(async (options: InitOptions) => {
        setExitCode(await runInit(options, io));
      });
  },
};

export async function runInit(options: InitOptions, io: CliIo): Promise<number> {
  const path = join(io.cwd, FILE);
  const exists = (await stat(path).catch(() => undefined)) !== undefined;
  if (exists && !options.force) {
    throw new CliError(`${FILE} already exists here: left as it is`, `Pass --force to overwrite it, or run plano init in another folder.`, EXIT_FINDINGS);
  }
  const template = options.fromEnv ? findTemplate('env')! : options.template ? findTemplate(options.template)! : await askTemplate(io);
  if (!template) {
    throw new CliError(
      'no template chosen, and no terminal to ask on: nothing written',
      `Pass --template ${TEMPLATES.map((t) => t.name).join('|')} (or --from-env); \`plano init --help\` describes them.`,
      EXIT_USAGE,
    );
  }
  const { findOllama } = await import('../ollama-probe.js');
  const ollama = template.name === 'env' ? await findOllama(io.env) : undefined;
  const text = template.text(io.env, ollama ? { ollama } : {});
  await writeFile(path, text, { flag: options.force ? 'w' : 'wx' }).catch((error: NodeJS.ErrnoException) => {
    // Created between the check and the write: still never overwritten without --force.
    if (error.code === 'EEXIST') throw new CliError(`${FILE} already exists here: left as it is`, 'Pass --force to overwrite it.', EXIT_FINDINGS);
    throw new CliError(`cannot write ${FILE}: ${error.message}`);
  });
  const unset = [...new Set([...text.matchAll(/^\s*access_key: \$([A-Z0-9_]+)/gm)].map((m) => m[1]!))].filter((name) => !io.env[name]);
  io.stdout.write(
    `${exists ? 'Overwrote' : 'Wrote'} ${FILE} (template: ${template.name}).\n` +
      (unset.length > 0 ? `Set ${unset.join(', ')} before \`plano up\` (requests to those models get a 401 naming the variable until then).\n` : '') +
      'Next: `plano validate` checks it, `plano expand` shows every upstream URL, `plano up` serves it.\n',
  );
  return EXIT_OK;
}

/** On a terminal: which template. Undefined without one (stdin or stdout not a TTY). */
async function askTemplate(io: CliIo): Promise<Template | undefined> {
  const stdin = io.stdin as { isTTY?: boolean };
  if (stdin.isTTY !== true || io.stdout.isTTY !== true) return undefined;
  const { default: select } = await import('@inquirer/select');
  try {
    const name = await select({
      message: `Which ${FILE} should plano write?`,
      choices: TEMPLATES.map((t) => ({ name: t.name, value: t.name, description: t.summary })),
    });
    return findTemplate(name);
  } catch (error) {
    // Ctrl+C at the prompt: nothing written.
    if ((error as Error).name === 'ExitPromptError') throw new CliError('cancelled: nothing written', undefined, EXIT_USAGE);
    throw error;
  }
}
