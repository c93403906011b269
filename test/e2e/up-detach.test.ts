/**
 * The gateway in the background for CI (issue 17): `plano up --detach`, `plano logs [-f]`,
 * `plano down`, spawned as a CI job runs them — with their output read through pipes, which
 * `--detach` must not hold open. Runtime files go to XDG_RUNTIME_DIR (a folder of the test's).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamFixture } from '../server/gateway-harness.js';
import { plano, ROOT } from '../cli/run-plano.js';
import { CONFIGURED_KEYS } from './gateway-on-mock.js';
import { startMockUpstream, type MockUpstream } from './up-mock-upstream.js';

let mock: MockUpstream;
let dir: string;
let runtime: string;
const started: number[] = [];

const env = (): Record<string, string> => ({ ...CONFIGURED_KEYS, XDG_RUNTIME_DIR: runtime });

/** A folder holding gateway.yaml pointed at the mock. */
async function project(text?: string): Promise<string> {
  const folder = await mkdtemp(join(dir, 'project-'));
  await writeFile(join(folder, 'plano_config.yaml'), text ?? upstreamFixture('gateway.yaml').replaceAll('http://127.0.0.1:1', mock.url));
  return folder;
}

/** Running, not a zombie waiting to be reaped (this sandbox's init may never reap the gateway once its starter is gone). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8') !== '';
  } catch {
    return false;
  }
};

beforeAll(async () => {
  mock = await startMockUpstream();
  dir = await mkdtemp(join(tmpdir(), 'plano-detach-'));
  runtime = await mkdtemp(join(tmpdir(), 'plano-runtime-'));
});

afterAll(async () => {
  for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(runtime, { recursive: true, force: true });
});

describe('plano up --detach, logs, down', () => {
  it('starts in the background and returns through pipes; logs -f shows new requests; down stops it', async () => {
    const folder = await project();
    const up = await plano(['up', '--detach', '--port', '0'], { cwd: folder, env: env(), timeoutMs: 40_000 });
    expect(up.code, up.stderr).toBe(0);
    const url = up.stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const pid = Number(/\(pid (\d+)\)/.exec(up.stderr)?.[1]);
    started.push(pid);
    expect(alive(pid)).toBe(true);
    // The pid printed is the gateway's own.
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining([join(ROOT, 'bin', 'plano.js'), 'up', '--port', '0']));
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // Nothing next to the config; the runtime files where XDG_RUNTIME_DIR says.
    expect(readdirSync(folder)).toEqual(['plano_config.yaml']);
    expect(readdirSync(join(runtime, 'plano')).sort()).toEqual([expect.stringMatching(/\.json$/), expect.stringMatching(/\.log$/)]);

    const logs = await plano(['logs'], { cwd: folder, env: env() });
    expect(logs.stdout).toContain(`listening on ${url}`);

    const follow = spawn(process.execPath, [join(ROOT, 'bin', 'plano.js'), 'logs', '-f'], { cwd: folder, env: { PATH: process.env.PATH ?? '', ...env() } });
    // Listened for now: it may well have exited by the time the test asks.
    const followExited = new Promise((resolve) => follow.once('exit', resolve));
    let followed = '';
    follow.stdout.on('data', (chunk: Buffer) => (followed += chunk.toString('utf8')));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const deadline = Date.now() + 5_000;
    while (!/POST \/v1\/chat\/completions gpt-4o → openai\/gpt-4o/.test(followed) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(followed).toMatch(/POST \/v1\/chat\/completions gpt-4o → openai\/gpt-4o \[openai\] 200/);

    const again = await plano(['up', '--detach', '--port', '0'], { cwd: folder, env: env() });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`is already running: ${url} (pid ${pid})`);

    const down = await plano(['down'], { cwd: folder, env: env() });
    expect(down.code).toBe(0);
    expect(down.stderr).toContain(`stopped the gateway at ${url} (pid ${pid})`);
    expect(alive(pid)).toBe(false);
    expect(readdirSync(join(runtime, 'plano')).filter((f) => f.endsWith('.json'))).toEqual([]);
    // logs -f ends once the gateway is gone.
    expect(await followExited).toBe(0);
    expect((await plano(['down'], { cwd: folder, env: env() })).stderr).toContain('no gateway is running for');
  }, 60_000); // seven plano processes start one after another: slow on a loaded CI machine

  it('a port in use: says so, and leaves nothing running', async () => {
    const folder = await project();
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (busy.address() as { port: number }).port;
      const up = await plano(['up', '--detach', '--port', String(port)], { cwd: folder, env: env(), timeoutMs: 40_000 });
      expect(up.code).not.toBe(0);
      expect(up.stderr).toContain('the port is in use');
      expect(up.stderr).toContain('nothing is running');
      expect((await plano(['down'], { cwd: folder, env: env() })).stderr).toContain('no gateway is running');
    } finally {
      busy.close();
    }
  });

  it('a config with errors: prints the findings, exits 1, leaves nothing running', async () => {
    const folder = await project('version: v0.4.0\nlisteners: [{type: model, name: llm, port: 12000}]\nmodel_providers:\n  - model: openai/gpt-4o\n    access_key: $OPENAI_API_KEY\n    default: maybe\n');
    const up = await plano(['up', '--detach', '--port', '0'], { cwd: folder, env: env(), timeoutMs: 40_000 });
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/plano_config\.yaml:6:\d+: error/);
    expect(existsSync(join(runtime, 'plano')) ? readdirSync(join(runtime, 'plano')).filter((f) => f.endsWith('.json')) : []).toEqual([]);
  });

  it('a stale pid file (its process gone) is cleaned up', async () => {
    const folder = await project();
    // Record a gateway the way up --detach does, with the pid of a process that has ended.
    const gone = spawn(process.execPath, ['-e', '']);
    const pid = gone.pid!;
    await new Promise((resolve) => gone.once('exit', resolve));
    const up = await plano(['up', '--detach', '--port', '0'], { cwd: folder, env: env(), timeoutMs: 40_000 });
    expect(up.code, up.stderr).toBe(0);
    const state = readdirSync(join(runtime, 'plano')).find((f) => f.endsWith('.json'))!;
    const recorded = JSON.parse(readFileSync(join(runtime, 'plano', state), 'utf8')) as { pid: number };
    started.push(recorded.pid);
    await writeFile(join(runtime, 'plano', state), JSON.stringify({ ...recorded, pid }));
    process.kill(recorded.pid, 'SIGTERM');
    const down = await plano(['down'], { cwd: folder, env: env() });
    expect(down.code).toBe(0);
    expect(down.stderr).toContain('its stale pid file was removed');
    expect(readdirSync(join(runtime, 'plano')).filter((f) => f.endsWith('.json'))).toEqual([]);
  });
});
