import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, upstreamRequestHeaders } from '../../src/server/headers.js';
import { harness, jsonAnswer, testGateway } from './gateway-harness.js';

const gateway = testGateway();
const modelNamed = (name: string) => {
  const model = gateway.models.find((m) => m.name === name);
  if (!model) throw new Error(`no ${name} in the test gateway`);
  return model;
};

describe('client → upstream headers', () => {
  it('strips hop-by-hop headers, the ones Connection names, and what the gateway sets itself', () => {
    const out = upstreamRequestHeaders(
      {
        connection: 'keep-alive, X-Session-Hop',
        'x-session-hop': 'private to this hop',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        trailer: 'x-checksum',
        'transfer-encoding': 'chunked',
        upgrade: 'h2c',
        host: 'localhost:12000',
        'content-length': '123',
        'content-type': 'text/plain',
        'accept-encoding': 'gzip, br',
        'content-encoding': 'gzip',
        expect: '100-continue',
        cookie: 'session=abc',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        'user-agent': 'OpenAI/JS 6.49.0',
        'openai-organization': 'org-123',
        'x-stainless-lang': 'js',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
      modelNamed('openai/gpt-4o'),
      'sk-configured',
      'openai_chat',
    );
    expect(out).toEqual({
      'user-agent': 'OpenAI/JS 6.49.0',
      'x-stainless-lang': 'js',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      'content-type': 'application/json',
      authorization: 'Bearer sk-configured',
    });
  });

  it('never forwards the client’s own credential, in any of the headers SDKs put it in', () => {
    const clientKeys = { authorization: 'Bearer sk-client', 'x-api-key': 'sk-client', 'api-key': 'sk-client', 'x-goog-api-key': 'AIza-client', 'x-team': 'kept' };
    for (const name of ['openai/gpt-4o', 'anthropic/claude-sonnet-4-20250514']) {
      const out = upstreamRequestHeaders(clientKeys, modelNamed(name), 'sk-configured', modelNamed(name).endpoints.chat_completions.api);
      expect(Object.values(out).join(' ')).not.toMatch(/client/);
      expect(out['x-team']).toBe('kept');
    }
  });

  it('applies the config headers last and http_host as Host', () => {
    const out = upstreamRequestHeaders({ 'x-team': 'from-client', host: 'localhost' }, modelNamed('litellm/team-model'), 'sk-client', 'openai_chat');
    expect(out).toMatchObject({ 'x-team': 'research', host: 'llm-proxy.internal', authorization: 'Bearer sk-client' });
  });

  it('sends the upstream’s own Host when http_host is not set', () => {
    expect(upstreamRequestHeaders({ host: 'localhost:12000' }, modelNamed('openai/gpt-4o'), 'k', 'openai_chat').host).toBeUndefined();
  });

  it('keeps API families apart: anthropic-* only to Anthropic, openai-* only to OpenAI-style upstreams, neither to Bedrock', () => {
    const client = { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'tools-2024', 'openai-beta': 'assistants=v2', 'x-other': 'kept' };
    const toOpenAi = upstreamRequestHeaders(client, modelNamed('openai/gpt-4o'), 'k', 'openai_chat');
    expect(Object.keys(toOpenAi).filter((h) => h.startsWith('anthropic-'))).toEqual([]);
    expect(toOpenAi).toMatchObject({ 'openai-beta': 'assistants=v2', 'x-other': 'kept' });
    const toAnthropic = upstreamRequestHeaders(client, modelNamed('anthropic/claude-sonnet-4-20250514'), 'k', 'anthropic_messages');
    expect(toAnthropic).toMatchObject({ 'anthropic-version': '2023-06-01', 'anthropic-beta': 'tools-2024', 'x-other': 'kept' });
    expect(toAnthropic['openai-beta']).toBeUndefined();
    const toBedrock = upstreamRequestHeaders(client, modelNamed('openai/gpt-4o'), 'k', 'bedrock_converse');
    expect(Object.keys(toBedrock).filter((h) => h.startsWith('anthropic-') || h.startsWith('openai-'))).toEqual([]);
  });

  it('credential scope (OpenAI-Organization, OpenAI-Project) goes along with the client’s own key, never with the configured one', () => {
    const client = { 'openai-organization': 'org-client', 'openai-project': 'proj-client', authorization: 'Bearer sk-client' };
    const configured = upstreamRequestHeaders(client, modelNamed('openai/gpt-4o'), 'sk-configured', 'openai_chat');
    expect(configured['openai-organization']).toBeUndefined();
    expect(configured['openai-project']).toBeUndefined();
    const passthrough = upstreamRequestHeaders(client, modelNamed('litellm/team-model'), 'sk-client', 'openai_chat');
    expect(passthrough).toMatchObject({ 'openai-organization': 'org-client', 'openai-project': 'proj-client', authorization: 'Bearer sk-client' });
  });
});

describe('upstream → client headers', () => {
  it('drops hop-by-hop headers and cookies, keeps the rest', () => {
    const out = clientResponseHeaders(
      {
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'set-cookie': ['__cf_bm=abc; path=/'],
        'content-type': 'application/json',
        'content-length': '42',
        'x-request-id': 'req_1',
        'retry-after': '2',
      },
      false,
    );
    expect(out).toEqual({ 'content-type': 'application/json', 'x-request-id': 'req_1', 'retry-after': '2' });
  });

  it('keeps content-length when the body passes unchanged', () => {
    expect(clientResponseHeaders({ 'content-length': '42' }, true)).toEqual({ 'content-length': '42' });
  });
});

describe('headers through the gateway', () => {
  it('forwards client headers to the upstream and the upstream’s back', async () => {
    const answer = jsonAnswer('openai-chat-completion.json');
    answer.headers = { ...answer.headers, 'x-ratelimit-remaining-requests': '99', 'set-cookie': '__cf_bm=abc' };
    const { post, calls } = harness(() => answer);
    const res = await post('/v1/chat/completions', { model: 'team-model', messages: [] }, {
      authorization: 'Bearer sk-client',
      'openai-project': 'proj_1',
      'user-agent': 'curl/8.5.0',
    });
    expect(calls[0]!.headers).toMatchObject({
      'openai-project': 'proj_1',
      'user-agent': 'curl/8.5.0',
      'x-team': 'research',
      host: 'llm-proxy.internal',
    });
    expect(calls[0]!.origin).toBe('http://127.0.0.1:1');
    expect(calls[0]!.path).toBe('/litellm/chat/completions');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('99');
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});
