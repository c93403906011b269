import { errors as undiciErrors } from 'undici';
import { formatAccessLog } from '../../src/server/access-log.js';
import { describe, expect, it } from 'vitest';
import { jsonOf, harness, jsonAnswer, logged, sseAnswer, testGateway, TEST_ENV, upstreamFixture } from './gateway-harness.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

describe('errors the gateway answers itself', () => {
  it('unknown model: 404 model_not_found with a did-you-mean, in the OpenAI shape', async () => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const res = await post('/v1/chat/completions', { model: 'gpt-4o-mni', messages: [] });
    expect(res.status).toBe(404);
    const body = await jsonOf(res);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found', param: 'model' });
    expect(body.error.message).toContain("model 'gpt-4o-mni' is not configured");
    expect(body.error.message).toContain("Did you mean 'gpt-4o-mini'");
    expect(calls).toHaveLength(0);
  });

  it('unknown model: 404 not_found_error with a did-you-mean, in the Anthropic shape', async () => {
    const { post } = harness(() => jsonAnswer('anthropic-message.json'));
    const res = await post('/v1/messages', { model: 'claude-sonet-4-20250514', max_tokens: 8, messages: [] });
    expect(res.status).toBe(404);
    const body = await jsonOf(res);
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('not_found_error');
    expect(body.error.message).toContain("Did you mean 'claude-sonnet-4-20250514'");
  });

  it('a body larger than the gateway accepts: 413, request_too_large in each API’s shape, no upstream call', async () => {
    const { post, calls, log } = harness(() => jsonAnswer('anthropic-message.json'), { maxBodyBytes: 64 });
    const big = { model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [{ role: 'user', content: 'x'.repeat(100) }] };
    const messages = await post('/v1/messages', big);
    expect(messages.status).toBe(413);
    expect(await jsonOf(messages)).toEqual({ type: 'error', error: { type: 'request_too_large', message: expect.stringContaining('larger than the gateway accepts') } });
    const chat = await post('/v1/chat/completions', { ...big, model: 'gpt-4o' });
    expect(chat.status).toBe(413);
    expect((await jsonOf(chat)).error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
    expect(calls).toHaveLength(0);
    const entry = await logged(log, 2);
    expect(entry).toMatchObject({ status: 413, requested: undefined });
    expect(entry.totalMs).toBeGreaterThan(0);
  });

  it('a short id two wildcards share: 400 naming both', async () => {
    // Two listed entries may not share an id (validate's duplicate-model-id), but two catalogues may.
    const shared = upstreamFixture('gateway.yaml').replace(
      'model_aliases:',
      '  - model: openai/*\n    access_key: $OPENAI_API_KEY\n  - model: chatgpt/*\n    access_key: $OPENAI_API_KEY\n\nmodel_aliases:',
    );
    const gateway = testGateway(TEST_ENV, shared);
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'), { gateway: () => gateway });
    const res = await post('/v1/chat/completions', { model: 'gpt-5.2', messages: [] });
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe('model_ambiguous');
    expect(body.error.message).toContain("'openai/gpt-5.2', 'chatgpt/gpt-5.2'");
    expect(calls).toHaveLength(0);
  });

  it('no model named and no default model: 400 saying how to fix it', async () => {
    const gateway = testGateway(TEST_ENV, upstreamFixture('gateway.yaml').replace('    default: true\n', ''));
    const { post } = harness(() => jsonAnswer('openai-chat-completion.json'), { gateway: () => gateway });
    const res = await post('/v1/messages', { max_tokens: 8, messages: [] });
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('mark a model `default: true`');
  });

  it('a body that is not a JSON object, or a model that is not a string: 400', async () => {
    const { post, calls } = harness(() => jsonAnswer('openai-chat-completion.json'));
    const broken = await post('/v1/chat/completions', '{"model": "gpt-4o",');
    expect(broken.status).toBe(400);
    expect((await jsonOf(broken)).error.message).toContain('not valid JSON');
    expect((await post('/v1/chat/completions', '[1, 2]')).status).toBe(400);
    expect((await post('/v1/chat/completions', '')).status).toBe(400);
    const numeric = await post('/v1/messages', { model: 4, max_tokens: 8, messages: [] });
    expect(numeric.status).toBe(400);
    expect((await jsonOf(numeric)).error.message).toContain('`model` must be a string');
    expect(calls).toHaveLength(0);
  });

  it('a pair without a translation: 501 naming both APIs, in the client shape', async () => {
    const { post, calls } = harness(() => jsonAnswer('anthropic-message.json'), { findTranslation: () => undefined });
    const res = await post('/v1/chat/completions', { model: 'claude-sonnet-4-20250514', messages: [] });
    expect(res.status).toBe(501);
    const body = await jsonOf(res);
    expect(body.error.code).toBe('translation_not_available');
    expect(body.error.message).toContain('/v1/chat/completions (chat_completions)');
    expect(body.error.message).toContain('anthropic_messages');
    expect(calls).toHaveLength(0);
  });

  it('upstream refused: 502 in the client shape', async () => {
    const { post, log } = harness(() => refused());
    const res = await post('/v1/messages', { model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [] });
    expect(res.status).toBe(502);
    const body = await jsonOf(res);
    expect(body.type).toBe('error');
    expect(body.error.message).toContain('connection refused (ECONNREFUSED)');
    expect((await logged(log)).error).toContain('could not reach http://127.0.0.1:1');
  });

  it('upstream timed out: 504 in the client shape', async () => {
    const { post } = harness(() => new undiciErrors.HeadersTimeoutError());
    const res = await post('/v1/chat/completions', { model: 'gpt-4o', messages: [] });
    expect(res.status).toBe(504);
    const body = await jsonOf(res);
    expect(body.error).toMatchObject({ type: 'api_error', code: 'upstream_timeout' });
  });
});

describe('upstream errors', () => {
  it('same format: status, headers and body reach the client unchanged', async () => {
    const { post } = harness(() => ({ ...jsonAnswer('openai-error-rate-limit.json', 429), headers: { 'content-type': 'application/json', 'retry-after': '2' } }));
    const res = await post('/v1/chat/completions', { model: 'gpt-4o', messages: [] });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.text()).toBe(upstreamFixture('openai-error-rate-limit.json'));
  });

  it('same format: a 5xx passes through too', async () => {
    const { post } = harness(() => jsonAnswer('anthropic-error-overloaded.json', 529));
    const res = await post('/v1/messages', { model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [] });
    expect(res.status).toBe(529);
    expect(await jsonOf(res)).toEqual(JSON.parse(upstreamFixture('anthropic-error-overloaded.json')));
  });

  it('across formats: the upstream error arrives in the client shape, status kept', async () => {
    const { post } = harness(() => jsonAnswer('anthropic-error-overloaded.json', 529));
    const res = await post('/v1/chat/completions', { model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(529);
    const body = await jsonOf(res);
    expect(body.error.message).toBe('Overloaded');
  });

  it('a stream cut off by the upstream ends with an error event the client reads, and is logged', async () => {
    const answer = sseAnswer('openai-chat-stream.sse');
    answer.chunks = answer.chunks!.slice(0, 3);
    answer.failAfter = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const { post, log } = harness(() => answer);
    const res = await post('/v1/chat/completions', { model: 'gpt-4o', stream: true, messages: [] });
    expect(res.status).toBe(200);
    const events = (await res.text()).trimEnd().split('\n\n');
    expect(JSON.parse(events.at(-1)!.replace(/^data: /, ''))).toEqual({
      error: { message: 'the response from http://127.0.0.1:1 broke off: connection reset (ECONNRESET)', type: 'api_error', param: null, code: 'upstream_incomplete' },
    });
    expect((await logged(log)).error).toBe('the response from http://127.0.0.1:1 broke off: connection reset (ECONNRESET)');
  });

  it('a client that goes away aborts the upstream request', async () => {
    const answer = sseAnswer('openai-chat-stream.sse');
    answer.chunks = answer.chunks!.slice(0, 2);
    answer.hang = true;
    const { post, log, calls } = harness(() => answer);
    const res = await post('/v1/chat/completions', { model: 'gpt-4o', stream: true, messages: [] });
    const reader = res.body!.getReader();
    await reader.read();
    expect(calls[0]!.signal.aborted).toBe(false);
    await reader.cancel();
    expect(calls[0]!.signal.aborted).toBe(true);
    expect((await logged(log)).status).toBe(499);
  });
});

describe('translated pairs use the translation table', () => {
  it('a chat client reaches an Anthropic model: request, response and stream translated', async () => {
    const { post, calls } = harness((call) =>
      JSON.parse(call.body).stream ? sseAnswer('anthropic-message-stream.sse') : jsonAnswer('anthropic-message.json'),
    );
    const res = await post('/v1/chat/completions', { model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    expect(calls[0]!.path).toBe('/v1/messages');
    expect(calls[0]!.headers['x-api-key']).toBe('sk-ant-configured');
    const upstreamBody = JSON.parse(calls[0]!.body);
    expect(upstreamBody.model).toBe('claude-sonnet-4-20250514');
    // The body is the translation's (test/translate checks its fields): an Anthropic request.
    expect(upstreamBody.messages[0].role).toBe('user');
    expect(typeof upstreamBody.max_tokens).toBe('number');
    const body = await jsonOf(res);
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].message.content).toBe('Hi! My name is Claude.');

    const streamed = await post('/v1/chat/completions', { model: 'claude-sonnet-4-20250514', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(streamed.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await streamed.text();
    expect(text).toContain('"object":"chat.completion.chunk"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});

describe("a response's model is the model that answered, on every route", () => {
  it('same format and translated, JSON and stream: what the upstream named, not what the client asked for', async () => {
    const upstreamModel = (fixture: string) => (JSON.parse(upstreamFixture(fixture)) as { model: string }).model;
    const chat = harness(() => jsonAnswer('openai-chat-completion.json'));
    expect((await jsonOf(await chat.post('/v1/chat/completions', { model: 'fast', messages: [] }))).model).toBe(upstreamModel('openai-chat-completion.json'));
    const toAnthropic = harness(() => jsonAnswer('anthropic-message.json'));
    expect((await jsonOf(await toAnthropic.post('/v1/chat/completions', { model: 'claude-sonnet-4-20250514', messages: [] }))).model).toBe(upstreamModel('anthropic-message.json'));
    const fromAnthropic = harness(() => jsonAnswer('openai-chat-completion.json'));
    expect((await jsonOf(await fromAnthropic.post('/v1/messages', { model: 'fast', max_tokens: 8, messages: [] }))).model).toBe(upstreamModel('openai-chat-completion.json'));
    const streamed = harness(() => sseAnswer('openai-chat-stream.sse'));
    const text = await (await streamed.post('/v1/messages', { model: 'fast', max_tokens: 8, stream: true, messages: [] })).text();
    const start = JSON.parse(/event: message_start\ndata: (.*)/.exec(text)![1]!);
    expect(start.message.model).toBe(/"model":"([^"]+)"/.exec(upstreamFixture('openai-chat-stream.sse'))![1]);
  });
});

describe('what a translation leaves out is in the access log', () => {
  it('a Responses request to an Anthropic model with a hosted web_search tool: served, the tool left out, a note logged', async () => {
    const { post, calls, log } = harness(() => jsonAnswer('anthropic-message.json'));
    const res = await post('/v1/responses', {
      model: 'claude-sonnet-4-20250514',
      input: 'hi',
      tools: [{ type: 'web_search' }, { type: 'function', name: 'f', parameters: { type: 'object' } }],
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(calls[0]!.body).tools.map((t: { name: string }) => t.name)).toEqual(['f']);
    const entry = await logged(log);
    expect(entry.notes).toEqual(['left out the hosted "web_search" tool: it runs inside OpenAI\'s Responses API, which claude-sonnet-4-20250514 does not have']);
    expect(formatAccessLog(entry, 'text')).toContain('note="left out the hosted \\"web_search\\" tool');
    expect(JSON.parse(formatAccessLog(entry, 'json')).notes).toHaveLength(1);
  });
});
