/**
 * Issue 12, "The CLI on odd input": the built binary on files that are not regular files, on
 * symlinks that lead nowhere, on files too large, and on a folder with one file that is not UTF-8.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plano } from './run-plano.js';

let dir: string;
const VALID = 'version: v0.4.0\nlisteners:\n  - name: llm\n    type: model\n    port: 12000\nmodel_providers:\n  - model: openai/gpt-4o\n    access_key: $OPENAI_API_KEY\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plano-odd-'));
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  symlinkSync('loop-b', join(dir, 'loop-a'));
  symlinkSync('loop-a', join(dir, 'loop-b'));
  symlinkSync('nowhere.yaml', join(dir, 'dangling.yaml'));
  writeFileSync(join(dir, 'huge.yaml'), Buffer.alloc(33 * 1024 * 1024, 0x20));
  // A folder of configs, one saved by a Latin-1 editor (é as the single byte 0xE9).
  execFileSync('mkdir', [join(dir, 'configs')]);
  writeFileSync(join(dir, 'configs', 'a.yaml'), VALID);
  writeFileSync(join(dir, 'configs', 'b.yaml'), Buffer.concat([Buffer.from(`${VALID}# caf`), Buffer.from([0xe9]), Buffer.from('\n')]));
  writeFileSync(join(dir, 'configs', 'c.yaml'), VALID.replace('openai/gpt-4o', 'openai/gpt-4o\n  - model: openai/gpt-4o'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('files that are not regular files', () => {
  it.each([
    ['a FIFO', 'fifo.yaml', /cannot read fifo\.yaml: it is a FIFO \(named pipe\), not a regular file/],
    ['/dev/zero', '/dev/zero', /cannot read \/dev\/zero: it is a device, not a regular file/],
  ])('%s: exit 2 at once, saying what it is', async (_what, file, says) => {
    for (const command of [['validate'], ['expand'], ['models', 'list']]) {
      const run = await plano([...command, file], { cwd: dir, timeoutMs: 10_000 });
      expect(run.code, command.join(' ')).toBe(2);
      expect(run.stderr).toMatch(says);
    }
  });

  it('a symlink loop says ELOOP, not "no such file"', async () => {
    const run = await plano(['validate', 'loop-a'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('too many levels of symbolic links (a symlink loop) (ELOOP)');
  });

  it('a dangling symlink says it is one', async () => {
    const run = await plano(['expand', 'dangling.yaml'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('dangling.yaml is a symbolic link to a file that does not exist');
  });

  it('a file over the size limit: exit 2 naming the limit', async () => {
    const run = await plano(['validate', 'huge.yaml'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('it is over 32 MiB');
  });
});

describe('a folder with one file that is not UTF-8', () => {
  it('reports that file as a finding at its byte, checks the rest, and --format json still prints its object', async () => {
    const run = await plano(['validate', '--format', 'json', 'configs'], { cwd: dir });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { diagnostics: { file: string; code: string; line: number; column: number }[] };
    expect(report.diagnostics.map((d) => [d.file, d.code, d.line, d.column])).toEqual([
      [join('configs', 'b.yaml'), 'invalid-encoding', 9, 6],
      [join('configs', 'c.yaml'), 'duplicate-model', 8, 12],
    ]);
  });

  it('pretty: the finding and its fix', async () => {
    const run = await plano(['validate', 'configs'], { cwd: dir });
    expect(run.stdout).toContain(`${join('configs', 'b.yaml')}:9:6: error: not valid UTF-8 (byte 0xe9) [invalid-encoding]`);
    expect(run.stdout).toContain('Latin-1');
    expect(run.stdout).toContain('3 files checked: 2 errors, 0 warnings');
  });
});

// (expand, models list and up serve the config synthesised from the environment instead: test/cli/zero-config.test.ts.)
describe('the "no config file" hint names the command that was run', () => {
  it.each([
    [['validate'], 'validate'],
    [['route', 'write a haiku'], 'route'],
  ])('plano %j', async (args, command) => {
    const empty = mkdtempSync(join(tmpdir(), 'plano-empty-'));
    try {
      const run = await plano(args, { cwd: empty });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`\`plano ${command} path/to/plano_config.yaml\``);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
