/**
 * What a command may touch of the process, handed to it rather than reached for (so tests can
 * run commands in-process with their own streams and environment).
 */
import type { Readable } from 'node:stream';

export interface OutputStream {
  write(text: string): unknown;
  /** True when output goes to a terminal (pretty/table formats and colour by default). */
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: Readable;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/** Colour is on for a terminal, off for a pipe or when NO_COLOR is set (no-color.org); FORCE_COLOR forces it. */
export function useColor(io: CliIo, stream: OutputStream = io.stdout): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
