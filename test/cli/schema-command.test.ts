/**
 * `plano schema`: prints the shipped JSON Schema (or its path). In-process through main(), plus
 * one run of the built binary, which is what editors and CI call.
 */
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { plano } from './run-plano.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCHEMA_FILE = fileURLToPath(new URL('../../schemas/plano_config.schema.json', import.meta.url));

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: new PassThrough(),
    env: {},
    cwd: ROOT,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('plano schema', () => {
  it('prints the schema file exactly, exit 0', async () => {
    const { code, stdout, stderr } = await run(['schema']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(JSON.parse(stdout).$id).toBe('https://unpkg.com/plano/schemas/plano_config.schema.json');
  });

  it('--path prints where the schema file is', async () => {
    const { code, stdout } = await run(['schema', '--path']);
    expect(code).toBe(0);
    expect(stdout).toBe(`${SCHEMA_FILE}\n`);
  });

  it('rejects an argument it does not take (exit 2)', async () => {
    const { code, stderr } = await run(['schema', 'extra']);
    expect(code).toBe(2);
    expect(stderr).toContain('too many arguments');
  });

  it('the built binary prints the same JSON', async () => {
    const { code, stdout } = await plano(['schema']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  });

  it('the package ships the schema', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schemas');
  });
});
