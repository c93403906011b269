import { describe, expect, it } from 'vitest';
import { translateUpstreamError, upstreamErrorInit } from '../../src/translate/upstream-errors.js';
import { fixtureBytes } from './harness.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('translateUpstreamError', () => {
  it('Anthropic 529 overloaded → an OpenAI error, status kept, Anthropic type carried as code', () => {
    expect(translateUpstreamError('anthropic_messages', 'chat_completions', 529, fixtureBytes('anthropic/error-529-overloaded.json'))).toEqual({
      status: 529,
      body: { error: { message: 'Overloaded', type: 'api_error', param: null, code: 'overloaded_error' } },
    });
  });

  it('Anthropic 400 → an OpenAI invalid_request_error with the upstream message', () => {
    const { status, body } = translateUpstreamError('anthropic_messages', 'chat_completions', 400, fixtureBytes('anthropic/error-400-invalid-request.json'));
    expect(status).toBe(400);
    expect(body).toEqual({
      error: {
        message: expect.stringContaining('Each `tool_result` block must have a corresponding `tool_use` block'),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request_error',
      },
    });
  });

  it('a 413 reaches an Anthropic client as request_too_large (Anthropic’s documented type), an OpenAI client as invalid_request_error', () => {
    expect(translateUpstreamError('openai_chat', 'messages', 413, bytes('<html>Request Entity Too Large</html>'))).toEqual({
      status: 413,
      body: { type: 'error', error: { type: 'request_too_large', message: expect.stringContaining('Request Entity Too Large') } },
    });
    const anthropic413 = bytes(JSON.stringify({ type: 'error', error: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' } }));
    expect(translateUpstreamError('anthropic_messages', 'chat_completions', 413, anthropic413).body).toEqual({
      error: { message: 'Request exceeds the maximum allowed number of bytes.', type: 'invalid_request_error', param: null, code: 'request_too_large' },
    });
    expect(translateUpstreamError('anthropic_messages', 'messages', 413, anthropic413).body).toMatchObject({ error: { type: 'request_too_large' } });
  });

  it('OpenAI 400 → an Anthropic error with the upstream message', () => {
    expect(translateUpstreamError('openai_chat', 'messages', 400, fixtureBytes('openai-chat/error-400-invalid-request.json'))).toEqual({
      status: 400,
      body: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: "Invalid 'messages[2].tool_call_id': string too long. Expected a string with maximum length 40, but got a string with length 64 instead.",
        },
      },
    });
  });

  it('OpenAI 429 insufficient_quota → Anthropic rate_limit_error', () => {
    const { body } = translateUpstreamError('openai_chat', 'messages', 429, fixtureBytes('openai-chat/error-429-quota.json'));
    expect(body).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'You exceeded your current quota, please check your plan and billing details.' } });
  });

  it("Ollama's {\"error\": \"…\"} → its string is the message, the status picks the type", () => {
    expect(translateUpstreamError('openai_chat', 'messages', 404, fixtureBytes('openai-chat/error-404-ollama.json'))).toEqual({
      status: 404,
      body: { type: 'error', error: { type: 'not_found_error', message: 'model "llama9" not found, try pulling it first' } },
    });
  });

  it('a body that is not JSON (a proxy’s HTML page) is carried as text in the message', () => {
    const { status, body } = translateUpstreamError('openai_chat', 'messages', 502, fixtureBytes('openai-chat/error-502-proxy.html'));
    expect(status).toBe(502);
    expect(body).toEqual({
      type: 'error',
      error: { type: 'api_error', message: expect.stringMatching(/^the openai_chat upstream answered HTTP 502: <html>[\s\S]*502 Bad Gateway/) },
    });
  });

  it('an empty body says so', () => {
    expect(translateUpstreamError('anthropic_messages', 'chat_completions', 503, new Uint8Array()).body).toEqual({
      error: { message: 'the anthropic_messages upstream answered HTTP 503 with an empty body', type: 'api_error', param: null, code: null },
    });
  });

  it('JSON without a message is carried as text', () => {
    const { body } = translateUpstreamError('openai_chat', 'messages', 500, bytes('{"status":"down"}'));
    expect(body).toEqual({ type: 'error', error: { type: 'api_error', message: 'the openai_chat upstream answered HTTP 500: {"status":"down"}' } });
  });

  it('a very long text body is shortened', () => {
    const { body } = translateUpstreamError('openai_chat', 'chat_completions', 500, bytes('x'.repeat(10_000)));
    const message = (body['error'] as { message: string }).message;
    expect(message.length).toBeLessThan(2100);
    expect(message.endsWith('…')).toBe(true);
  });
});

describe('upstreamErrorInit', () => {
  it('reads Bedrock messages and exception names, and Gemini’s one-element arrays', () => {
    expect(upstreamErrorInit({ message: 'Too many requests, please wait before trying again.', __type: 'ThrottlingException' }, 429)).toEqual({
      kind: 'rate_limit',
      message: 'Too many requests, please wait before trying again.',
      code: 'ThrottlingException',
    });
    expect(upstreamErrorInit([{ error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT' } }], 400)).toEqual({
      kind: 'invalid_request',
      message: 'API key not valid.',
      code: '400',
    });
    expect(upstreamErrorInit({ detail: 'Not Found' }, 404)).toEqual({ kind: 'not_found', message: 'Not Found' });
  });

  it('gives undefined when there is no message, and the internal kind for a stream error of unknown type', () => {
    expect(upstreamErrorInit({ ok: false })).toBeUndefined();
    expect(upstreamErrorInit('nope')).toBeUndefined();
    expect(upstreamErrorInit({ type: 'error', error: { type: 'brand_new_error', message: 'x' } })).toEqual({ kind: 'internal', message: 'x', code: 'brand_new_error' });
  });
});
