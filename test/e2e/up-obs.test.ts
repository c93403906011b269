/**
 * `plano obs` (issue 16) against a running `plano up`: the built binaries, the way a person runs
 * them — piped (a line per call), `--once`, and on a terminal (a pseudo-terminal through
 * util-linux `script`), where it draws a screen of totals and calls.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { CONFIGURED_KEYS, startGatewayOnMock, type GatewayOnMock } from './gateway-on-mock.js';
import { startPlanoUp } from './up-process.js';

const BIN = fileURLToPath(new URL('../../bin/plano.js', import.meta.url));
let gateway: GatewayOnMock;
const children: ChildProcess[] = [];

beforeAll(async () => {
  gateway = await startGatewayOnMock([], 'plano-obs-');
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await gateway?.stop();
});

function chat(model: string): Promise<Response> {
  return fetch(`${gateway.plano.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

/** A spawned command, its output so far, and a way to wait for some of it. */
function run(command: string, args: string[]): { child: ChildProcess; output: () => string; waitFor: (pattern: RegExp) => Promise<void>; exited: Promise<number | null> } {
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TERM: 'xterm' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const waiters: Array<() => void> = [];
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    waiters.forEach((w) => w());
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`)), 10_000);
      const check = (): void => {
        if (pattern.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      waiters.push(check);
      check();
    });
  return { child, output: () => output, waitFor, exited };
}

describe('plano obs', () => {
  it('--once prints the calls the gateway keeps, a line each, with tokens and cost', async () => {
    expect((await chat('gpt-4o')).status).toBe(200);
    expect((await chat('no-such-model')).status).toBe(404);
    const obs = run(process.execPath, [BIN, 'obs', '--url', gateway.plano.url, '--once']);
    expect(await obs.exited).toBe(0);
    const lines = obs.output().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d gpt-4o → openai\/gpt-4o \[openai\] 200 ttfb=[\d.]+ms total=[\d.]+ms tokens=19\/10 cost=\$\d/);
    expect(lines[1]).toMatch(/no-such-model → \(not served\) 404 .*error="model 'no-such-model' is not configured/);
  });

  it('piped, follows: a new call is printed as it completes; Ctrl+C ends it cleanly', async () => {
    const obs = run(process.execPath, [BIN, 'obs', '--url', gateway.plano.url]);
    await obs.waitFor(/no-such-model/);
    await chat('fast');
    await obs.waitFor(/fast → openai\/gpt-4o-mini \[openai\] 200/);
    obs.child.kill('SIGINT');
    expect(await obs.exited).toBe(0);
  });

  it('on a terminal, draws totals per model and the newest calls, and redraws on a new call', async () => {
    const command = `stty cols 140 rows 40; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} obs --url ${gateway.plano.url}`;
    const obs = run('script', ['-qfec', command, '/dev/null']);
    await obs.waitFor(/openai\/gpt-4o\s+openai\s+1\s+0\s+19\s+10\s+\$/);
    expect(obs.output()).toContain('\u001b[?1049h');
    expect(obs.output()).toMatch(/model\s+provider\s+calls\s+errors\s+in\s+out\s+cost\s+mean ms/);
    await chat('gpt-4o');
    await obs.waitFor(/openai\/gpt-4o\s+openai\s+2\s+0\s+38\s+20\s+\$/);
    obs.child.kill('SIGTERM');
    await obs.exited;
  });

  it('says so when no gateway answers, or the gateway keeps no calls', async () => {
    const closed = await freePort();
    const none = run(process.execPath, [BIN, 'obs', '--url', `http://127.0.0.1:${closed}`]);
    expect(await none.exited).not.toBe(0);
    expect(none.output()).toContain(`no gateway answers at http://127.0.0.1:${closed} (ECONNREFUSED)`);

    const dark = await startPlanoUp(['--no-live-view'], CONFIGURED_KEYS, gateway.dir);
    try {
      const refused = run(process.execPath, [BIN, 'obs', '--url', dark.url]);
      expect(await refused.exited).not.toBe(0);
      expect(refused.output()).toContain(`${dark.url} serves no live view`);
    } finally {
      dark.kill();
      await dark.exited;
    }
  });
});
