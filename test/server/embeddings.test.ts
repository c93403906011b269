/**
 * POST /v1/embeddings (issue 17): passed through to the providers that have an embeddings
 * endpoint, with model lookup, aliases, auth, retries and errors as for chat; a provider without
 * one answers a 404 in OpenAI's shape naming it.
 */
import { describe, expect, it } from 'vitest';
import { harness, jsonAnswer, logged, testGateway, TEST_ENV, upstreamFixture } from './gateway-harness.js';

const ENV = { ...TEST_ENV, GEMINI_API_KEY: 'gemini-configured' };
const CONFIG = `version: v0.3.0
listeners:
  - {type: model, name: llm, port: 12000, max_retries: 1}
model_providers:
  - model: openai/text-embedding-3-small
    access_key: $OPENAI_API_KEY
    default: true
  - model: azure_openai/embed-deployment
    base_url: https://myres.openai.azure.com
    access_key: $AZURE_OPENAI_API_KEY
  - model: gemini/gemini-embedding-001
    access_key: $GEMINI_API_KEY
  - model: ollama/nomic-embed-text
    base_url: http://localhost:11434
  - model: litellm/embed
    base_url: http://proxy.internal/litellm
    provider_interface: openai
    passthrough_auth: true
  - model: anthropic/claude-sonnet-4-5
    access_key: $ANTHROPIC_API_KEY
model_aliases:
  embed:
    target: openai/text-embedding-3-small
`;

function embeddingsHarness(answer = () => jsonAnswer('openai-embeddings.json')) {
  const gateway = testGateway(ENV, CONFIG);
  return harness(answer, { gateway: () => gateway, env: ENV });
}

describe('POST /v1/embeddings', () => {
  it.each([
    ['openai/text-embedding-3-small', 'https://api.openai.com', '/v1/embeddings', 'authorization', 'Bearer sk-configured-openai', 'text-embedding-3-small'],
    ['azure_openai/embed-deployment', 'https://myres.openai.azure.com', '/openai/deployments/embed-deployment/embeddings?api-version=2024-10-21', 'api-key', 'azure-configured', 'embed-deployment'],
    ['gemini/gemini-embedding-001', 'https://generativelanguage.googleapis.com', '/v1beta/openai/embeddings', 'authorization', 'Bearer gemini-configured', 'gemini-embedding-001'],
    ['ollama/nomic-embed-text', 'http://localhost:11434', '/v1/embeddings', undefined, undefined, 'nomic-embed-text'],
    ['embed', 'https://api.openai.com', '/v1/embeddings', 'authorization', 'Bearer sk-configured-openai', 'text-embedding-3-small'],
  ])('%s → %s%s', async (model, origin, path, authHeader, authValue, upstreamModel) => {
    const { post, calls, log } = embeddingsHarness();
    const res = await post('/v1/embeddings', { model, input: ['hello world'], encoding_format: 'float' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(upstreamFixture('openai-embeddings.json'));
    expect([calls[0]!.origin, calls[0]!.path]).toEqual([origin, path]);
    if (authHeader) expect(calls[0]!.headers[authHeader]).toBe(authValue);
    expect(JSON.parse(calls[0]!.body)).toEqual({ model: upstreamModel, input: ['hello world'], encoding_format: 'float' });
    const entry = await logged(log);
    expect(entry).toMatchObject({ path: '/v1/embeddings', requested: model, usage: { input_tokens: 8 }, status: 200 });
  });

  it('passes the client’s own key to a custom OpenAI-compatible provider with passthrough_auth', async () => {
    const { post, calls } = embeddingsHarness();
    const res = await post('/v1/embeddings', { model: 'litellm/embed', input: 'x' }, { authorization: 'Bearer team-key' });
    expect(res.status).toBe(200);
    expect([calls[0]!.origin, calls[0]!.path, calls[0]!.headers['authorization']]).toEqual(['http://proxy.internal', '/litellm/embeddings', 'Bearer team-key']);
  });

  it('answers a provider without an embeddings endpoint with a 404 in OpenAI’s shape that names it', async () => {
    const { post, calls } = embeddingsHarness();
    const res = await post('/v1/embeddings', { model: 'anthropic/claude-sonnet-4-5', input: 'x' });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { type: string; code: string; param: string; message: string } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'embeddings_not_supported', param: 'model' });
    expect(body.error.message).toContain("model 'anthropic/claude-sonnet-4-5' is served by Anthropic, which has no embeddings endpoint");
    expect(calls).toHaveLength(0);
  });

  it('looks the model up as chat does: unknown → 404 with a suggestion; none named → 400 (no default for embeddings)', async () => {
    const { post } = embeddingsHarness();
    const unknown = await post('/v1/embeddings', { model: 'text-embedding-3-smal', input: 'x' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'model_not_found', message: expect.stringContaining("Did you mean 'text-embedding-3-small'") });
    const none = await post('/v1/embeddings', { input: 'x' });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('model_required');
  });

  it('retries as chat does (the listener’s max_retries)', async () => {
    let n = 0;
    const { post, calls, log } = embeddingsHarness(() => (n++ === 0 ? { status: 503, headers: { 'retry-after-ms': '1' }, chunks: ['{"error":{"message":"busy"}}'] } : jsonAnswer('openai-embeddings.json')));
    const res = await post('/v1/embeddings', { model: 'embed', input: 'x' });
    expect(res.status).toBe(200);
    expect(calls).toHaveLength(2);
    expect((await logged(log)).attempts).toBe(2);
  });
});
