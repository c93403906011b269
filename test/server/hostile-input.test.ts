/**
 * Issue 12, "a request must never freeze the gateway": what a client sends is bounded before
 * any work grows with it, and a model id never leaves its own URL path segment.
 */
import { describe, expect, it } from 'vitest';
import { MAX_MODEL_NAME_LENGTH } from '../../src/server/model-request.js';
import { harness, jsonAnswer, jsonOf, logged, testGateway, TEST_ENV } from './gateway-harness.js';

const WILDCARDS = `
version: v0.4.0
listeners:
  - name: llm
    type: model
    port: 12000
model_providers:
  - model: openai/gpt-4o
    base_url: http://127.0.0.1:1
    access_key: $OPENAI_API_KEY
    default: true
  - model: azure_openai/*
    base_url: http://127.0.0.1:1
    access_key: $AZURE_OPENAI_API_KEY
  - model: amazon_bedrock/*
    base_url: http://127.0.0.1:1
    access_key: $OPENAI_API_KEY
  - model: litellm/*
    base_url: http://127.0.0.1:1
    provider_interface: openai
    access_key: $OPENAI_API_KEY
`;

describe('absurd model names', () => {
  const gateway = testGateway(TEST_ENV, WILDCARDS);

  it.each([
    ['chat completions', '/v1/chat/completions', { messages: [] }],
    ['messages', '/v1/messages', { max_tokens: 8, messages: [] }],
    ['count_tokens', '/v1/messages/count_tokens', { messages: [] }],
  ])('a 1 MB model name under a wildcard: 400 naming the limit (%s), no upstream call, no did-you-mean work', async (_api, path, body) => {
    const { post, calls, log } = harness(() => jsonAnswer('openai-chat-completion.json'), { gateway: () => gateway });
    const res = await post(path, { ...body, model: `litellm/${'x'.repeat(1_000_000)}` });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain(`at most ${MAX_MODEL_NAME_LENGTH} characters`);
    expect(text).toContain('1000008 characters long');
    expect(text.length).toBeLessThan(1_000);
    expect(calls).toHaveLength(0);
    expect((await logged(log)).status).toBe(400);
  });

  it('a name at the limit is looked up as any other: unknown → 404 with the did-you-mean', async () => {
    const { post } = harness(() => jsonAnswer('openai-chat-completion.json'), { gateway: () => gateway });
    const name = `litelm/${'y'.repeat(MAX_MODEL_NAME_LENGTH - 'litelm/'.length)}`;
    const res = await post('/v1/chat/completions', { model: name, messages: [] });
    expect(res.status).toBe(404);
    expect((await jsonOf(res)).error.message).toContain(`Did you mean 'litellm/${'y'.repeat(10)}`);
  });
});

describe('a model id stays in its own path segment', () => {
  const gateway = testGateway(TEST_ENV, WILDCARDS);

  it.each(['azure_openai/..', 'azure_openai/.', 'amazon_bedrock/..', 'amazon_bedrock/.'])('%s reaches no upstream path', async (model) => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'), { gateway: () => gateway });
    const res = await post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(404);
    expect(calls).toHaveLength(0);
  });

  it('an escaped dot-dot is one segment, sent as such', async () => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'), { gateway: () => gateway });
    await post('/v1/chat/completions', { model: 'azure_openai/%2e%2e', messages: [{ role: 'user', content: 'hi' }] });
    expect(calls.map((c) => c.path)).toEqual(['/openai/deployments/%252e%252e/chat/completions?api-version=2024-10-21']);
  });
});

describe('a body nested deeper than plano walks', () => {
  // JSON.parse takes any depth (V8's is iterative); what plano does with the value afterwards
  // (JSON.stringify of the upstream body, the translators, count_tokens' estimate) recurses.
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  const schema = (deep: string) => `{"type":"object","properties":{"x":${deep}}}`;
  it.each([
    ['chat → Anthropic', '/v1/chat/completions', 'chat_completions', 200006, (deep: string) => `{"model":"anthropic/claude-sonnet-4-20250514","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${schema(deep)}}}]}`],
    ['messages → chat', '/v1/messages', 'messages', 200005, (deep: string) => `{"model":"openai/gpt-4o","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":${schema(deep)}}]}`],
    ['responses → Anthropic', '/v1/responses', 'responses', 200005, (deep: string) => `{"model":"anthropic/claude-sonnet-4-20250514","input":"hi","tools":[{"type":"function","name":"f","parameters":${schema(deep)}}]}`],
    ['count_tokens', '/v1/messages/count_tokens', 'messages', 200005, (deep: string) => `{"model":"openai/gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":${schema(deep)}}]}`],
  ])('%s: 400 in the client\'s shape saying how deep it is, no upstream call, and the next request is served', async (_case, path, shape, depth, body) => {
    const { post, calls, log } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const res = await post(path, body(nested(200_000)));
    expect(res.status).toBe(400);
    const answer = await jsonOf(res);
    expect(answer.type).toBe(shape === 'messages' ? 'error' : undefined);
    const error = answer.error;
    expect(error.message).toContain(`nested ${depth} levels deep`);
    expect(error.message).not.toContain('internal error');
    expect(calls).toHaveLength(0);
    expect((await logged(log)).status).toBe(400);

    const next = await post('/v1/chat/completions', { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(next.status).toBe(200);
  });

  it('a body nested a few hundred levels is served as any other', async () => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const res = await post('/v1/chat/completions', `{"model":"openai/gpt-4o","messages":[{"role":"user","content":"hi"}],"metadata":${nested(500)}}`);
    expect(res.status).toBe(200);
    expect(calls).toHaveLength(1);
  });
});
