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

  it('HEAD /v1/models: no body, and the content-length a GET has', async () => {
    const { app } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const get = await app.request('/v1/models');
    const head = await app.request('/v1/models', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(await get.text())));
  });

  it('OPTIONS /v1/models: the CORS preflight Plano answers (204), and the list any origin may read', async () => {
    const { app, log } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const preflight = await app.request('/v1/models', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(await preflight.text()).toBe('');
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      allow: 'GET, OPTIONS',
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'Authorization, Content-Type',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
    });
    expect(await logged(log)).toMatchObject({ method: 'OPTIONS', path: '/v1/models', status: 204 });
    const list = await app.request('/v1/models', { headers: { origin: 'http://localhost:5173', authorization: 'Bearer unused' } });
    expect(list.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers anything else with a JSON 404', async () => {
    const { app, log } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const unknown = await app.request('/v1/completions', { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect((await jsonOf(unknown)).error.message).toContain('no route for POST /v1/completions');
    expect((await logged(log)).status).toBe(404);
  });

  it('a model API path asked with another method: 405 with Allow: POST, in that API’s error shape', async () => {
    const { app, log } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const chat = await app.request('/v1/chat/completions');
    expect(chat.status).toBe(405);
    expect(chat.headers.get('allow')).toBe('POST');
    expect((await jsonOf(chat)).error).toMatchObject({ type: 'invalid_request_error', code: 'method_not_allowed', message: '/v1/chat/completions is served for POST, not GET' });
    expect(await logged(log)).toMatchObject({ method: 'GET', path: '/v1/chat/completions', status: 405 });
    for (const method of ['GET', 'OPTIONS']) {
      const messages = await app.request('/v1/messages', { method });
      expect(messages.status).toBe(405);
      expect(messages.headers.get('allow')).toBe('POST');
      expect(await jsonOf(messages)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: `/v1/messages is served for POST, not ${method}` } });
    }
  });

  it('an internal error at a model API path is answered in that API’s error shape', async () => {
    const gateway = testGateway();
    const upstream = stubUpstream(() => jsonAnswer('anthropic-message.json'));
    const failing = {
      selectModel: () => Promise.reject(new Error('unused')),
      decision: () => Promise.reject(new Error('router state lost')),
    };
    const app = createGatewayApp({ gateway: () => gateway, env: TEST_ENV, upstream: upstream.client, routing: () => failing });
    const messages = await app.request('/routing/v1/messages', { method: 'POST', body: '{}' });
    expect(messages.status).toBe(500);
    expect(await jsonOf(messages)).toEqual({ type: 'error', error: { type: 'api_error', message: 'internal error in plano: router state lost' } });
    const chat = await app.request('/routing/v1/chat/completions', { method: 'POST', body: '{}' });
    expect((await jsonOf(chat)).error).toMatchObject({ type: 'api_error', message: 'internal error in plano: router state lost' });
    const notServed = await app.request('/routing/v1/messages');
    expect(notServed.status).toBe(405);
    expect((await jsonOf(notServed)).type).toBe('error');
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
