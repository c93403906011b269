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
