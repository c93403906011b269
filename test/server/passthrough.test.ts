import { describe, expect, it } from 'vitest';
import { jsonOf, harness, jsonAnswer, logged, sseAnswer, upstreamFixture } from './gateway-harness.js';

describe('same-format traffic is passed through', () => {
  it('sends the client body byte for byte when the model id is already the upstream id', async () => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const body = '{"model": "gpt-4o",\n "messages": [{"role": "user", "content": "hi \\"there\\""}], "temperature": 0.50, "x_vendor_field": {"keep": [1, 2.0]}}';
    const res = await post('/v1/chat/completions', body);
    expect(res.status).toBe(200);
    expect(calls[0]!.body).toBe(body);
  });

  it('rewrites only the model value for an alias, leaving every other byte alone', async () => {
    const { post, calls, log } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const body = '{"messages":[{"role":"user","content":"say \\"model\\": no"}],"model":"fast","metadata":{"model":"keep me"},"top_p":1.0}';
    const res = await post('/v1/chat/completions', body);
    expect(res.status).toBe(200);
    expect(calls[0]!.body).toBe(body.replace('"model":"fast"', '"model":"gpt-4o-mini"'));
    expect(calls[0]!.path).toBe('/v1/chat/completions');
    const entry = await logged(log);
    expect(entry).toMatchObject({ requested: 'fast', model: 'openai/gpt-4o-mini', provider: 'openai', upstreamModel: 'gpt-4o-mini' });
  });

  it('adds the default model when the request names none', async () => {
    const { post, calls, log } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const res = await post('/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    expect(JSON.parse(calls[0]!.body)).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect((await logged(log)).requested).toBeNull();
  });

  it('returns the upstream status, headers and body unchanged, and logs the usage it reports', async () => {
    const answer = jsonAnswer('openai-chat-completion.json');
    answer.headers!['x-request-id'] = 'req_123';
    const { post, log } = harness(() => answer);
    const res = await post('/v1/chat/completions', { model: 'openai/gpt-4o', messages: [] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req_123');
    expect(await res.text()).toBe(upstreamFixture('openai-chat-completion.json'));
    const entry = await logged(log);
    expect(entry.usage).toEqual({ input_tokens: 19, output_tokens: 10 });
    expect(entry.status).toBe(200);
    expect(entry.ttfbMs).not.toBeNull();
  });

  it('pipes a chat stream as the upstream framed it, and reads usage from its last chunk', async () => {
    const { post, log, calls } = harness(() => sseAnswer('openai-chat-stream.sse'));
    const res = await post('/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [] });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await res.text()).toBe(upstreamFixture('openai-chat-stream.sse'));
    expect(JSON.parse(calls[0]!.body).stream_options).toEqual({ include_usage: true });
    const entry = await logged(log);
    expect(entry).toMatchObject({ stream: true, status: 200, usage: { input_tokens: 9, output_tokens: 3 } });
  });

  it('passes messages through to Anthropic, streaming, with usage from message_start and message_delta', async () => {
    const { post, log, calls } = harness(() => sseAnswer('anthropic-message-stream.sse'));
    const res = await post('/v1/messages?beta=true', { model: 'claude-sonnet-4-20250514', max_tokens: 64, stream: true, messages: [] });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(upstreamFixture('anthropic-message-stream.sse'));
    // The client's query string is not forwarded.
    expect(calls[0]!.path).toBe('/v1/messages');
    expect((await logged(log)).usage).toEqual({ input_tokens: 25, output_tokens: 15 });
  });

  it('passes a non-streamed message through to Anthropic', async () => {
    const { post, log } = harness(() => jsonAnswer('anthropic-message.json'));
    const res = await post('/v1/messages', { model: 'anthropic/claude-sonnet-4-20250514', max_tokens: 64, messages: [] });
    expect(await jsonOf(res)).toEqual(JSON.parse(upstreamFixture('anthropic-message.json')));
    expect((await logged(log)).usage).toEqual({ input_tokens: 2095, output_tokens: 503 });
  });

  it('passes responses through to OpenAI, JSON and streamed', async () => {
    const { post, log, calls } = harness((call) =>
      JSON.parse(call.body).stream ? sseAnswer('openai-responses-stream.sse') : jsonAnswer('openai-response.json'),
    );
    const plain = await post('/v1/responses', { model: 'gpt-4o', input: 'Tell me a story' });
    expect(await jsonOf(plain)).toEqual(JSON.parse(upstreamFixture('openai-response.json')));
    const streamed = await post('/v1/responses', { model: 'gpt-4o', input: 'Tell me a story', stream: true });
    expect(await streamed.text()).toBe(upstreamFixture('openai-responses-stream.sse'));
    expect(calls.map((c) => c.path)).toEqual(['/v1/responses', '/v1/responses']);
    expect((await logged(log, 1)).usage).toEqual({ input_tokens: 36, output_tokens: 87 });
    expect((await logged(log, 2)).usage).toEqual({ input_tokens: 37, output_tokens: 11 });
  });

  it('routes canonical names to their upstream ids and paths', async () => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'));
    await post('/v1/chat/completions', { model: 'openai/gpt-4o-mini', messages: [] });
    await post('/v1/chat/completions', { model: 'azure_openai/gpt-4o-deployment', messages: [] });
    expect(JSON.parse(calls[0]!.body).model).toBe('gpt-4o-mini');
    expect(JSON.parse(calls[1]!.body).model).toBe('gpt-4o-deployment');
    expect(calls[1]!.path).toBe('/openai/deployments/gpt-4o-deployment/chat/completions?api-version=2024-10-21');
  });
});
