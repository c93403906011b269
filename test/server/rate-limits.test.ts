/**
 * Rate limits (`ratelimits`, src/server/rate-limits.ts): budgets per model and header, counted
 * from the tokens each answer reports, refused with a 429 in the client's shape and retry-after
 * before anything goes upstream; other selectors and other models unaffected.
 */
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/resolve/check.js';
import { lookupModel } from '../../src/resolve/lookup.js';
import { resolveGateway } from '../../src/resolve/resolve.js';
import { memoryTokenCounts, RateLimiter, rateLimitRules } from '../../src/server/rate-limits.js';
import { harness, jsonAnswer, logged, sseAnswer, TEST_ENV, testGateway, upstreamFixture, type RecordedCall } from './gateway-harness.js';

const LIMITS = `
ratelimits:
  - model: openai/gpt-4o
    selector: {key: x-user-id, value: "*"}
    limit: {tokens: 20, unit: minute}
  - model: gpt-4o
    selector: {key: x-user-id, value: vip}
    limit: {tokens: 1000000, unit: hour}
  - model: anthropic/claude-sonnet-4-20250514
    selector: {key: x-team, value: "*"}
    limit: {tokens: 100, unit: day}
`;

const gateway = testGateway(TEST_ENV, `${upstreamFixture('gateway.yaml')}${LIMITS}`);
const rules = rateLimitRules(checkConfig(`${upstreamFixture('gateway.yaml')}${LIMITS}`, 'x.yaml').config!);

function answers(call: RecordedCall) {
  const stream = (JSON.parse(call.body) as { stream?: boolean }).stream === true;
  if (call.path.endsWith('/messages')) return jsonAnswer('anthropic-message.json');
  return stream ? sseAnswer('openai-chat-stream.sse') : jsonAnswer('openai-chat-completion.json');
}

function limited(now = () => Date.UTC(2026, 11, 6, 12, 0, 30)) {
  const limiter = new RateLimiter(rules.rules, memoryTokenCounts(), now);
  return harness(answers, { gateway: () => gateway, rateLimits: () => limiter });
}

const chat = (user?: string): [Record<string, unknown>, Record<string, string>] => [
  { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] },
  user ? { 'x-user-id': user } : {},
];

describe('ratelimits', () => {
  it('serves until a window holds the limit, then 429 with retry-after, in OpenAI’s shape, nothing upstream', async () => {
    const { post, calls, log } = limited();
    // 29 tokens reported: the first request crosses the limit of 20 and is served; the next is not.
    expect((await post('/v1/chat/completions', ...chat('ada'))).status).toBe(200);
    await logged(log, 1);
    const refused = await post('/v1/chat/completions', ...chat('ada'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    const body = (await refused.json()) as { error: { type: string; code: string; message: string } };
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(body.error.message).toContain('29 of 20 tokens per minute');
    expect(calls).toHaveLength(1);
  });

  it('other header values, requests without the header, the vip value and other models are unaffected', async () => {
    const { post, log } = limited();
    await post('/v1/chat/completions', ...chat('ada'));
    await logged(log, 1);
    expect((await post('/v1/chat/completions', ...chat('bob'))).status).toBe(200);
    expect((await post('/v1/chat/completions', ...chat())).status).toBe(200);
    // A limit for this very value wins over the `*` one: vip has its own, large budget.
    for (let i = 0; i < 3; i++) {
      expect((await post('/v1/chat/completions', ...chat('vip'))).status).toBe(200);
      await logged(log, 4 + i);
    }
    expect((await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }, { 'x-user-id': 'ada' })).status).toBe(200);
  });

  it('counts streamed answers by their final usage', async () => {
    const { post, log } = limited();
    for (let i = 0; i < 2; i++) {
      const response = await post('/v1/chat/completions', { ...chat('cy')[0], stream: true, stream_options: { include_usage: true } }, { 'x-user-id': 'cy' });
      expect(response.status).toBe(200);
      await response.text();
      await logged(log, i + 1);
    }
    // 12 + 12 tokens: the third finds 24 of 20.
    expect((await post('/v1/chat/completions', ...chat('cy'))).status).toBe(429);
  });

  it('an Anthropic client gets the refusal in Anthropic’s shape', async () => {
    const { post, log } = limited();
    const message = { model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] };
    expect((await post('/v1/messages', message, { 'x-team': 'red' })).status).toBe(200);
    await logged(log, 1);
    const refused = await post('/v1/messages', message, { 'x-team': 'red' });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('a new window starts a new count', async () => {
    let now = Date.UTC(2026, 11, 6, 12, 0, 30);
    const { post, log } = limited(() => now);
    await post('/v1/chat/completions', ...chat('ada'));
    await logged(log, 1);
    expect((await post('/v1/chat/completions', ...chat('ada'))).status).toBe(429);
    now += 30_000;
    expect((await post('/v1/chat/completions', ...chat('ada'))).status).toBe(200);
  });
});

describe('rateLimitRules', () => {
  it('reads the reference’s shape; a unit it does not know is named, not enforced', () => {
    const config = checkConfig(`${upstreamFixture('gateway.yaml')}\nratelimits:\n  - model: openai/gpt-4o\n    selector: {key: x-a, value: "*"}\n    limit: {tokens: 5, unit: week}\n`, 'x.yaml').config!;
    const { rules: read, warnings } = rateLimitRules(config);
    expect(read).toEqual([]);
    expect(warnings).toEqual(["ratelimits[0]: unit 'week' is not one of second, minute, hour, day: this limit is not enforced"]);
  });

  it('matches a model by its configured name, provider/model, or bare id', () => {
    const resolved = resolveGateway(checkConfig(upstreamFixture('gateway.yaml'), 'x.yaml').config!, { env: TEST_ENV });
    const target = lookupModel(resolved, 'gpt-4o');
    if (!target.found) throw new Error('no gpt-4o');
    const limiter = new RateLimiter(rules.rules, memoryTokenCounts());
    expect(limiter.bucketsFor(target.model, { 'x-user-id': 'ada' }).map((b) => b.rule.index)).toEqual([0]);
    expect(limiter.bucketsFor(target.model, { 'x-user-id': 'vip' }).map((b) => b.rule.index)).toEqual([1]);
    expect(limiter.bucketsFor(target.model, {})).toEqual([]);
  });
});
