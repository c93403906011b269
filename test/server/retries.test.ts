/**
 * The retry stage (src/server/retries.ts) in the gateway's pipeline: the listener's
 * `max_retries` retries connect failures, resets before a response, 429 and 5xx of the same
 * model — never another 4xx, never once the client has a byte — then hands over to the routing
 * fallback. Upstream answers carry `retry-after-ms: 0` where a test does not care about waiting.
 */
import { describe, expect, it } from 'vitest';
import { lookupModel } from '../../src/resolve/lookup.js';
import type { Gateway } from '../../src/resolve/types.js';
import { backoffMs, retryAfterMs, retryPolicyOf } from '../../src/server/retries.js';
import type { SelectModel } from '../../src/server/select-model.js';
import { harness, jsonAnswer, logged, sseAnswer, testGateway, upstreamFixture, type StubAnswer } from './gateway-harness.js';

/** The test config with the model listener given `listener` lines (max_retries, timeout). */
function gatewayWith(listener: string): Gateway {
  const yaml = upstreamFixture('gateway.yaml').replace('    name: llm\n', `    name: llm\n${listener.replace(/^/gm, '    ')}\n`);
  if (yaml === upstreamFixture('gateway.yaml')) throw new Error('gateway.yaml has no model listener to add to');
  return testGateway(undefined, yaml);
}

const RETRY_TWICE = gatewayWith('max_retries: 2');
const NO_WAIT = { 'retry-after-ms': '0' };
const unavailable = (status = 503, headers: Record<string, string> = NO_WAIT): StubAnswer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  chunks: [JSON.stringify({ error: { message: `upstream says ${status}`, type: 'server_error' } })],
});
const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

/** Answers from `script` in order, the last one for any further call. */
function scripted(...script: Array<StubAnswer | Error>) {
  let next = 0;
  return () => script[Math.min(next++, script.length - 1)]!;
}

const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }] };

describe('max_retries', () => {
  it('503, 503, 200: the client gets the 200, and the log says 3 attempts and why', async () => {
    const { post, calls, log } = harness(scripted(unavailable(), unavailable(), jsonAnswer('openai-chat-completion.json')), { gateway: () => RETRY_TWICE });
    const response = await post('/v1/chat/completions', chat);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { object: string }).object).toBe('chat.completion');
    expect(calls).toHaveLength(3);
    const entry = await logged(log);
    expect(entry.attempts).toBe(3);
    expect(entry.retries).toEqual(['openai/gpt-4o: HTTP 503; again after 0 ms', 'openai/gpt-4o: HTTP 503; again after 0 ms']);
  });

  it('attempts run out: the client gets the last upstream status and body, in its own shape', async () => {
    const { post, calls } = harness(scripted(unavailable(502), unavailable(500), unavailable(503)), { gateway: () => RETRY_TWICE });
    const response = await post('/v1/messages', { model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'Hello' }] });
    expect(calls).toHaveLength(3);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { type: string; error: { message: string } };
    expect(body.type).toBe('error');
    expect(body.error.message).toContain('upstream says 503');
  });

  it('connect failures are retried; a 4xx other than 429 never is', async () => {
    const connect = harness(scripted(refused(), jsonAnswer('openai-chat-completion.json')), { gateway: () => RETRY_TWICE });
    expect((await connect.post('/v1/chat/completions', chat)).status).toBe(200);
    expect(connect.calls).toHaveLength(2);
    expect((await logged(connect.log)).retries[0]).toMatch(/connection refused \(ECONNREFUSED\); again after \d+ ms$/);

    const badRequest = harness(scripted(unavailable(400), jsonAnswer('openai-chat-completion.json')), { gateway: () => RETRY_TWICE });
    expect((await badRequest.post('/v1/chat/completions', chat)).status).toBe(400);
    expect(badRequest.calls).toHaveLength(1);
  });

  it('without max_retries (the reference default) a 503 is the answer at once', async () => {
    const { post, calls, log } = harness(scripted(unavailable(), jsonAnswer('openai-chat-completion.json')));
    expect((await post('/v1/chat/completions', chat)).status).toBe(503);
    expect(calls).toHaveLength(1);
    expect((await logged(log)).attempts).toBe(1);
  });

  it('a retry-after beyond the listener timeout is not waited for: the 429 goes to the client with it', async () => {
    const gateway = gatewayWith('max_retries: 3\ntimeout: 5s');
    const { post, calls } = harness(scripted(unavailable(429, { 'retry-after': '30' }), jsonAnswer('openai-chat-completion.json')), { gateway: () => gateway });
    const response = await post('/v1/chat/completions', chat);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(calls).toHaveLength(1);
  });

  it('waits what the upstream asks (retry-after-ms) before the next attempt', async () => {
    const { post, calls, log } = harness(scripted(unavailable(429, { 'retry-after-ms': '300' }), jsonAnswer('openai-chat-completion.json')), { gateway: () => RETRY_TWICE });
    const started = performance.now();
    expect((await post('/v1/chat/completions', chat)).status).toBe(200);
    expect(calls).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect((await logged(log)).retries).toEqual(['openai/gpt-4o: HTTP 429; again after 300 ms']);
  });

  it('a stream that breaks before its first byte is retried, and the client gets the whole stream', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const broken: StubAnswer = { headers: { 'content-type': 'text/event-stream' }, chunks: [], failAfter: reset };
    const { post, calls } = harness(scripted(broken, sseAnswer('openai-chat-stream.sse')), { gateway: () => RETRY_TWICE });
    const response = await post('/v1/chat/completions', { ...chat, stream: true });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('data: [DONE]');
    expect(calls).toHaveLength(2);
  });

  it('a stream that breaks after a byte reached the client is never retried', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const events = upstreamFixture('openai-chat-stream.sse').split(/(?<=\n\n)/);
    const broken: StubAnswer = { headers: { 'content-type': 'text/event-stream' }, chunks: [events[0]!], failAfter: reset };
    const { post, calls, log } = harness(scripted(broken, sseAnswer('openai-chat-stream.sse')), { gateway: () => RETRY_TWICE });
    const text = await (await post('/v1/chat/completions', { ...chat, stream: true })).text();
    expect(text).toContain(events[0]!);
    expect(text).not.toContain('data: [DONE]');
    expect(calls).toHaveLength(1);
    expect((await logged(log)).error).toContain('broke off');
  });

  it("with routing's ranked models: this model's retries first, then the next model", async () => {
    const ranked: SelectModel = (gateway) => {
      const first = lookupModel(gateway, 'gpt-4o');
      const second = lookupModel(gateway, 'claude-sonnet-4-20250514');
      if (!first.found || !second.found) throw new Error('test config lacks the models');
      return { ...first, routing: { route: 'code', candidates: [first.model, second.model], notes: [] } };
    };
    const { post, calls, log } = harness(
      (call) => (call.path.endsWith('/chat/completions') ? unavailable() : jsonAnswer('anthropic-message.json')),
      { gateway: () => RETRY_TWICE, selectModel: ranked },
    );
    const response = await post('/v1/chat/completions', { messages: chat.messages });
    expect(response.status).toBe(200);
    expect(calls.map((c) => c.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions', '/v1/messages']);
    const entry = await logged(log);
    expect(entry.attempts).toBe(4);
    expect(entry.routingNotes).toContain('openai/gpt-4o answered HTTP 503; trying anthropic/claude-sonnet-4-20250514');
  });
});

describe('the retry policy', () => {
  it('is the model listener max_retries and timeout; none means no retries and the 300 s default', () => {
    expect(retryPolicyOf(testGateway())).toEqual({ maxRetries: 0, budgetMs: 300_000 });
    expect(retryPolicyOf(gatewayWith('max_retries: 3\ntimeout: 30s'))).toEqual({ maxRetries: 3, budgetMs: 30_000 });
  });

  it('backs off from 0.5 s, doubling, to at most 5 s, in the upper half of each step', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, () => 0))).toEqual([250, 500, 1000, 2000, 2500, 2500]);
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, () => 1))).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
  });

  it('reads retry-after-ms, retry-after in seconds, and retry-after as an HTTP date', () => {
    const now = Date.UTC(2026, 11, 6, 12, 0, 0);
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, now)).toBe(1500);
    expect(retryAfterMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': 'Sun, 06 Dec 2026 12:00:03 GMT' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': 'Sun, 06 Dec 2026 11:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});
