/**
 * The built `plano up` as a child process (bin/plano.js → dist/: needs `npm run build`, which
 * `npm test` runs first): started on a free port, its output collected, stopped by the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/plano.js', import.meta.url));
const STARTUP_DEADLINE_MS = 15_000;

export interface PlanoUp {
  /** The URL `plano up` printed. */
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr has printed text matching `pattern` (after `from` characters). */
  waitForStderr(pattern: RegExp, from?: number): Promise<string>;
  exited: Promise<number | null>;
  /** SIGKILL if it is still running (for afterAll). */
  kill(): void;
}

export async function startPlanoUp(args: string[], env: Record<string, string>, cwd: string): Promise<PlanoUp> {
  const child = spawn(process.execPath, [BIN, 'up', ...args, '--port', '0'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const changed = (): void => listeners.forEach((l) => l());
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    changed();
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    changed();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(changed);

  const waitFor = (test: () => string | undefined, what: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = test();
        if (found !== undefined) {
          listeners.delete(check);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(check);
          reject(new Error(`plano up exited (${child.exitCode ?? child.signalCode}) before ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }
      };
      listeners.add(check);
      check();
    });

  // A start that hangs must not leave an orphan the test can no longer reach: kill it.
  const startupDeadline = setTimeout(() => child.kill('SIGKILL'), STARTUP_DEADLINE_MS);
  let url: string;
  try {
    url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(stdout)?.[1], 'printing its URL');
  } finally {
    clearTimeout(startupDeadline);
  }
  return {
    url,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr: (pattern, from = 0) => waitFor(() => pattern.exec(stderr.slice(from))?.[0], `stderr matched ${pattern}`),
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
