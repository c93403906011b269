/**
 * Runs the built `plano` (bin/plano.js → dist/) as users and CI do, for the tests that spawn it.
 * Needs `npm run build` (`npm test` builds first). A run still going at its deadline is killed
 * and fails with PlanoRunTimeout, so a hung command cannot outlive its test.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}bin/plano.js`;

/** Under vitest's testTimeout (vitest.config.ts), so the run's own failure is the one reported. */
const DEFAULT_TIMEOUT_MS = 15_000;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Default: the repository root, so fixture paths are `fixtures/…`. */
  cwd?: string;
  /** The whole environment the child gets (plus PATH, and NO_COLOR), so tests decide which keys are set. */
  env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed (closed empty by default). */
  stdin?: string;
  timeoutMs?: number;
}

export class PlanoRunTimeout extends Error {
  constructor(
    readonly pid: number,
    args: readonly string[],
    timeoutMs: number,
    output: { stdout: string; stderr: string },
  ) {
    super(`plano ${args.join(' ')} was still running after ${timeoutMs} ms: killed\nstdout:\n${output.stdout}\nstderr:\n${output.stderr}`);
    this.name = 'PlanoRunTimeout';
  }
}

export function plano(args: string[], options: RunOptions = {}): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...options.env };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? ROOT, env, maxBuffer: 16 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr });
        if (error.killed) return reject(new PlanoRunTimeout(child.pid!, args, timeoutMs, { stdout, stderr }));
        // A non-numeric code is the spawn itself failing (ENOENT, maxBuffer …), not plano's exit.
        if (typeof error.code !== 'number') return reject(error);
        resolve({ code: error.code, stdout, stderr });
      },
    );
    child.stdin!.end(options.stdin ?? '');
  });
}
