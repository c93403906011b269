/**
 * Preference routing through the built `plano up` (issue 7): one gateway process, the router
 * model and every served model played by one mock on 127.0.0.1 (it answers by path and model),
 * driven by the official OpenAI and Anthropic SDKs with no model named.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureJson, routingConfigText } from '../routing/fixture-config.js';
import { chatAnswer, startMockUpstream, type MockUpstream, type RecordedRequest } from '../routing/mock-upstream.js';
import { upstreamFixture } from '../server/gateway-harness.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

const ENV = { OPENAI_API_KEY: 'sk-openai', GROQ_API_KEY: 'gsk-groq' };

/** What the router answers, by a word in the last user message. */
const ROUTES: [RegExp, string][] = [
  [/parser|function/, 'code generation'],
  [/story|poem/, 'creative writing'],
];
/** Upstream models that answer 429 (rate limited). */
const limited = new Set<string>();

let mock: MockUpstream;
let plano: PlanoUp;
let dir: string;
let openai: OpenAI;

function answer(request: RecordedRequest) {
  if (request.path === '/models.dev.json') return { body: fixtureJson('models.dev.json') };
  const model = String(request.json?.model);
  if (model === 'Arch-Router-1.5B') {
    const prompt = JSON.stringify(request.json?.messages);
    const conversation = prompt.slice(prompt.lastIndexOf('<conversation>'));
    const route = ROUTES.find(([pattern]) => pattern.test(conversation))?.[1];
    return chatAnswer(route ? `{"route": ["${route}"]}` : '{"route": []}');
  }
  if (limited.has(model)) return { status: 429, body: JSON.parse(upstreamFixture('openai-error-rate-limit.json')) as unknown };
  return { body: { ...(JSON.parse(upstreamFixture('openai-chat-completion.json')) as object), model } };
}

beforeAll(async () => {
  mock = await startMockUpstream(answer);
  dir = await mkdtemp(join(tmpdir(), 'plano-up-routing-'));
  await writeFile(join(dir, 'plano_config.yaml'), routingConfigText({ router: mock.url, upstream: mock.url }));
  plano = await startPlanoUp([], ENV, dir);
  openai = new OpenAI({ baseURL: `${plano.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  plano?.kill();
  await mock?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const servedModels = () => mock.requests.filter((r) => r.json?.model !== 'Arch-Router-1.5B' && r.path !== '/models.dev.json').map((r) => r.json?.model);

describe('plano up with routing_preferences', () => {
  it('says at startup that requests without a model are routed', () => {
    expect(plano.stdout()).toContain('Routing 3 routes (code generation, creative writing, complex reasoning) with plano/Arch-Router-1.5B');
  });

  it('routes a request without a model to the matched route, with the headers and the access log saying so', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: '', messages: [{ role: 'user', content: 'write a parser for INI files' }] })
      .withResponse();
    expect(data.model).toBe('gpt-5');
    expect(response.headers.get('x-plano-route')).toBe('code generation');
    expect(response.headers.get('x-plano-model')).toBe('openai/gpt-5');
    await plano.waitForStderr(/POST \/v1\/chat\/completions \(default\) → openai\/gpt-5 \[openai\] route="code generation" 200/);
  });

  it('routes an Anthropic client too (translated to the OpenAI upstream)', async () => {
    const anthropic = new Anthropic({ baseURL: plano.url, apiKey: 'unused', maxRetries: 0 });
    const { data, response } = await anthropic.messages
      .create({ model: '', max_tokens: 64, messages: [{ role: 'user', content: 'tell me a story about a fox' }] })
      .withResponse();
    expect(data.type).toBe('message');
    expect(response.headers.get('x-plano-model')).toBe('groq/llama-3.3-70b-versatile');
  });

  it('falls back to the next model of the route on 429, and logs it', async () => {
    limited.add('gpt-5');
    try {
      const before = mock.requests.length;
      const { response } = await openai.chat.completions
        .create({ model: '', messages: [{ role: 'user', content: 'a function to merge intervals' }] })
        .withResponse();
      expect(response.headers.get('x-plano-model')).toBe('openai/gpt-4.1');
      expect(servedModels().slice(-2)).toEqual(['gpt-5', 'gpt-4.1']);
      expect(mock.requests.length).toBeGreaterThan(before);
      await plano.waitForStderr(/routing="openai\/gpt-5 answered HTTP 429; trying openai\/gpt-4\.1"/);
    } finally {
      limited.delete('gpt-5');
    }
  });

  it('sends a request that names a model to that model, unrouted', async () => {
    const { response } = await openai.chat.completions
      .create({ model: 'openai/gpt-4.1', messages: [{ role: 'user', content: 'a story' }] })
      .withResponse();
    expect(response.headers.get('x-plano-route')).toBeNull();
    expect(servedModels().at(-1)).toBe('gpt-4.1');
  });

  it('answers the decision API without calling a model', async () => {
    const before = servedModels().length;
    const res = await fetch(`${plano.url}/routing/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'write me a poem' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ route: 'creative writing', models: ['groq/llama-3.3-70b-versatile'], model: 'groq/llama-3.3-70b-versatile' });
    expect(servedModels()).toHaveLength(before);
  });
});
