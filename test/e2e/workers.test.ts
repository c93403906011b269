/**
 * `plano up --workers 2`: the built binary as a node:cluster primary with two worker processes
 * sharing one port, in front of the mock provider. One gateway serves every case: startup output
 * once, traffic over many connections (one access-log line per request, none torn), a --watch
 * reload reaching every worker, a killed worker replaced, then SIGTERM in the middle of a stream.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plano as runPlano } from '../cli/run-plano.js';
import { CONFIGURED_KEYS as ENV, startGatewayOnMock, type GatewayOnMock } from './gateway-on-mock.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

let gateway: GatewayOnMock | undefined;
let plano: PlanoUp;
let dir: string;
let configText: string;

beforeAll(async () => {
  gateway = await startGatewayOnMock(['--watch', '--workers', '2'], 'plano-workers-');
  ({ plano, dir, configText } = gateway);
});

afterAll(() => gateway?.stop());

interface Answer {
  status: number;
  body: string;
}

/** One chat completion on a connection of its own (`agent: false`), so the cluster spreads them over the workers. */
function chat(model: string, stream = false, headers: Record<string, string> = {}, onFirstChunk?: () => void, base = plano.url): Promise<Answer> {
  const url = new URL('/v1/chat/completions', base);
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }], ...(stream ? { stream: true } : {}) });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.once('data', () => onFirstChunk?.());
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ACCESS_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z POST \/v1\/chat\/completions \S+ → \S+ \[\w+\]( stream)? \d{3} (ttfb=[\d.]+ms )?total=[\d.]+ms/;
const accessLines = (): string[] => plano.stderr().split('\n').filter((line) => line.includes(' POST /v1/chat/completions '));

const configPath = (): string => join(dir, 'plano_config.yaml');

/** The worker processes' ids, from the primary's children in /proc. */
function workerPids(): number[] {
  const pid = plano.child.pid!;
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/**
 * Waits until eight new connections in a row, whichever workers they land on, are all answered
 * 200 for `model`: the workers apply a change each in its own time, a new worker starts in its own.
 */
async function everyConnectionServes(model: string): Promise<void> {
  let statuses: number[] = [];
  for (let i = 0; i < 100; i++) {
    statuses = (await Promise.all(Array.from({ length: 8 }, () => chat(model)))).map((a) => a.status);
    if (statuses.every((status) => status === 200)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(statuses).toEqual(Array(8).fill(200));
}

/** The resolution of `predicate`, polled: access-log lines are written once per event-loop turn of each worker. */
async function eventually(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(predicate()).toBe(true);
}

describe('plano up --workers 2', () => {
  it('prints the startup output once, naming the worker processes', () => {
    expect(plano.stdout().match(/listening on/g)).toHaveLength(1);
    expect(plano.stdout().match(/openai\/gpt-4o \(default\)/g)).toHaveLength(1);
    expect(plano.stdout()).toContain('served by 2 worker processes sharing the port');
    // Warnings come from one worker too.
    expect(plano.stderr().match(/MISTRAL_API_KEY, which is not set/g)).toHaveLength(1);
  });

  it.runIf(existsSync('/proc/self/task'))('runs two worker processes under the one it started', () => {
    expect(workerPids()).toHaveLength(2);
  });

  it('serves requests over many connections, with one whole access-log line each', async () => {
    const before = accessLines().length;
    const answers = await Promise.all([
      ...Array.from({ length: 12 }, () => chat('gpt-4o')),
      ...Array.from({ length: 12 }, () => chat('gpt-4o-mini', true)),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(24).fill(200));
    expect(answers[0]!.body).toContain('Hello! How can I help you today?');
    expect(answers[12]!.body).toContain('data: [DONE]');
    await eventually(() => accessLines().length === before + 24);
    for (const line of accessLines()) expect(line).toMatch(ACCESS_LINE);
  });

  it('--watch: the primary has every worker reload; the notice is printed once', async () => {
    const from = plano.stderr().length;
    // Saved in place (truncate, then write): the primary reads the file, the workers get its text.
    await writeFile(configPath(), configText + '  smart:\n    target: openai/gpt-4o-mini\n');
    await plano.waitForStderr(/reloaded plano_config\.yaml/, from);
    // The notice is one worker's; the other reloads at about the same time.
    await everyConnectionServes('smart');
    expect(plano.stderr().slice(from).match(/reloaded plano_config\.yaml/g)).toHaveLength(1);
  });

  it.runIf(existsSync('/proc/self/task'))(
    'a worker that dies is replaced, and the new one starts from the config in service, not a later save with errors',
    async () => {
      let from = plano.stderr().length;
      await writeFile(configPath(), configText + '  smart:\n    target: nowhere/model\n');
      await plano.waitForStderr(/has errors \(above\); still serving the previous config/, from);
      expect(plano.stderr().slice(from).match(/has errors/g)).toHaveLength(1);

      from = plano.stderr().length;
      process.kill(workerPids()[0]!, 'SIGKILL');
      await plano.waitForStderr(/a worker process exited unexpectedly \(SIGKILL\); starting another/, from);
      // Read from the file, the replacement would meet the errors, fail to start, and the
      // primary would stop the group; started from the primary's copy, it serves `smart` too.
      await plano.waitForStderr(/a new worker process serves in its place/, from);
      await everyConnectionServes('smart');
      expect(plano.child.exitCode).toBeNull();

      from = plano.stderr().length;
      await writeFile(configPath(), configText + '  smart:\n    target: openai/gpt-4o-mini\n  quick:\n    target: openai/gpt-4o-mini\n');
      await plano.waitForStderr(/reloaded plano_config\.yaml/, from);
      await everyConnectionServes('quick');
    },
  );

  it('SIGTERM during a stream: the stream finishes, every worker stops, exit 0', async () => {
    let firstChunk!: () => void;
    const started = new Promise<void>((resolve) => (firstChunk = resolve));
    const streamed = chat('gpt-4o', true, { 'x-mock-pace-ms': '100' }, firstChunk);
    await started;
    const from = plano.stderr().length;
    plano.child.kill('SIGTERM');
    const answer = await streamed;
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('data: [DONE]');
    expect(await plano.exited).toBe(0);
    expect(plano.stderr().slice(from).match(/plano: shutting down/g)).toHaveLength(1);
  });
});

describe('plano up --workers 2 refuses to start', () => {
  it('on a config with errors: the findings once, exit 1', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, configText.replace('model: openai/gpt-4o-mini', 'model: gpt-4o-mini'));
    const run = await runPlano(['up', bad, '--port', '0', '--workers', '2'], { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bad\.yaml:\d+:\d+: error:/);
    expect(run.stderr.match(/1 file checked/g)).toHaveLength(1);
    expect(run.stdout).toBe('');
  });
});

describe('plano up --workers 2 with state_storage: memory', () => {
  it('warns once that each worker keeps its own conversations', async () => {
    const folder = join(dir, 'memory-state');
    await mkdir(folder);
    await writeFile(join(folder, 'plano_config.yaml'), `${configText}\nstate_storage:\n  type: memory\n`);
    const up = await startPlanoUp(['--workers', '2'], ENV, folder);
    try {
      await up.waitForStderr(/state_storage: memory keeps each worker's conversations/);
      expect(up.stderr().match(/state_storage: memory keeps/g)).toHaveLength(1);
    } finally {
      up.kill();
      await up.exited;
    }
  });
});

describe('plano up --workers 2 with ratelimits', () => {
  it('keeps one count for the group: once the budget is spent, every worker refuses', async () => {
    const folder = join(dir, 'rate-limited');
    await mkdir(folder);
    const limits = '\nratelimits:\n  - model: openai/gpt-4o\n    selector: {key: x-user-id, value: "*"}\n    limit: {tokens: 20, unit: day}\n';
    await writeFile(join(folder, 'plano_config.yaml'), `${configText}${limits}`);
    const up = await startPlanoUp(['--workers', '2'], ENV, folder);
    try {
      const ada = { 'x-user-id': 'ada' };
      // 29 tokens: served, and the budget of 20 is spent for the whole group.
      expect((await chat('gpt-4o', false, ada, undefined, up.url)).status).toBe(200);
      await up.waitForStderr(/POST \/v1\/chat\/completions gpt-4o .* 200 /);
      // Each on a connection of its own: the primary hands them to both workers in turn.
      const statuses = await Promise.all(Array.from({ length: 6 }, () => chat('gpt-4o', false, ada, undefined, up.url).then((a) => a.status)));
      expect(statuses).toEqual([429, 429, 429, 429, 429, 429]);
      expect((await chat('gpt-4o', false, { 'x-user-id': 'bob' }, undefined, up.url)).status).toBe(200);
    } finally {
      up.kill();
      await up.exited;
    }
  });
});
