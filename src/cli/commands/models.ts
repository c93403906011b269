/**
 * `plano models list [file]`: the models a client can ask for — what `GET /v1/models` returns
 * (`--format json` prints exactly that body). The table adds the other names each model answers
 * to (its short id, configured name, aliases) and marks the default.
 * `plano models list --catalog [provider]`: what the model catalogue knows, for writing configs.
 */
import { Option, type Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import type { Gateway } from '../../resolve/types.js';
import { CliError, EXIT_FINDINGS, EXIT_OK } from '../exit.js';
import { useColor, type CliIo } from '../io.js';
import type { CommandModule } from './index.js';

export const MODELS_FORMATS = ['table', 'json'] as const;

interface ModelsListOptions {
  format?: (typeof MODELS_FORMATS)[number];
  catalog?: string | true;
  quiet?: boolean;
}

export const modelsCommand: CommandModule = {
  register(program: Command, io: CliIo, setExitCode: (code: number) => void) {
    const models = program.command('models').description('the models a client can ask for');
    models
      .command('list')
      .description('list the models a client can ask for (what GET /v1/models returns), or the catalogue')
      .argument('[file]', 'config file or directory (default: plano_config.yaml, else config.yaml)')
      .addOption(new Option('-f, --format <format>', 'output format (default: table)').choices(MODELS_FORMATS))
      .option('--catalog [provider]', 'list the model catalogue (that provider/* wildcards expand to) instead of a config')
      .option('-q, --quiet', 'do not print warnings')
      .action(async (file: string | undefined, options: ModelsListOptions) => {
        setExitCode(options.catalog !== undefined ? await runCatalogList(options.catalog, options, io) : await runModelsList(file, options, io));
      });
  },
};

export async function runModelsList(arg: string | undefined, options: ModelsListOptions, io: CliIo): Promise<number> {
  const { loadGateway } = await import('./expand.js');
  const loaded = await loadGateway(arg, io, { quiet: options.quiet === true, command: 'models list' });
  if (!loaded.ok) return EXIT_FINDINGS;
  const { modelsListObject } = await import('../../resolve/models-list.js');
  const list = modelsListObject(loaded.gateway);
  if (options.format === 'json') {
    io.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return EXIT_OK;
  }
  const [{ lookupModel }, { Chalk }] = await Promise.all([import('../../resolve/lookup.js'), import('chalk')]);
  io.stdout.write(modelsTable(loaded.gateway, list.data, lookupModel, new Chalk({ level: useColor(io) ? 1 : 0 })));
  return EXIT_OK;
}

type Lookup = typeof import('../../resolve/lookup.js').lookupModel;

function modelsTable(gateway: Gateway, data: { id: string; owned_by: string }[], lookupModel: Lookup, chalk: ChalkInstance): string {
  // A name is shown next to a model only when a request for it reaches that model the way the
  // column says: names come before short ids and aliases before short ids, so either can take
  // another model's short id, and an alias spelled like a name or canonical model is never used.
  const listed = new Set(data.map((d) => d.id));
  const aliasesOf = new Map<string, string[]>();
  const otherAliases: string[] = [];
  for (const [alias, target] of Object.entries(gateway.aliases)) {
    const hit = lookupModel(gateway, alias);
    if (hit.found && hit.via !== 'alias') otherAliases.push(`${alias} → ${target} (never used: "${alias}" names a model itself)`);
    else if (hit.found && listed.has(hit.model.canonical)) push(aliasesOf, hit.model.canonical, alias);
    else otherAliases.push(`${alias} → ${target}${hit.found ? ` (through ${hit.model.fromWildcard} at run time)` : ' (routes nowhere)'}`);
  }
  const reaches = (name: string, canonical: string) => {
    const hit = lookupModel(gateway, name);
    return hit.found && hit.via !== 'alias' && hit.model.canonical === canonical;
  };
  const byCanonical = new Map(gateway.models.map((m) => [m.canonical, m] as const));

  const rows = data.map((entry) => {
    const model = byCanonical.get(entry.id)!;
    const names = new Set([model.name, ...(model.shortName !== null ? [model.shortName] : [])]);
    names.delete(model.canonical);
    const also = [
      ...[...names].filter((name) => reaches(name, model.canonical)),
      ...(aliasesOf.get(entry.id) ?? []).map((a) => `alias ${a}`),
    ];
    return [model.isDefault ? `${entry.id} (default)` : entry.id, entry.owned_by, also.join(', ')];
  });
  const header = ['MODEL', 'OWNED BY', 'ALSO ANSWERS TO'];
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();

  const out = rows.length > 0 ? [chalk.bold(line(header)), ...rows.map(line)] : ['No models listed: this config has no explicit models and no wildcard of a provider with a catalogue.'];
  const patterns = gateway.wildcards.map((w) => w.pattern);
  if (patterns.length > 0) out.push('', `Also routed at run time, not listed: ${patterns.map((p) => `${p.slice(0, -1)}<model>`).join(', ')}`);
  if (otherAliases.length > 0) out.push('', 'Other aliases:', ...otherAliases.map((a) => `  ${a}`));
  return out.join('\n') + '\n';
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export async function runCatalogList(provider: string | true, options: ModelsListOptions, io: CliIo): Promise<number> {
  const [{ catalogModels, catalogProviderIds, CATALOGUE_UPDATED }, { findProvider, knownPrefixes }, { didYouMean }] = await Promise.all([
    import('../../providers/catalog.js'),
    import('../../providers/registry.js'),
    import('../../config/suggest.js'),
  ]);
  let ids = catalogProviderIds();
  if (provider !== true) {
    const spec = findProvider(provider);
    if (!spec) {
      throw new CliError(`unknown provider "${provider}"`, didYouMean(provider, knownPrefixes()) ?? `Known providers: ${knownPrefixes().sort().join(', ')}.`);
    }
    ids = [spec.id];
  }

  if (options.format === 'json') {
    const providers = Object.fromEntries(ids.map((id) => [id, [...catalogModels(id)]]));
    io.stdout.write(JSON.stringify({ catalogue_updated: CATALOGUE_UPDATED, providers }, null, 2) + '\n');
    return EXIT_OK;
  }
  const out: string[] = [];
  for (const id of ids) {
    const models = catalogModels(id);
    if (models.length === 0) {
      out.push(`${id}: no catalogue models; a ${id}/* entry lists none, but routes any ${id}/<model> at run time.`);
      continue;
    }
    out.push(`${id} (${models.length}):`, ...models.map((m) => `  ${id}/${m}`), '');
  }
  if (provider === true) out.push(`Catalogue of ${CATALOGUE_UPDATED.slice(0, 10)}; a provider/* wildcard expands to its provider's list.`);
  io.stdout.write(out.join('\n').trimEnd() + '\n');
  return EXIT_OK;
}
