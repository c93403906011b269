/**
 * The live view of `plano up` (issue 16), the way a person uses it: the built binary in front of
 * the mock provider, a real headless Chromium on the page the banner prints, calls made through
 * the SDKs while the page is open. What the page shows is read from the page; a screenshot is
 * written under the test's folder. No credential may appear in the page, its API or its stream.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamFixture } from '../server/gateway-harness.js';
import { launchChromium } from './chromium.js';
import { CONFIGURED_KEYS } from './gateway-on-mock.js';
import { startMockUpstream, type MockUpstream } from './up-mock-upstream.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

const CLIENT_KEY = 'sk-client-key-never-shown-0123456789';
const SECRETS = [...Object.values(CONFIGURED_KEYS), CLIENT_KEY];

let mock: MockUpstream;
let dir: string;
let browser: Browser | undefined;
const running: PlanoUp[] = [];

async function plano(args: string[], extraConfig = ''): Promise<PlanoUp> {
  const folder = await mkdtemp(join(dir, 'plano-'));
  await writeFile(join(folder, 'plano_config.yaml'), upstreamFixture('gateway.yaml').replaceAll('http://127.0.0.1:1', mock.url) + extraConfig);
  const started = await startPlanoUp(args, CONFIGURED_KEYS, folder);
  running.push(started);
  return started;
}

beforeAll(async () => {
  mock = await startMockUpstream();
  dir = await mkdtemp(join(tmpdir(), 'plano-live-view-'));
});

afterAll(async () => {
  await browser?.close();
  for (const p of running) p.kill();
  await Promise.all(running.map((p) => p.exited));
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A table body as the page shows it: one array of cell texts per row. */
const tableRows = (page: Page, selector: string): Promise<string[][]> =>
  page.evaluate(`Array.from(document.querySelectorAll(${JSON.stringify(selector)}), (tr) => Array.from(tr.children, (td) => td.textContent ?? ''))`) as Promise<string[][]>;
/** The calls, newest first. */
const rows = (page: Page): Promise<string[][]> => tableRows(page, 'tbody#calls tr');

function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

/** Reads the event stream for `ms`, as a browser's EventSource would get it. */
async function readEvents(url: string, ms: number): Promise<string> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // Aborted at the end of the window.
  } finally {
    clearTimeout(timer);
  }
  return text;
}

describe('the live view in a browser', () => {
  it('lists each call live, opens one with its bodies, and never shows a credential', async () => {
    const gateway = await plano(['--inspect']);
    const pageUrl = /Live view: (http:\/\/127\.0\.0\.1:\d+\/_plano\/)/.exec(gateway.stdout())?.[1];
    expect(pageUrl, gateway.stdout()).toBe(`${gateway.url}/_plano/`);

    browser = await launchChromium(join(dir, 'chromium-profile'));
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    await page.goto(pageUrl!);
    await page.waitForSelector('#status.live', { timeout: 10_000 });
    expect(await rows(page)).toEqual([]);
    const events = readEvents(`${gateway.url}/_plano/api/events`, 4_000);

    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }] });
    // A new call appears within 3 s, without a reload.
    await page.waitForFunction("document.querySelectorAll('tbody#calls tr').length === 1", { timeout: 3_000 });
    let shown = await rows(page);
    // time, requested, model, provider, status, ttfb, total, in, out, cost, attempts
    expect(shown[0]!.slice(1, 5)).toEqual(['gpt-4o', 'openai/gpt-4o', 'openai', '200']);
    expect(shown[0]!.slice(7, 9)).toEqual(['19', '10']);
    expect(shown[0]![9]).toMatch(/^\$\d/);

    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const stream = anthropic.messages.stream({ model: 'fast', max_tokens: 64, messages: [{ role: 'user', content: 'Stream it' }] });
    await stream.finalMessage();
    await page.waitForFunction("document.querySelectorAll('tbody#calls tr').length === 2", { timeout: 3_000 });
    shown = await rows(page);
    expect(shown[0]!.slice(1, 5)).toEqual(['fast', 'openai/gpt-4o-mini', 'openai', '200']);
    expect(Number(shown[0]![8])).toBeGreaterThan(0);

    // Per-model totals, as plain numbers.
    const totals = await tableRows(page, 'tbody#totals tr');
    expect(totals.map((t) => t.slice(0, 3))).toEqual(expect.arrayContaining([['openai/gpt-4o', 'openai', '1'], ['openai/gpt-4o-mini', 'openai', '1']]));

    // One call opened: what was asked and sent, the credential plano added shown as ***.
    await page.click('tbody#calls tr:nth-child(2)');
    await page.waitForFunction("document.querySelector('#detail pre') !== null", { timeout: 3_000 });
    const detail = await page.$eval('#detail', (node) => node.textContent ?? '');
    expect(detail).toContain(`${mock.url}/v1/chat/completions`);
    expect(detail).toContain('Say hello');
    expect(detail).toContain('authorization: ***');
    expect(detail).toContain('Hello! How can I help you today?');

    const screenshot = join(dir, 'live-view.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000);

    const html = await page.content();
    const api = await (await fetch(`${gateway.url}/_plano/api/calls`)).text();
    const details = await Promise.all([1, 2].map(async (id) => (await fetch(`${gateway.url}/_plano/api/calls/${id}`)).text()));
    const streamed = await events;
    expect(streamed).toContain('event: snapshot');
    expect(streamed).toContain('event: call');
    for (const text of [html, api, ...details, streamed]) {
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }
    await page.close();
  }, 60_000); // a browser starting on a loaded CI machine
});

describe('costs', () => {
  it('come from the config’s cost source when it prices the model, else from the price table; unknown stays unknown', async () => {
    // A models.dev-shaped catalogue: gpt-4o at $1/M input and $2/M output.
    const catalogue = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ openai: { models: { 'gpt-4o': { cost: { input: 1, output: 2 } } } } })));
    await new Promise<void>((resolve) => catalogue.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(catalogue.address() as AddressInfo).port}/api.json`;
      const gateway = await plano([], `\nmodel_metrics_sources:\n  - type: cost\n    provider: models.dev\n    url: ${url}\n`);
      for (const model of ['gpt-4o', 'gpt-4o-mini', 'ollama/llama3.1']) {
        await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
        });
      }
      const { calls } = (await (await fetch(`${gateway.url}/_plano/api/calls`)).json()) as { calls: Array<{ requested: string; costUsd: number | null; costSource: string | null }> };
      const cost = Object.fromEntries(calls.map((c) => [c.requested, [c.costUsd, c.costSource]]));
      // The mock reports 19 input and 10 output tokens.
      expect(cost['gpt-4o']![0]).toBeCloseTo((19 * 1 + 10 * 2) / 1e6, 12);
      expect(cost['gpt-4o']![1]).toBe('model_metrics_sources');
      expect(cost['gpt-4o-mini']![1]).toBe('genai-prices');
      expect(cost['gpt-4o-mini']![0]).toBeGreaterThan(0);
      expect(cost['ollama/llama3.1']).toEqual([null, null]);
    } finally {
      catalogue.close();
    }
  });
});

describe('where the live view is served', () => {
  it('is not served on a non-loopback address without --live-view-public, and says why', async () => {
    const gateway = await plano(['--host', '0.0.0.0']);
    expect(gateway.stdout()).toContain('Live view: not served: the gateway listens on 0.0.0.0, not a loopback address');
    const port = new URL(gateway.url).port;
    const response = await fetch(`http://127.0.0.1:${port}/_plano/`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('--live-view-public');
  });

  it('is served there with --live-view-public, with a warning', async () => {
    const gateway = await plano(['--host', '0.0.0.0', '--live-view-public']);
    expect(gateway.stderr()).toMatch(/warning: --live-view-public: the live view at .* shows every call made through this gateway/);
    const port = new URL(gateway.url).port;
    const response = await fetch(`http://127.0.0.1:${port}/_plano/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it('answers only to loopback host names on a loopback gateway (DNS rebinding), and not at all with --no-live-view', async () => {
    const gateway = await plano([]);
    // fetch() sets Host itself: node:http sends the one a rebinding page's browser would.
    expect(await statusWithHost(`${gateway.url}/_plano/api/calls`, 'attacker.example')).toBe(403);
    expect(await statusWithHost(`${gateway.url}/_plano/api/calls`, `localhost:${new URL(gateway.url).port}`)).toBe(200);

    const without = await plano(['--no-live-view']);
    expect(without.stdout()).not.toContain('Live view');
    expect((await fetch(`${without.url}/_plano/`)).status).toBe(404);
  });
});
