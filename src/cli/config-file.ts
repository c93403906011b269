/** Finding and reading the config file(s) a command was pointed at. */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { CliError } from './exit.js';

/** Tried in order when no file is named (as the reference CLI does). */
export const DEFAULT_CONFIG_FILES = ['plano_config.yaml', 'config.yaml'] as const;

const CONFIG_EXTENSIONS = /\.(ya?ml)$/i;

/** The file a single-file command (expand, models list, up, route) should read. */
export async function findConfigFile(arg: string | undefined, cwd: string): Promise<string> {
  if (arg !== undefined) {
    const info = await stat(resolve(cwd, arg)).catch(() => undefined);
    if (!info) throw new CliError(`no such file: ${arg}`, 'Check the path, or run the command where plano_config.yaml is.');
    if (info.isDirectory()) {
      const inside = await firstDefault(resolve(cwd, arg));
      if (!inside) throw new CliError(`no ${DEFAULT_CONFIG_FILES.join(' or ')} in ${arg}`);
      return displayPath(inside, cwd);
    }
    return arg;
  }
  const found = await firstDefault(cwd);
  if (!found) {
    throw new CliError(
      `no config file: neither ${DEFAULT_CONFIG_FILES.join(' nor ')} is in ${cwd}`,
      'Name the file (`plano validate path/to/plano_config.yaml`) or run the command in its folder.',
    );
  }
  return displayPath(found, cwd);
}

/** Every config file named by the arguments: files as given, directories searched for *.yaml / *.yml. */
export async function findConfigFiles(args: readonly string[], cwd: string): Promise<string[]> {
  if (args.length === 0) return [await findConfigFile(undefined, cwd)];
  const out: string[] = [];
  for (const arg of args) {
    const full = resolve(cwd, arg);
    const info = await stat(full).catch(() => undefined);
    if (!info) throw new CliError(`no such file or directory: ${arg}`);
    if (info.isDirectory()) {
      const files = await yamlFilesUnder(full);
      if (files.length === 0) throw new CliError(`no .yaml or .yml files in ${arg}`);
      out.push(...files.map((f) => displayPath(f, cwd)));
    } else {
      out.push(arg);
    }
  }
  return [...new Set(out)];
}

export async function readConfigText(file: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function firstDefault(dir: string): Promise<string | undefined> {
  for (const name of DEFAULT_CONFIG_FILES) {
    const full = join(dir, name);
    if ((await stat(full).catch(() => undefined))?.isFile()) return full;
  }
  return undefined;
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && CONFIG_EXTENSIONS.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !f.split(/[\\/]/).includes('node_modules'))
    .sort();
}

function displayPath(full: string, cwd: string): string {
  const rel = relative(cwd, full);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? full : rel;
}
