import { describe, expect, it } from 'vitest';
import { jsonOf, harness, jsonAnswer, logged, TEST_ENV } from './gateway-harness.js';

const CLIENT_KEY = 'sk-client-own-key';
const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('upstream credentials', () => {
  it('bearer: the configured key goes in Authorization, and the client key goes nowhere', async () => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'));
    await post('/v1/chat/completions', chat('gpt-4o'), { authorization: `Bearer ${CLIENT_KEY}`, 'x-api-key': CLIENT_KEY });
    const headers = calls[0]!.headers;
    expect(headers.authorization).toBe(`Bearer ${TEST_ENV.OPENAI_API_KEY}`);
    expect(headers['x-api-key']).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain(CLIENT_KEY);
  });

  it('x-api-key: the configured key and a default anthropic-version, unless the client sent its own version', async () => {
    const { post, calls } = harness(() => jsonAnswer('anthropic-message.json'));
    const body = { model: 'claude-sonnet-4-20250514', max_tokens: 16, messages: [] };
    await post('/v1/messages', body, { 'x-api-key': CLIENT_KEY });
    await post('/v1/messages', body, { 'x-api-key': CLIENT_KEY, 'anthropic-version': '2024-01-01', 'anthropic-beta': 'prompt-caching-2024-07-31' });
    expect(calls[0]!.headers).toMatchObject({ 'x-api-key': TEST_ENV.ANTHROPIC_API_KEY, 'anthropic-version': '2023-06-01' });
    expect(calls[0]!.headers.authorization).toBeUndefined();
    expect(calls[1]!.headers).toMatchObject({
      'x-api-key': TEST_ENV.ANTHROPIC_API_KEY,
      'anthropic-version': '2024-01-01',
      'anthropic-beta': 'prompt-caching-2024-07-31',
    });
  });

  it('api-key: Azure gets its api-key header and no Authorization', async () => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'));
    await post('/v1/chat/completions', chat('gpt-4o-deployment'), { authorization: `Bearer ${CLIENT_KEY}` });
    expect(calls[0]!.headers['api-key']).toBe(TEST_ENV.AZURE_OPENAI_API_KEY);
    expect(calls[0]!.headers.authorization).toBeUndefined();
  });

  it('passthrough: the client key, from either header, moves into the header the upstream expects', async () => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'));
    await post('/v1/chat/completions', chat('litellm/team-model'), { authorization: `Bearer ${CLIENT_KEY}` });
    await post('/v1/messages', { ...chat('team-model'), max_tokens: 8 }, { 'x-api-key': CLIENT_KEY });
    for (const call of calls) {
      expect(call.headers.authorization).toBe(`Bearer ${CLIENT_KEY}`);
      expect(call.headers['x-api-key']).toBeUndefined();
      for (const configured of Object.values(TEST_ENV)) expect(JSON.stringify(call.headers)).not.toContain(configured);
    }
  });

  it('passthrough without a client key: forwarded without authentication (the seed guide), the upstream answers', async () => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const res = await post('/v1/chat/completions', chat('litellm/team-model'));
    expect(res.status).toBe(200);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers.authorization).toBeUndefined();
    expect(calls[0]!.headers['x-api-key']).toBeUndefined();
  });

  it('passthrough without a client key, to an upstream that wants one: its own 401 reaches the client', async () => {
    const { post } = harness(() => jsonAnswer('openai-error-invalid-api-key.json', 401));
    const res = await post('/v1/chat/completions', chat('litellm/team-model'));
    expect(res.status).toBe(401);
    expect((await jsonOf(res)).error.code).toBe('invalid_api_key');
  });

  it('no access_key: nothing is sent, not even the client key', async () => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'));
    await post('/v1/chat/completions', chat('ollama/llama3.1'), { authorization: `Bearer ${CLIENT_KEY}`, 'x-api-key': CLIENT_KEY });
    expect(calls[0]!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(calls[0]!.headers)).not.toContain(CLIENT_KEY);
  });

  it('an unset key variable: a 401 naming the variable, in each client shape, and no upstream call', async () => {
    const { post, calls, log } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const chatRes = await post('/v1/chat/completions', chat('mistral-large-latest'), { authorization: `Bearer ${CLIENT_KEY}` });
    expect(chatRes.status).toBe(401);
    const chatBody = await jsonOf(chatRes);
    expect(chatBody.error).toMatchObject({ type: 'authentication_error', code: 'missing_api_key' });
    expect(chatBody.error.message).toContain('MISTRAL_API_KEY');

    const messagesRes = await post('/v1/messages', { ...chat('mistral/mistral-large-latest'), max_tokens: 8 });
    expect(messagesRes.status).toBe(401);
    const messagesBody = await jsonOf(messagesRes);
    expect(messagesBody.type).toBe('error');
    expect(messagesBody.error.type).toBe('authentication_error');
    expect(messagesBody.error.message).toContain('MISTRAL_API_KEY');
    expect(calls).toHaveLength(0);
    expect((await logged(log)).status).toBe(401);
  });

  it('reads the key from the environment object it was given, on each request (plano up gives a copy taken at start)', async () => {
    const env: Record<string, string | undefined> = { ...TEST_ENV };
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'), { env });
    expect((await post('/v1/chat/completions', chat('mistral-large-latest'))).status).toBe(401);
    env.MISTRAL_API_KEY = 'mistral-set-later';
    expect((await post('/v1/chat/completions', chat('mistral-large-latest'))).status).toBe(200);
    expect(calls[0]!.headers.authorization).toBe('Bearer mistral-set-later');
  });

  it('never writes a key into the access log', async () => {
    const { post, log } = harness(() => jsonAnswer('openai-chat-completion.json'));
    await post('/v1/chat/completions', chat('litellm/team-model'), { authorization: `Bearer ${CLIENT_KEY}` });
    await post('/v1/chat/completions', chat('gpt-4o'));
    await logged(log, 2);
    const text = JSON.stringify(log);
    expect(text).not.toContain(CLIENT_KEY);
    for (const configured of Object.values(TEST_ENV)) expect(text).not.toContain(configured);
  });
});
