import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/resolve/check.js';
import { resolveGateway } from '../../src/resolve/resolve.js';
import type { Gateway } from '../../src/resolve/types.js';
import type { ModelMetrics } from '../../src/routing/ranking.js';
import { decideRoute, recordServedModel, routeLabel, type RoutingContext } from '../../src/routing/router.js';
import { createRoutingContext, routingSettings, type RoutingSettings } from '../../src/routing/settings.js';
import { routerCall } from '../../src/server/routing-http.js';
import { createUpstreamClient, type UpstreamClient } from '../../src/server/upstream-client.js';
import type { JsonObject } from '../../src/translate/types.js';
import { fixtureJson, fixtureText, routingConfig, routingConfigText } from './fixture-config.js';
import { chatAnswer, startMockUpstream, type MockReply, type MockUpstream } from './mock-upstream.js';

let reply: () => MockReply = () => chatAnswer('{"route": []}');
let router: MockUpstream;
let client: UpstreamClient;

beforeAll(async () => {
  router = await startMockUpstream(() => reply());
  client = createUpstreamClient();
});
afterAll(async () => {
  await client.close();
  await router.stop();
});
beforeEach(() => {
  router.requests.length = 0;
});

interface Setup {
  ctx: RoutingContext;
  settings: RoutingSettings;
  gateway: Gateway;
  clock: { now: number };
}

function setup(options: { routerUrl?: string; metrics?: ModelMetrics; timeoutMs?: number } = {}): Setup {
  const config = routingConfig({ router: options.routerUrl ?? router.url });
  const gateway = resolveGateway(config, { env: {} });
  const settings = routingSettings(config, gateway);
  if (options.timeoutMs !== undefined) settings.timeoutMs = options.timeoutMs;
  const clock = { now: 0 };
  const call = routerCall(settings.router!, client, {});
  const ctx = createRoutingContext(settings, gateway, {
    callRouter: (body, signal) => call(body, signal),
    ...(options.metrics ? { metrics: () => options.metrics! } : {}),
    now: () => clock.now,
  });
  return { ctx, settings, gateway, clock };
}

const chat = (text: string, extra: JsonObject = {}): JsonObject => ({ messages: [{ role: 'user', content: text }], ...extra });

describe('decideRoute against a router model on 127.0.0.1', () => {
  it('sends the fixture prompt to the configured router model and follows the matched route', async () => {
    reply = () => chatAnswer('{"route": ["code generation"]}');
    const { ctx } = setup();
    const decision = await decideRoute({ api: 'chat_completions', body: fixtureJson('conversation.chat.json') }, ctx);

    expect(decision).toMatchObject({
      route: 'code generation',
      models: ['openai/gpt-5', 'openai/gpt-4.1'],
      model: 'openai/gpt-5',
      source: 'router',
      pinned: false,
    });
    expect(router.requests).toHaveLength(1);
    const sent = router.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.json).toEqual({
      model: 'Arch-Router-1.5B',
      messages: [{ role: 'user', content: fixtureText('router-prompt.txt') }],
      temperature: 0.01,
    });
    expect(routeLabel(decision)).toBe('code generation');
  });

  it('sends the default model when the router matches no route', async () => {
    reply = () => chatAnswer('{"route": []}');
    const decision = await decideRoute({ api: 'messages', body: chat('hello there') }, setup().ctx);
    expect(decision).toMatchObject({ route: null, models: ['openai/gpt-4o-mini'], model: 'openai/gpt-4o-mini', source: 'default' });
    expect(decision.reason).toBe('the router matched no route');
    expect(routeLabel(decision)).toBe('default');
  });

  it('falls back to the default model, saying why, when the router answers an error', async () => {
    reply = () => ({ status: 503, body: { error: { message: 'model is loading', type: 'server_error' } } });
    const decision = await decideRoute({ api: 'chat_completions', body: chat('write a poem') }, setup().ctx);
    expect(decision).toMatchObject({ route: null, model: 'openai/gpt-4o-mini', source: 'default' });
    expect(decision.reason).toBe('the router failed: the router model answered HTTP 503: model is loading');
  });

  it('falls back when the router cannot be reached', async () => {
    const closed = await startMockUpstream(() => 'hang');
    await closed.stop();
    const decision = await decideRoute({ api: 'chat_completions', body: chat('write a poem') }, setup({ routerUrl: closed.url }).ctx);
    expect(decision).toMatchObject({ model: 'openai/gpt-4o-mini', source: 'default' });
    expect(decision.reason).toMatch(/^the router failed: could not reach http:\/\/127\.0\.0\.1:\d+: connection refused/);
  });

  it('falls back when the router does not answer within the configured wait', async () => {
    reply = () => 'hang';
    const decision = await decideRoute({ api: 'chat_completions', body: chat('write a poem') }, setup({ timeoutMs: 150 }).ctx);
    expect(decision).toMatchObject({ route: null, model: 'openai/gpt-4o-mini', source: 'default' });
    expect(decision.reason).toBe('the router did not answer within 150 ms');
  });

  it.each([
    ["{'route': ['creative writing']}", 'creative writing'],
    ['The best route is {"route": ["creative writing"]} because it is a story.', 'creative writing'],
    ['{"route": ["poetry", "creative writing"]}', 'creative writing'],
  ])('reads the malformed answer %j', async (answer, route) => {
    reply = () => chatAnswer(answer);
    const decision = await decideRoute({ api: 'responses', body: { input: 'write a story about a fox' } }, setup().ctx);
    expect(decision).toMatchObject({ route, models: ['groq/llama-3.3-70b-versatile'], source: 'router' });
  });

  it('notes unknown route names it ignored', async () => {
    reply = () => chatAnswer('{"route": ["poetry", "creative writing"]}');
    const decision = await decideRoute({ api: 'chat_completions', body: chat('a story') }, setup().ctx);
    expect(decision.notes).toContain('unknown routes ignored: poetry');
  });

  it.each([
    ['only unknown route names', '{"route": ["poetry"]}', 'the router named no configured route ("poetry" unknown)'],
    ['prose', 'This looks like creative writing to me.', `the router's answer holds no JSON route list: "This looks like creative writing to me."`],
  ])('falls back on an answer of %s', async (_, answer, reason) => {
    reply = () => chatAnswer(answer);
    const decision = await decideRoute({ api: 'chat_completions', body: chat('a story') }, setup().ctx);
    expect(decision).toMatchObject({ route: null, model: 'openai/gpt-4o-mini', source: 'default', reason });
  });

  it('ranks the matched route by its selection policy', async () => {
    reply = () => chatAnswer('{"route": ["complex reasoning"]}');
    const metrics: ModelMetrics = {
      cost: new Map([['openai/gpt-5', 11.25], ['openai/gpt-4.1', 10]]),
      prices: new Map([['openai/gpt-5', { input: 1.25, output: 10 }], ['openai/gpt-4.1', { input: 2, output: 8 }]]),
      latency: new Map(),
      available: new Set(['cost']),
    };
    const decision = await decideRoute({ api: 'chat_completions', body: chat('prove that √2 is irrational') }, setup({ metrics }).ctx);
    expect(decision).toMatchObject({ route: 'complex reasoning', models: ['openai/gpt-4.1', 'openai/gpt-5'], model: 'openai/gpt-4.1' });
  });

  it('never reroutes a request that names a model', async () => {
    reply = () => chatAnswer('{"route": ["creative writing"]}');
    const decision = await decideRoute({ api: 'chat_completions', body: chat('a story', { model: 'openai/gpt-4.1' }) }, setup().ctx);
    expect(decision).toMatchObject({ route: null, models: ['openai/gpt-4.1'], model: 'openai/gpt-4.1', source: 'explicit' });
    expect(router.requests).toHaveLength(0);
  });

  it('names the configured model an explicit name stands for, or says it is not configured', async () => {
    const { ctx } = setup();
    const short = await decideRoute({ api: 'chat_completions', body: chat('x', { model: 'gpt-4.1' }) }, ctx);
    expect(short).toMatchObject({ models: ['openai/gpt-4.1'], model: 'openai/gpt-4.1', source: 'explicit' });
    expect(short.reason).toBeUndefined();
    const unknown = await decideRoute({ api: 'chat_completions', body: chat('x', { model: 'gpt-9' }) }, ctx);
    expect(unknown).toMatchObject({ model: 'gpt-9', source: 'explicit', reason: "'gpt-9' is not a configured model" });
    expect(router.requests).toHaveLength(0);
  });

  it('treats an empty model as no model', async () => {
    reply = () => chatAnswer('{"route": ["creative writing"]}');
    const decision = await decideRoute({ api: 'chat_completions', body: chat('a story', { model: '' }) }, setup().ctx);
    expect(decision.route).toBe('creative writing');
  });

  it('does not ask the router when the request has no text to route on', async () => {
    const body = { messages: [{ role: 'system', content: 'be brief' }] };
    const decision = await decideRoute({ api: 'chat_completions', body }, setup().ctx);
    expect(decision).toMatchObject({ source: 'default', reason: 'the request has no user or assistant text to route on' });
    expect(router.requests).toHaveLength(0);
  });
});

describe('a chat model of another wire API as the router', () => {
  it('asks an Anthropic model through the Messages API, with its key', async () => {
    const config = routingConfig();
    config.providers.push({ pointer: '/model_providers/9', model: 'anthropic/claude-haiku-4-5', base_url: router.url, access_key: '$ANTHROPIC_API_KEY' });
    config.overrides.llm_routing_model = 'anthropic/claude-haiku-4-5';
    const env = { ANTHROPIC_API_KEY: 'sk-ant-test' };
    const gateway = resolveGateway(config, { env });
    const settings = routingSettings(config, gateway);
    const call = routerCall(settings.router!, client, env);
    const ctx = createRoutingContext(settings, gateway, { callRouter: (body, signal) => call(body, signal) });
    reply = () => ({
      body: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-haiku-4-5',
        content: [{ type: 'text', text: '{"route": ["creative writing"]}' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 900, output_tokens: 9 },
      },
    });

    const decision = await decideRoute({ api: 'chat_completions', body: chat('a story about a fox') }, ctx);
    expect(decision).toMatchObject({ route: 'creative writing', source: 'router' });
    const sent = router.requests[0]!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('sk-ant-test');
    expect(sent.json).toMatchObject({ model: 'claude-haiku-4-5', temperature: 0.01 });
    expect(JSON.stringify(sent.json?.messages)).toContain('a story about a fox');
  });
});

describe('session affinity', () => {
  it('pins a session to its first routed decision until the TTL passes', async () => {
    const { ctx, clock } = setup();
    reply = () => chatAnswer('{"route": ["code generation"]}');
    const first = await decideRoute({ api: 'chat_completions', body: chat('write a parser'), sessionId: 'sess-1' }, ctx);
    expect(first).toMatchObject({ route: 'code generation', model: 'openai/gpt-5', pinned: false, sessionId: 'sess-1' });

    reply = () => chatAnswer('{"route": ["creative writing"]}');
    clock.now += 599_000;
    const second = await decideRoute({ api: 'chat_completions', body: chat('now a poem'), sessionId: 'sess-1' }, ctx);
    expect(second).toMatchObject({ route: 'code generation', model: 'openai/gpt-5', source: 'session', pinned: true });
    expect(router.requests).toHaveLength(1);

    const other = await decideRoute({ api: 'chat_completions', body: chat('now a poem'), sessionId: 'sess-2' }, ctx);
    expect(other).toMatchObject({ route: 'creative writing', pinned: false });

    clock.now += 1_000;
    const expired = await decideRoute({ api: 'chat_completions', body: chat('now a poem'), sessionId: 'sess-1' }, ctx);
    expect(expired).toMatchObject({ route: 'creative writing', model: 'groq/llama-3.3-70b-versatile', pinned: false });
  });

  it('does not pin after a router failure', async () => {
    const { ctx } = setup();
    reply = () => ({ status: 500, body: 'oops' });
    await decideRoute({ api: 'chat_completions', body: chat('write a parser'), sessionId: 's' }, ctx);
    reply = () => chatAnswer('{"route": ["code generation"]}');
    const next = await decideRoute({ api: 'chat_completions', body: chat('write a parser'), sessionId: 's' }, ctx);
    expect(next).toMatchObject({ route: 'code generation', pinned: false });
  });

  it('keeps the session on the model that served after a fallback', async () => {
    const { ctx } = setup();
    reply = () => chatAnswer('{"route": ["code generation"]}');
    const first = await decideRoute({ api: 'chat_completions', body: chat('write a parser'), sessionId: 's' }, ctx);
    await recordServedModel(ctx, first, 'openai/gpt-4.1');
    const next = await decideRoute({ api: 'chat_completions', body: chat('more'), sessionId: 's' }, ctx);
    expect(next).toMatchObject({ models: ['openai/gpt-4.1', 'openai/gpt-5'], model: 'openai/gpt-4.1', pinned: true });
  });

  it('leaves an explicit model alone even in a pinned session', async () => {
    const { ctx } = setup();
    reply = () => chatAnswer('{"route": ["code generation"]}');
    await decideRoute({ api: 'chat_completions', body: chat('write a parser'), sessionId: 's' }, ctx);
    const explicit = await decideRoute({ api: 'chat_completions', body: chat('x', { model: 'groq/llama-3.3-70b-versatile' }), sessionId: 's' }, ctx);
    expect(explicit).toMatchObject({ model: 'groq/llama-3.3-70b-versatile', source: 'explicit' });
  });
});

describe('routing settings', () => {
  it('reads the router model, its wait and the session limits from the config', () => {
    const { settings } = setup();
    expect(settings.router?.name).toBe('plano/Arch-Router-1.5B');
    expect(settings.routerSource).toEqual({ kind: 'configured', name: 'plano/Arch-Router-1.5B' });
    expect(settings.timeoutMs).toBe(2000);
    expect(settings.sessions).toEqual({ maxEntries: 100, ttlMs: 600_000 });
    expect(settings.defaultModel).toBe('openai/gpt-4o-mini');
    expect(settings.problems).toEqual([]);
  });

  it('leaves a route that prefers cheapest or fastest without a source to validate: one warning, located, not a second one here', () => {
    // "complex reasoning" prefers cheapest; without the cost source nothing can rank it.
    const text = routingConfigText().replace(/^model_metrics_sources:\n(?: .*\n)+/m, '');
    const { config, diagnostics } = checkConfig(text, 'plano_config.yaml');
    expect(config!.metricsSources).toEqual([]);
    const preferring = config!.routingPreferences.filter((p) => p.selection_policy?.prefer === 'cheapest' || p.selection_policy?.prefer === 'fastest');
    expect(preferring.length).toBeGreaterThan(0);
    expect(diagnostics.filter((d) => d.code === 'selection-policy-without-metrics')).toHaveLength(preferring.length);
    expect(routingSettings(config!, resolveGateway(config!, { env: {} })).problems).toEqual([]);
  });

  it('uses the hosted Plano-Orchestrator without llm_routing_model', () => {
    const config = routingConfig();
    delete config.overrides.llm_routing_model;
    const settings = routingSettings(config, resolveGateway(config, { env: {} }));
    expect(settings.routerSource).toEqual({ kind: 'hosted' });
    expect(settings.router?.endpoints.chat_completions.url).toBe('https://archfc.katanemo.dev/v1/chat/completions');
    expect(settings.router?.model).toBe('Plano-Orchestrator');
    expect(settings.router?.auth.mode).toBe('none');
  });

  it('reads llm_routing_model: Plano-Orchestrator that no entry serves as the hosted router', () => {
    const config = routingConfig();
    config.overrides.llm_routing_model = 'Plano-Orchestrator';
    const settings = routingSettings(config, resolveGateway(config, { env: {} }));
    expect(settings.routerSource).toEqual({ kind: 'hosted' });
    expect(settings.router?.endpoints.chat_completions.url).toBe('https://archfc.katanemo.dev/v1/chat/completions');
    expect(settings.problems).toEqual([]);
  });

  it('reports an llm_routing_model that is not configured, and the router then falls back', async () => {
    const config = routingConfig();
    config.overrides.llm_routing_model = 'plano/Arch-Router';
    const gateway = resolveGateway(config, { env: {} });
    const settings = routingSettings(config, gateway);
    expect(settings.router).toBeNull();
    expect(settings.problems[0]).toMatch(/^overrides\.llm_routing_model 'plano\/Arch-Router' is not a configured model/);
    const ctx = createRoutingContext(settings, gateway, { callRouter: () => Promise.resolve('{"route": ["code generation"]}') });
    const decision = await decideRoute({ api: 'chat_completions', body: chat('write a parser') }, ctx);
    expect(decision.source).toBe('default');
    expect(decision.reason).toMatch(/^the router failed: overrides\.llm_routing_model/);
  });
});
