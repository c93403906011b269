/** Finding and reading the config file(s) a command was pointed at. */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CliError } from './exit.js';

/** Tried in order when no file is named (as the reference CLI does). */
export const DEFAULT_CONFIG_FILES = ['plano_config.yaml', 'config.yaml'] as const;

const CONFIG_EXTENSIONS = /\.(ya?ml)$/i;

/**
 * In a directory, a YAML file counts as a Plano config when it has one of these top-level keys:
 * `plano validate .` must not report a CI workflow or a docker-compose file as a broken config.
 */
const CONFIG_TOP_LEVEL_KEY = /^(model_providers|llm_providers|listeners)\s*:/m;

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

/**
 * Every config file named by the arguments: files as given; in directories (recursively, but not
 * into hidden folders or node_modules) the *.yaml / *.yml files that look like Plano configs.
 * A file named several ways (`a.yaml ./a.yaml`, a symlink) is checked once.
 */
export async function findConfigFiles(args: readonly string[], cwd: string): Promise<string[]> {
  if (args.length === 0) return [await findConfigFile(undefined, cwd)];
  const out = new Map<string, string>();
  const add = async (display: string, full: string) => {
    const real = await realpath(full).catch(() => full);
    if (!out.has(real)) out.set(real, display);
  };
  for (const arg of args) {
    const full = resolve(cwd, arg);
    const info = await stat(full).catch(() => undefined);
    if (!info) throw new CliError(`no such file or directory: ${arg}`);
    if (info.isDirectory()) {
      const files = await configFilesUnder(full);
      if (files.length === 0) throw new CliError(`no Plano config (a .yaml or .yml file with model_providers or listeners) in ${arg}`);
      for (const f of files) await add(displayPath(f, cwd), f);
    } else {
      await add(arg, full);
    }
  }
  return [...out.values()];
}

export async function readConfigText(file: string, cwd: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(cwd, file));
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return decodeConfigText(bytes, file);
}

/** YAML config files are UTF-8 (YAML 1.2 §5.2 allows UTF-16/32, but no tool in this chain writes them). */
export function decodeConfigText(bytes: Uint8Array, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new CliError(`${file} is UTF-16 text`, 'Save it as UTF-8 (most editors: "Save with encoding").');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const { offset, line, column } = firstInvalidUtf8(bytes);
    throw new CliError(
      `${file}:${line}:${column}: not valid UTF-8 (byte 0x${bytes[offset]!.toString(16).padStart(2, '0')})`,
      'Save the file as UTF-8; a byte like this usually comes from a Latin-1 or Windows-1252 editor.',
    );
  }
}

function firstInvalidUtf8(bytes: Uint8Array): { offset: number; line: number; column: number } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // Grow a valid prefix; the first prefix that fails to decode ends at a bad sequence.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid), { stream: true });
      decoder.decode();
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  const prefix = new TextDecoder().decode(bytes.subarray(0, lo));
  const lines = prefix.split('\n');
  return { offset: Math.min(lo, bytes.length - 1), line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

async function firstDefault(dir: string): Promise<string | undefined> {
  for (const name of DEFAULT_CONFIG_FILES) {
    const full = join(dir, name);
    if ((await stat(full).catch(() => undefined))?.isFile()) return full;
  }
  return undefined;
}

async function configFilesUnder(dir: string, visited = new Set<string>()): Promise<string[]> {
  // A symlink back up the tree must not send the walk round in circles.
  const real = await realpath(dir).catch(() => dir);
  if (visited.has(real)) return [];
  visited.add(real);
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(dir, entry.name);
    // stat follows symlinks: a Kubernetes ConfigMap mount is a folder of symlinks.
    const info = await stat(full).catch(() => undefined);
    if (info?.isDirectory()) found.push(...(await configFilesUnder(full, visited)));
    else if (info?.isFile() && CONFIG_EXTENSIONS.test(entry.name) && (await looksLikeConfig(full))) found.push(full);
  }
  return found.sort();
}

async function looksLikeConfig(file: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return CONFIG_TOP_LEVEL_KEY.test(text);
}

function displayPath(full: string, cwd: string): string {
  const rel = relative(cwd, full);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? full : rel;
}
