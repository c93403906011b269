/**
 * `plano expand [file]`: what a config resolves to — every model a client can name, how it
 * authenticates (the variable and whether it is set, never its value) and the exact upstream URL
 * for each client API. `--format table` (the default, on a terminal or not: people pipe it to
 * `less`), `json` (the DESIGN.md contract), `yaml` (the same data). A config with errors is
 * reported as `validate` reports it, exit 1.
 */
import { Option, type Command } from 'commander';
import type { Gateway } from '../../resolve/types.js';
import { EXIT_FINDINGS, EXIT_OK } from '../exit.js';
import { useColor, type CliIo } from '../io.js';
import type { CommandModule } from './index.js';

export const EXPAND_FORMATS = ['table', 'json', 'yaml'] as const;

interface ExpandOptions {
  format?: (typeof EXPAND_FORMATS)[number];
  wide?: boolean;
  model?: string;
  quiet?: boolean;
}

export const expandCommand: CommandModule = {
  register(program: Command, io: CliIo, setExitCode: (code: number) => void) {
    program
      .command('expand')
      .description('show the resolved models, their auth and the upstream URL for each client API')
      .argument('[file]', 'config file or directory (default: plano_config.yaml, else config.yaml)')
      .addOption(new Option('-f, --format <format>', 'output format (default: table)').choices(EXPAND_FORMATS))
      .option('-w, --wide', 'table: add the messages and responses URLs')
      .option('-m, --model <glob>', 'only models (and wildcards) whose name matches, e.g. "openai/*" or "*sonnet*"')
      .option('-q, --quiet', 'do not print warnings')
      .action(async (file: string | undefined, options: ExpandOptions) => {
        setExitCode(await runExpand(file, options, io));
      });
  },
};

export async function runExpand(arg: string | undefined, options: ExpandOptions, io: CliIo): Promise<number> {
  const loaded = await loadGateway(arg, io, { quiet: options.quiet === true, command: 'expand' });
  if (!loaded.ok) return EXIT_FINDINGS;
  const gateway = options.model !== undefined ? filterGateway(loaded.gateway, options.model) : loaded.gateway;

  const format = options.format ?? 'table';
  if (format === 'table') {
    const { renderModelTable } = await import('../render/model-table.js');
    if (gateway.models.length === 0 && gateway.wildcards.length === 0) {
      io.stdout.write(options.model !== undefined ? `No model matches "${options.model}".\n` : 'No models configured.\n');
    } else {
      io.stdout.write(renderModelTable(gateway, { wide: options.wide === true, color: useColor(io) }));
    }
    return EXIT_OK;
  }
  const { gatewayJson } = await import('../../resolve/gateway-json.js');
  const data = gatewayJson(gateway, loaded.file);
  if (format === 'json') {
    io.stdout.write(JSON.stringify(data, null, 2) + '\n');
  } else {
    const { stringify } = await import('yaml');
    io.stdout.write(stringify(data, { lineWidth: 0 }));
  }
  return EXIT_OK;
}

export type LoadedGateway = { ok: true; file: string; gateway: Gateway } | { ok: false };

/**
 * Find, read and check a config, then resolve it against the process environment. Findings that
 * are errors are printed as `validate` prints them (to stderr) and resolution does not happen;
 * warnings are printed too unless `quiet`. Shared by `expand` and `models list`.
 */
export async function loadGateway(arg: string | undefined, io: CliIo, options: { quiet: boolean; command: string }): Promise<LoadedGateway> {
  const [{ readConfigOrEnvironment }, { checkConfig }, { resolveGateway }] = await Promise.all([
    import('../config-file.js'),
    import('../../resolve/check.js'),
    import('../../resolve/resolve.js'),
  ]);
  // No file named and none here: the config `plano up` would synthesise from the environment.
  const { file, text } = await readConfigOrEnvironment(arg, io, options.command);
  const result = checkConfig(text, file, { env: io.env });
  // A file that is not a usable mapping has findings saying so; it cannot be resolved either way.
  const stop = result.config === undefined || result.diagnostics.some((d) => d.severity === 'error');
  if (stop || (!options.quiet && result.diagnostics.length > 0)) {
    // The renderers (and chalk) load only when there is something to print.
    const { checkedFile, printFindings } = await import('../render/findings.js');
    printFindings(io, [checkedFile(result)]);
  }
  if (stop || result.config === undefined) return { ok: false };
  return { ok: true, file, gateway: resolveGateway(result.config, { env: io.env }) };
}

/** The models and wildcards a `--model` glob picks: by name, canonical name or short name; wildcards by pattern. */
export function filterGateway(gateway: Gateway, glob: string): Gateway {
  const matches = globMatcher(glob);
  return {
    ...gateway,
    models: gateway.models.filter((m) => matches(m.name) || matches(m.canonical) || (m.shortName !== null && matches(m.shortName))),
    wildcards: gateway.wildcards.filter((w) => matches(w.pattern)),
  };
}

/** `*` any run of characters (`/` included: model ids contain it), `?` one character; case-insensitive. */
export function globMatcher(glob: string): (name: string) => boolean {
  const source = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/, '\\$&'))).join('');
  const pattern = new RegExp(`^${source}$`, 'i');
  return (name) => pattern.test(name);
}
