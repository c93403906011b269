import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { watchFile } from '../../src/cli/watch-file.js';

let dir: string | undefined;
let stop = (): void => {};
afterEach(async () => {
  stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a change whose handler throws is reported, and the next change is handled', async () => {
  dir = await mkdtemp(join(tmpdir(), 'plano-watch-'));
  const path = join(dir, 'plano_config.yaml');
  await writeFile(path, 'a: 1\n');
  const calls: string[] = [];
  let failed!: (error: unknown) => void;
  const failure = new Promise<unknown>((resolve) => (failed = resolve));
  let handledAgain!: () => void;
  const secondCall = new Promise<void>((resolve) => (handledAgain = resolve));
  stop = watchFile(
    path,
    async () => {
      calls.push('change');
      if (calls.length === 1) throw new Error('load blew up');
      handledAgain();
    },
    failed,
  );
  await writeFile(path, 'a: 2\n');
  expect(((await failure) as Error).message).toBe('load blew up');
  await writeFile(path, 'a: 3\n');
  await secondCall;
  expect(calls.length).toBeGreaterThanOrEqual(2);
});
