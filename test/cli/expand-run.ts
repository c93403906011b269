/**
 * Runs the built `plano` (bin/plano.js → dist/) for the expand and models tests. Needs
 * `npm run build` (`npm test` builds first).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}bin/plano.js`;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` is the whole environment the child gets (plus PATH), so tests decide which keys are set. */
export function plano(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...options.env };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}
