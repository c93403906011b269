import { describe, expect, it } from 'vitest';
import { createGatewayApp } from '../../src/server/app.js';
import { jsonOf, harness, jsonAnswer, logged, stubUpstream, testGateway, TEST_ENV, upstreamFixture } from './gateway-harness.js';

describe('routes', () => {
  it('GET /healthz answers 200', async () => {
    const { app } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
  });

  it('GET /v1/models lists every configured model in the OpenAI list shape', async () => {
    const { app, log } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const res = await app.request('/v1/models');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await jsonOf(res);
    expect(body.object).toBe('list');
    expect(body.data[0]).toEqual({ id: 'openai/gpt-4o', object: 'model', created: 0, owned_by: 'openai' });
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(testGateway().models.map((m) => m.canonical));
    expect(await logged(log)).toMatchObject({ method: 'GET', path: '/v1/models', status: 200 });
  });

  it('answers anything else with a JSON 404', async () => {
    const { app, log } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const unknown = await app.request('/v1/completions', { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect((await jsonOf(unknown)).error.message).toContain('no route for POST /v1/completions');
    const wrongMethod = await app.request('/v1/chat/completions');
    expect(wrongMethod.status).toBe(404);
    expect((await jsonOf(wrongMethod)).error.message).toBe('/v1/chat/completions is served for POST, not GET');
    expect((await logged(log, 2)).status).toBe(404);
  });

  it('serves each request with the gateway current when it arrived', async () => {
    const first = testGateway();
    const second = testGateway(TEST_ENV, upstreamFixture('gateway.yaml').replaceAll('gpt-4o-mini', 'gpt-4.1-mini'));
    let current = first;
    const upstream = stubUpstream(() => jsonAnswer('openai-chat-completion.json'));
    const app = createGatewayApp({ gateway: () => current, env: TEST_ENV, upstream: upstream.client });
    const ask = () =>
      app.request('/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'fast', messages: [] }) });
    await ask();
    current = second;
    await ask();
    expect(upstream.calls.map((c) => JSON.parse(c.body).model)).toEqual(['gpt-4o-mini', 'gpt-4.1-mini']);
  });

  it('lets another model selection plug in (the routing seam)', async () => {
    const gateway = testGateway();
    const upstream = stubUpstream(() => jsonAnswer('openai-chat-completion.json'));
    const app = createGatewayApp({
      gateway: () => gateway,
      env: TEST_ENV,
      upstream: upstream.client,
      selectModel: async (g, request) => ({ found: true, requested: request.requested ?? '', model: g.models[1]!, via: 'name' }),
    });
    await app.request('/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'gpt-4o', messages: [] }) });
    expect(JSON.parse(upstream.calls[0]!.body).model).toBe('gpt-4o-mini');
  });
});
