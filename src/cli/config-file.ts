/** Finding and reading the config file(s) a command was pointed at. */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
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

/**
 * The largest config read. The reference's full config is 9 KB and a config generated for
 * thousands of models a few MB; past this, a file is not a config someone meant to check.
 */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

/** The file a single-file command (expand, models list, up, route) should read; `command` names it in hints. */
export async function findConfigFile(arg: string | undefined, cwd: string, command = 'validate'): Promise<string> {
  if (arg !== undefined) {
    const info = await stat(resolve(cwd, arg)).catch((error: NodeJS.ErrnoException) => statProblem(error, arg, resolve(cwd, arg)));
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
      `Name the file (\`plano ${command} path/to/plano_config.yaml\`) or run the command in its folder.`,
    );
  }
  return displayPath(found, cwd);
}

/**
 * The file a single-file command should read, or undefined when none is named and there is no
 * default one here — where `up`, `expand` and `models list` serve the config synthesised from the
 * environment, and `obs` and `--detach` look for that gateway.
 */
export async function findConfigFileIfAny(arg: string | undefined, cwd: string, command: string): Promise<string | undefined> {
  if (arg !== undefined) return findConfigFile(arg, cwd, command);
  const found = await firstDefault(cwd);
  return found === undefined ? undefined : displayPath(found, cwd);
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
    const info = await stat(full).catch((error: NodeJS.ErrnoException) => statProblem(error, arg, full));
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
  return decodeConfigText(await readConfigBytes(file, cwd), file);
}

/**
 * A config's bytes. Only a regular file is read (a FIFO or /dev/zero would never end), and only
 * up to MAX_CONFIG_BYTES: the size is checked before reading, and again while reading for a file
 * that grows. The file is opened without blocking and then looked at, so what is checked is what
 * is read (a FIFO put in its place between a look and an open would block the open).
 */
export async function readConfigBytes(file: string, cwd: string): Promise<Buffer> {
  const full = resolve(cwd, file);
  const handle: FileHandle = await open(full, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => statProblem(error, file, full));
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new CliError(`cannot read ${file}: it is ${kindOf(info)}, not a regular file`, 'Point plano at the YAML file itself (a FIFO, device or socket is not read).');
    }
    if (info.size > MAX_CONFIG_BYTES) throw tooLarge(file, info.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, MAX_CONFIG_BYTES + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_CONFIG_BYTES) throw tooLarge(file, total);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${file}: ${describeFsError(error as NodeJS.ErrnoException)}`);
  } finally {
    await handle.close();
  }
}

function tooLarge(file: string, size: number): CliError {
  return new CliError(
    `cannot read ${file}: it is over ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB (${size} bytes or more), the most plano reads of a config`,
    'Check that this is the config you meant; a config this large is usually generated, and can be split by listener or provider.',
  );
}

/** Why a path could not be looked at, as a CliError (exit 2) that names the real cause. */
async function statProblem(error: NodeJS.ErrnoException, arg: string, full: string): Promise<never> {
  if (error.code === 'ENOENT') {
    // A dangling symlink is "no such file" too, but say so.
    const link = await lstat(full).catch(() => undefined);
    if (link?.isSymbolicLink()) throw new CliError(`no such file: ${arg} is a symbolic link to a file that does not exist`);
    throw new CliError(`no such file or directory: ${arg}`, 'Check the path, or run the command where plano_config.yaml is.');
  }
  throw new CliError(`cannot read ${arg}: ${describeFsError(error)}`);
}

const FS_ERRORS: Readonly<Record<string, string>> = {
  ELOOP: 'too many levels of symbolic links (a symlink loop)',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  ENAMETOOLONG: 'the path is too long',
};

function describeFsError(error: NodeJS.ErrnoException): string {
  const known = error.code === undefined ? undefined : FS_ERRORS[error.code];
  return known ? `${known} (${error.code})` : (error.code ?? error.message);
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A config whose bytes are not UTF-8 text: `validate` reports it as a finding at its line:column. */
export class ConfigEncodingError extends CliError {
  constructor(
    message: string,
    hint: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message, hint);
    this.name = 'ConfigEncodingError';
  }
}

/** YAML config files are UTF-8 (YAML 1.2 §5.2 allows UTF-16/32, but no tool in this chain writes them). */
export function decodeConfigText(bytes: Uint8Array, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ConfigEncodingError(`${file} is UTF-16 text`, 'Save it as UTF-8 (most editors: "Save with encoding").', 1, 1);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const { offset, line, column } = firstInvalidUtf8(bytes);
    throw new ConfigEncodingError(
      `${file}:${line}:${column}: not valid UTF-8 (byte 0x${bytes[offset]!.toString(16).padStart(2, '0')})`,
      'Save the file as UTF-8; a byte like this usually comes from a Latin-1 or Windows-1252 editor.',
      line,
      column,
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
  const bytes = await readConfigBytes(file, '/').catch(() => undefined);
  // A file too large or unreadable is named so it gets reported, rather than skipped in silence.
  return bytes === undefined || CONFIG_TOP_LEVEL_KEY.test(bytes.toString('utf8'));
}

function displayPath(full: string, cwd: string): string {
  const rel = relative(cwd, full);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? full : rel;
}

/** What a single-file command serves or shows: a config file, or (none here, none named) one synthesised from the environment. */
export interface CommandConfig {
  /** The file, or `(environment)`. */
  file: string;
  text: string;
}

/** How `plano up` and friends name a config that comes from the environment. */
export const FROM_ENVIRONMENT = '(environment)';

/**
 * The config `arg` names, or the default file here; with neither, the config synthesised from the
 * environment (as Plano's zero-config `up`), said in one line on stderr — stdout stays the
 * command's own (`expand --format json` stays pure JSON).
 */
export async function readConfigOrEnvironment(arg: string | undefined, io: { cwd: string; env: Readonly<Record<string, string | undefined>>; stderr: { write(text: string): unknown } }, command: string): Promise<CommandConfig> {
  const file = await findConfigFileIfAny(arg, io.cwd, command);
  if (file !== undefined) return { file, text: await readConfigText(file, io.cwd) };
  const [{ configFromEnv, environmentProviders }, { findOllama }] = await Promise.all([import('../config/templates.js'), import('./ollama-probe.js')]);
  const ollama = await findOllama(io.env);
  const keyVariables = environmentProviders(io.env).flatMap((p) => (p.keyVariable ? [p.keyVariable] : []));
  io.stderr.write(
    `plano: no ${DEFAULT_CONFIG_FILES.join(' or ')} here: ${command === 'up' ? 'serving' : 'showing'} a config synthesised from your environment ` +
      `(${keyVariables.length > 0 ? `keys from ${keyVariables.join(', ')}` : 'no key variable set'}; other providers pass the client's key through${ollama ? `; Ollama at ${ollama}` : ''}). ` +
      'Save it with `plano init --from-env`.\n',
  );
  return { file: FROM_ENVIRONMENT, text: configFromEnv(io.env, ollama ? { ollama } : {}) };
}
