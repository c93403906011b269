/**
 * Preference routing in the gateway (issue 7): the app with routing, its models answered by the
 * in-process stub upstream (so each test decides per model), the router model and the cost
 * catalogue served by a mock on 127.0.0.1 and reached over real HTTP.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveGateway } from '../../src/resolve/resolve.js';
import { formatAccessLog } from '../../src/server/access-log.js';
import { createGatewayApp } from '../../src/server/app.js';
import { createGatewayRouting } from '../../src/server/routing.js';
import { prepareRouting } from '../../src/server/routing-http.js';
import { createUpstreamClient, type UpstreamClient } from '../../src/server/upstream-client.js';
import { fixtureJson, routingConfig } from '../routing/fixture-config.js';
import { chatAnswer, startMockUpstream, type MockReply, type MockUpstream } from '../routing/mock-upstream.js';
import { jsonAnswer, jsonOf, logged, recordedLog, sseAnswer, stubUpstream, type RecordedCall, type StubAnswer } from './gateway-harness.js';

const ENV = { OPENAI_API_KEY: 'sk-openai', GROQ_API_KEY: 'gsk-groq' };

let routerReply: () => MockReply = () => chatAnswer('{"route": []}');
let mock: MockUpstream;
let routerClient: UpstreamClient;

beforeAll(async () => {
  mock = await startMockUpstream((request) => (request.path === '/models.dev.json' ? { body: fixtureJson('models.dev.json') } : routerReply()));
  routerClient = createUpstreamClient();
});
afterAll(async () => {
  await routerClient.close();
  await mock.stop();
});
beforeEach(() => {
  mock.requests.length = 0;
});

const routerCalls = () => mock.requests.filter((r) => r.path === '/v1/chat/completions');
const upstreamModel = (call: RecordedCall): string => JSON.parse(call.body).model;

/** The gateway for the routing fixture; `answer` answers the models' upstream calls. */
async function gatewayWithRouting(answer: (call: RecordedCall) => StubAnswer | Error, options: { timeoutMs?: number } = {}) {
  const config = routingConfig({ router: mock.url, upstream: mock.url });
  const gateway = resolveGateway(config, { env: ENV });
  const clock = { now: 0 };
  const prepared = await prepareRouting(config, gateway, { client: routerClient, env: ENV, now: () => clock.now, ...options });
  const routing = createGatewayRouting(prepared);
  const upstream = stubUpstream(answer);
  const { log, write } = recordedLog();
  const app = createGatewayApp({ gateway: () => gateway, env: ENV, upstream: upstream.client, log: write, routing: () => routing });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { post, calls: upstream.calls, log, clock, warnings: prepared.warnings };
}

const ask = (text: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content: text }], ...extra });
const ok = () => jsonAnswer('openai-chat-completion.json');

describe('a request that names no model', () => {
  it('is served by the first model of the route the router matched, and says so in headers and the log', async () => {
    routerReply = () => chatAnswer('{"route": ["code generation"]}');
    const { post, calls, log, warnings } = await gatewayWithRouting(ok);
    expect(warnings).toEqual([]);
    const res = await post('/v1/chat/completions', ask('write a function that reverses a list'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-plano-route')).toBe('code generation');
    expect(res.headers.get('x-plano-model')).toBe('openai/gpt-5');
    expect(calls.map(upstreamModel)).toEqual(['gpt-5']);
    expect(routerCalls()).toHaveLength(1);
    const entry = await logged(log);
    expect(entry).toMatchObject({ route: 'code generation', model: 'openai/gpt-5', requested: null, status: 200 });
    expect(formatAccessLog(entry, 'text')).toContain('(default) → openai/gpt-5 [openai] route="code generation" 200');
    expect(JSON.parse(formatAccessLog(entry, 'json'))).toMatchObject({ route: 'code generation', model: 'openai/gpt-5', routing_notes: [] });
  });

  it('ranks the route by its selection policy with the cost source fetched at startup', async () => {
    routerReply = () => chatAnswer('{"route": ["complex reasoning"]}');
    const { post, calls } = await gatewayWithRouting(ok);
    const res = await post('/v1/chat/completions', ask('prove that √2 is irrational', { model: '' }));
    expect(res.headers.get('x-plano-model')).toBe('openai/gpt-4.1');
    expect(calls.map(upstreamModel)).toEqual(['gpt-4.1']);
  });

  it.each([
    [429, 'openai-error-rate-limit.json'],
    [503, 'openai-error-rate-limit.json'],
  ])('moves to the next model when the first answers %i', async (status, fixture) => {
    routerReply = () => chatAnswer('{"route": ["code generation"]}');
    const { post, calls, log } = await gatewayWithRouting((call) => (upstreamModel(call) === 'gpt-5' ? jsonAnswer(fixture, status) : ok()));
    const res = await post('/v1/chat/completions', ask('write a parser'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-plano-model')).toBe('openai/gpt-4.1');
    expect(calls.map(upstreamModel)).toEqual(['gpt-5', 'gpt-4.1']);
    const entry = await logged(log);
    expect(entry.model).toBe('openai/gpt-4.1');
    expect(entry.routingNotes).toEqual([`openai/gpt-5 answered HTTP ${status}; trying openai/gpt-4.1`]);
  });

  it('moves to the next model when the first cannot be connected to', async () => {
    routerReply = () => chatAnswer('{"route": ["code generation"]}');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const { post, calls, log } = await gatewayWithRouting((call) => (upstreamModel(call) === 'gpt-5' ? refused : ok()));
    const res = await post('/v1/chat/completions', ask('write a parser'));
    expect(res.status).toBe(200);
    expect(calls.map(upstreamModel)).toEqual(['gpt-5', 'gpt-4.1']);
    expect((await logged(log)).routingNotes[0]).toMatch(/^openai\/gpt-5: could not reach .*connection refused.*; trying openai\/gpt-4\.1$/);
  });

  it("answers the last model's error when every model of the route fails, with the routing headers", async () => {
    routerReply = () => chatAnswer('{"route": ["code generation"]}');
    const { post, calls } = await gatewayWithRouting(() => jsonAnswer('openai-error-rate-limit.json', 429));
    const res = await post('/v1/chat/completions', ask('write a parser'));
    expect(res.status).toBe(429);
    expect(res.headers.get('x-plano-route')).toBe('code generation');
    expect(res.headers.get('x-plano-model')).toBe('openai/gpt-4.1');
    expect(calls).toHaveLength(2);
  });

  it('goes to the default model, logging why, when the router times out', async () => {
    routerReply = () => 'hang';
    const { post, calls, log } = await gatewayWithRouting(ok, { timeoutMs: 200 });
    const res = await post('/v1/chat/completions', ask('write a parser'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-plano-route')).toBe('default');
    expect(res.headers.get('x-plano-model')).toBe('openai/gpt-4o-mini');
    expect(calls.map(upstreamModel)).toEqual(['gpt-4o-mini']);
    expect((await logged(log)).routingNotes).toEqual(['default model: the router did not answer within 200 ms']);
  });

  it('reads a router answer that arrives gzip-compressed (a proxy in front of the router)', async () => {
    const { body } = chatAnswer('{"route": ["code generation"]}');
    routerReply = () => ({ headers: { 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(body)) });
    const { post, calls } = await gatewayWithRouting(ok);
    const res = await post('/v1/chat/completions', ask('write a function that reverses a list'));
    expect(res.headers.get('x-plano-route')).toBe('code generation');
    expect(calls.map(upstreamModel)).toEqual(['gpt-5']);
  });

  it('goes to the default model when the router answers nonsense or an error', async () => {
    const { post, log } = await gatewayWithRouting(ok);
    routerReply = () => chatAnswer('I would say code, probably.');
    const first = await post('/v1/chat/completions', ask('write a parser'));
    routerReply = () => ({ status: 500, body: { error: { message: 'CUDA out of memory' } } });
    const second = await post('/v1/chat/completions', ask('write a parser'));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.headers.get('x-plano-model')).toBe('openai/gpt-4o-mini');
    expect(second.headers.get('x-plano-route')).toBe('default');
    expect((await logged(log, 1)).routingNotes[0]).toMatch(/^default model: the router's answer holds no JSON route list/);
    expect((await logged(log, 2)).routingNotes).toEqual(['default model: the router failed: the router model answered HTTP 500: CUDA out of memory']);
  });

  it('carries the headers on a streamed answer and on a translated (Anthropic client) answer', async () => {
    routerReply = () => chatAnswer('{"route": ["creative writing"]}');
    const { post } = await gatewayWithRouting((call) => (JSON.parse(call.body).stream ? sseAnswer('openai-chat-stream.sse') : ok()));
    const streamed = await post('/v1/chat/completions', ask('a story', { stream: true }));
    expect(streamed.headers.get('x-plano-model')).toBe('groq/llama-3.3-70b-versatile');
    await streamed.text();
    const messages = await post('/v1/messages', { max_tokens: 100, messages: [{ role: 'user', content: 'a story' }] });
    expect(messages.status).toBe(200);
    expect(messages.headers.get('x-plano-route')).toBe('creative writing');
    expect((await jsonOf(messages)).type).toBe('message');
  });
});

describe('a request that names a model', () => {
  it('goes to that model, without asking the router or adding routing headers', async () => {
    routerReply = () => chatAnswer('{"route": ["creative writing"]}');
    const { post, calls, log } = await gatewayWithRouting(ok);
    const res = await post('/v1/chat/completions', ask('a story', { model: 'openai/gpt-4.1' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-plano-route')).toBeNull();
    expect(calls.map(upstreamModel)).toEqual(['gpt-4.1']);
    expect(routerCalls()).toHaveLength(0);
    expect((await logged(log)).route).toBeNull();
  });
});

describe('X-Model-Affinity', () => {
  it('pins the session to the model of its first routed request until the TTL passes', async () => {
    const { post, clock } = await gatewayWithRouting(ok);
    const session = { 'x-model-affinity': 'conversation-7' };
    routerReply = () => chatAnswer('{"route": ["code generation"]}');
    const first = await post('/v1/chat/completions', ask('write a parser'), session);
    routerReply = () => chatAnswer('{"route": ["creative writing"]}');
    const second = await post('/v1/chat/completions', ask('now a poem about it'), session);
    expect([first.headers.get('x-plano-model'), second.headers.get('x-plano-model')]).toEqual(['openai/gpt-5', 'openai/gpt-5']);
    expect(second.headers.get('x-plano-route')).toBe('code generation');
    expect(routerCalls()).toHaveLength(1);

    clock.now += 600_000;
    const expired = await post('/v1/chat/completions', ask('now a poem about it'), session);
    expect(expired.headers.get('x-plano-model')).toBe('groq/llama-3.3-70b-versatile');
  });

  it('keeps a session on the fallback model that served it', async () => {
    routerReply = () => chatAnswer('{"route": ["code generation"]}');
    let gpt5Limited = true;
    const { post } = await gatewayWithRouting((call) => (upstreamModel(call) === 'gpt-5' && gpt5Limited ? jsonAnswer('openai-error-rate-limit.json', 429) : ok()));
    const session = { 'x-model-affinity': 's-fallback' };
    await post('/v1/chat/completions', ask('write a parser'), session);
    gpt5Limited = false;
    const next = await post('/v1/chat/completions', ask('and tests'), session);
    expect(next.headers.get('x-plano-model')).toBe('openai/gpt-4.1');
  });
});

describe('the routing decision API', () => {
  it.each([
    ['/routing/v1/chat/completions', ask('write a parser')],
    ['/routing/v1/messages', { max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'text', text: 'write a parser' }] }] }],
    ['/routing/v1/responses', { input: 'write a parser' }],
  ])('%s answers the decision without calling the model', async (path, body) => {
    routerReply = () => chatAnswer('{"route": ["code generation"]}');
    const { post, calls } = await gatewayWithRouting(ok);
    const res = await post(path, body, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({ ...fixtureJson('decision-code-generation.json'), trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(calls).toHaveLength(0);
  });

  it('gives a decision a new trace id when the client’s traceparent is not a valid one (W3C: version ff, an all-zero id)', async () => {
    routerReply = () => chatAnswer('{"route": ["code generation"]}');
    const { post } = await gatewayWithRouting(ok);
    for (const traceparent of ['ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01']) {
      const { trace_id } = await jsonOf(await post('/routing/v1/chat/completions', ask('write a parser'), { traceparent }));
      expect(trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(traceparent).not.toContain(trace_id);
    }
  });

  it('reports a pinned session and an unmatched request', async () => {
    const { post } = await gatewayWithRouting(ok);
    routerReply = () => chatAnswer('{"route": []}');
    const unmatched = await jsonOf(await post('/routing/v1/chat/completions', ask('hello')));
    expect(unmatched).toMatchObject({ route: null, models: ['openai/gpt-4o-mini'], model: 'openai/gpt-4o-mini', source: 'default' });
    expect(unmatched.trace_id).toMatch(/^[0-9a-f]{32}$/);

    routerReply = () => chatAnswer('{"route": ["creative writing"]}');
    const session = { 'x-model-affinity': 'abc-123' };
    await post('/routing/v1/chat/completions', ask('a story'), session);
    const pinned = await jsonOf(await post('/routing/v1/chat/completions', ask('a story'), session));
    expect(pinned).toMatchObject({ route: 'creative writing', pinned: true, session_id: 'abc-123', source: 'session' });
  });

  it('answers 400 in the client API shape for a body that is not JSON', async () => {
    const { post, log } = await gatewayWithRouting(ok);
    const res = await post('/routing/v1/messages', '{"messages":');
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.type).toBe('error');
    expect(body.error.message).toMatch(/^the request body is not valid JSON/);
    expect((await logged(log)).status).toBe(400);
  });
});
