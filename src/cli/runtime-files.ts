/**
 * Gateways started in the background (`plano up --detach`), one per config: where their runtime
 * files live and what they say. Nothing is written next to the config — the files are in
 * `$XDG_RUNTIME_DIR/plano`, else a per-user folder in the system's temporary folder (mode 0700):
 *
 *   <key>.json   {pid, url, config, log, startedAt} of the running gateway
 *   <key>.log    its output: the startup banner, warnings, the access log
 *
 * `<key>` is a hash of the config's absolute path (of the folder, for a config synthesised from
 * the environment), so `up --detach`, `down` and `logs` run for the same config find each other.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { findConfigFileIfAny } from './config-file.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface BackgroundGateway {
  pid: number;
  url: string;
  /** The config it serves (absolute), or the folder whose environment it was synthesised from. */
  config: string;
  log: string;
  startedAt: string;
}

export interface InstanceFiles {
  /** What the config is, for messages: a path, or `the environment of <folder>`. */
  config: string;
  state: string;
  log: string;
}

export function runtimeDir(env: Env): string {
  const xdg = env['XDG_RUNTIME_DIR'];
  if (xdg) return join(xdg, 'plano');
  let user: string;
  try {
    user = String(userInfo().uid);
  } catch {
    user = env['USER'] ?? 'user';
  }
  return join(tmpdir(), `plano-${user}`);
}

/** The runtime files of the gateway for `arg` (as `plano up [arg]` reads it), run from `cwd`. */
export async function instanceFiles(arg: string | undefined, cwd: string, env: Env): Promise<InstanceFiles> {
  let config: string;
  let identity: string;
  const file = await findConfigFileIfAny(arg, cwd, 'up');
  if (file !== undefined) {
    config = resolve(cwd, file);
    identity = config;
  } else {
    config = `the environment of ${resolve(cwd)}`;
    identity = `env:${resolve(cwd)}`;
  }
  const key = createHash('sha256').update(identity).digest('hex').slice(0, 16);
  const dir = runtimeDir(env);
  return { config, state: join(dir, `${key}.json`), log: join(dir, `${key}.log`) };
}

export async function ensureRuntimeDir(env: Env): Promise<void> {
  await mkdir(runtimeDir(env), { recursive: true, mode: 0o700 });
}

export async function writeState(files: InstanceFiles, state: BackgroundGateway): Promise<void> {
  await writeFile(files.state, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The gateway recorded for these files when its process is still a running plano; a record whose
 * process is gone (or is now another program: pids are reused) is removed and `stale` returned.
 */
export async function runningGateway(files: InstanceFiles): Promise<BackgroundGateway | 'stale' | undefined> {
  let state: BackgroundGateway;
  try {
    state = JSON.parse(await readFile(files.state, 'utf8')) as BackgroundGateway;
  } catch {
    return undefined;
  }
  if (isPlanoProcess(state.pid)) return state;
  await rm(files.state, { force: true });
  return 'stale';
}

export async function removeState(files: InstanceFiles): Promise<void> {
  await rm(files.state, { force: true });
}

/** Whether `pid` is alive and (where /proc says) runs plano. */
export function isPlanoProcess(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: alive but another user's — not a gateway this user started.
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('plano');
  } catch {
    // No /proc (macOS): alive is all that can be known.
    return true;
  }
}
