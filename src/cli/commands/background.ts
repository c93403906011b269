/**
 * The gateway in the background, for CI and scripts: `plano up --detach` starts it and returns
 * once it answers /healthz (printing its URL and process id), `plano down` stops it, `plano logs
 * [-f]` shows its output. One per config (src/cli/background.ts keeps their runtime files).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ensureRuntimeDir, instanceFiles, isPlanoProcess, removeState, runningGateway, writeState, type InstanceFiles } from '../runtime-files.js';
import { CliError, EXIT_FINDINGS, EXIT_OK } from '../exit.js';
import type { CliIo } from '../io.js';
import type { CommandModule } from './index.js';

const BIN = fileURLToPath(new URL('../../../bin/plano.js', import.meta.url));
/** How long `up --detach` waits for the gateway to answer /healthz. */
const STARTUP_DEADLINE_MS = 30_000;
/** How long `down` waits after SIGTERM (in-flight requests finish: `up`'s --shutdown-timeout is 10 s by default) before SIGKILL. */
const STOP_DEADLINE_MS = 20_000;

/**
 * `plano up --detach [file] …`: `upArgs` are the arguments `up` was given, less --detach. The
 * gateway is a new session whose stdio is its log file: it holds none of the caller's file
 * descriptors, so a caller reading this command's output through a pipe is not kept waiting.
 */
export async function runDetached(arg: string | undefined, upArgs: string[], io: CliIo): Promise<number> {
  const files = await instanceFiles(arg, io.cwd, io.env);
  const running = await runningGateway(files);
  if (running && running !== 'stale') {
    throw new CliError(`a plano gateway for ${files.config} is already running: ${running.url} (pid ${running.pid})`, 'Stop it with `plano down` first, or use it as it is.', EXIT_FINDINGS);
  }
  await ensureRuntimeDir(io.env);
  const log = openSync(files.log, 'w', 0o600);
  const child = spawn(process.execPath, [BIN, 'up', ...upArgs], {
    cwd: io.cwd,
    env: io.env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  const waiting = new AbortController();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = await Promise.race([waitForHealth(files, waiting.signal), exited.then((code) => ({ exitCode: code }))]);
  waiting.abort();
  if ('exitCode' in started) {
    // The gateway could not start (a config with errors, a port in use): what it said, and nothing left running.
    io.stderr.write(await readFile(files.log, 'utf8').catch(() => ''));
    throw new CliError(`plano up --detach: the gateway stopped at startup (exit ${started.exitCode ?? 'by signal'}); nothing is running`, undefined, EXIT_FINDINGS);
  }
  if ('timedOut' in started) {
    child.kill('SIGKILL');
    io.stderr.write(await readFile(files.log, 'utf8').catch(() => ''));
    throw new CliError(`plano up --detach: the gateway did not answer /healthz within ${STARTUP_DEADLINE_MS / 1000}s; stopped it`, undefined, EXIT_FINDINGS);
  }
  await writeState(files, { pid: child.pid!, url: started.url, config: files.config, log: files.log, startedAt: new Date().toISOString() });
  io.stdout.write(`${started.url}\n`);
  io.stderr.write(`plano: gateway for ${files.config} running in the background at ${started.url} (pid ${child.pid}); \`plano logs -f\` follows its log, \`plano down\` stops it\n`);
  return EXIT_OK;
}

/** The URL from the banner in the log, once /healthz answers there. */
async function waitForHealth(files: InstanceFiles, stop: AbortSignal): Promise<{ url: string } | { timedOut: true }> {
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  while (Date.now() < deadline && !stop.aborted) {
    const text = await readFile(files.log, 'utf8').catch(() => '');
    const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
    if (url) {
      const healthy = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
      if (healthy) return { url };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { timedOut: true };
}

export const downCommand: CommandModule = {
  register(program: Command, io: CliIo, setExitCode: (code: number) => void) {
    program
      .command('down')
      .description('stop the gateway `plano up --detach` started for the config')
      .argument('[file]', 'config file or directory, as given to `plano up --detach`')
      .action(async (file: string | undefined) => setExitCode(await runDown(file, io)));
  },
};

export async function runDown(arg: string | undefined, io: CliIo): Promise<number> {
  const files = await instanceFiles(arg, io.cwd, io.env);
  const running = await runningGateway(files);
  if (running === undefined || running === 'stale') {
    // Nothing to stop is what `down` was asked to reach: a CI cleanup step may run it twice.
    io.stderr.write(`plano: no gateway is running for ${files.config}${running === 'stale' ? ' (its stale pid file was removed)' : ''}\n`);
    return EXIT_OK;
  }
  process.kill(running.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_DEADLINE_MS;
  while (isPlanoProcess(running.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (isPlanoProcess(running.pid)) process.kill(running.pid, 'SIGKILL');
  await removeState(files);
  io.stderr.write(`plano: stopped the gateway at ${running.url} (pid ${running.pid})\n`);
  return EXIT_OK;
}

export const logsCommand: CommandModule = {
  register(program: Command, io: CliIo, setExitCode: (code: number) => void) {
    program
      .command('logs')
      .description('show the output of the gateway `plano up --detach` started for the config (its access log)')
      .argument('[file]', 'config file or directory, as given to `plano up --detach`')
      .option('-f, --follow', 'keep printing what it writes, until it stops (or Ctrl+C)')
      .action(async (file: string | undefined, options: { follow?: boolean }) => {
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGINT', onSignal);
        try {
          setExitCode(await runLogs(file, options.follow === true, io, stop.signal));
        } finally {
          process.off('SIGINT', onSignal);
        }
      });
  },
};

export async function runLogs(arg: string | undefined, follow: boolean, io: CliIo, signal: AbortSignal): Promise<number> {
  const files = await instanceFiles(arg, io.cwd, io.env);
  if ((await stat(files.log).catch(() => undefined)) === undefined) {
    throw new CliError(`no log for ${files.config}: no gateway was started for it with \`plano up --detach\``, undefined, EXIT_FINDINGS);
  }
  const handle = await open(files.log, 'r');
  try {
    let position = 0;
    const printNew = async (): Promise<void> => {
      const { size } = await handle.stat();
      if (size <= position) return;
      const buffer = Buffer.alloc(size - position);
      await handle.read(buffer, 0, buffer.length, position);
      position = size;
      io.stdout.write(buffer.toString('utf8'));
    };
    await printNew();
    if (!follow) return EXIT_OK;
    while (!signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await printNew();
      const running = await runningGateway(files);
      if (running === undefined || running === 'stale') {
        await printNew();
        io.stderr.write(`plano: the gateway for ${files.config} is not running\n`);
        return EXIT_OK;
      }
    }
    return EXIT_OK;
  } finally {
    await handle.close();
  }
}
