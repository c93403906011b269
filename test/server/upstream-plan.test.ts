/** planUpstreamCall: the one place an upstream call is planned (src/server/upstream-plan.ts), pure. */
import { describe, expect, it } from 'vitest';
import { findTranslation } from '../../src/translate/index.js';
import { planUpstreamCall, type UpstreamPlanInput } from '../../src/server/upstream-plan.js';
import { testGateway, TEST_ENV } from './gateway-harness.js';

const gateway = testGateway();
const model = (name: string) => gateway.models.find((m) => m.name === name)!;
const input = (over: Partial<UpstreamPlanInput>): UpstreamPlanInput => ({
  target: model('openai/gpt-4o'),
  api: 'chat_completions',
  body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
  stream: false,
  clientModel: 'gpt-4o',
  clientHeaders: { 'x-trace': 't1', authorization: 'Bearer sk-client' },
  env: TEST_ENV,
  findTranslation,
  ...over,
});

describe('planUpstreamCall', () => {
  it('same format: the received bytes with only `model` spliced, the configured key, the model URL', () => {
    const text = '{"model":"fast","messages":[{"role":"user","content":"hi"}],"extra":1}';
    const result = planUpstreamCall(input({ target: model('openai/gpt-4o-mini'), body: JSON.parse(text), text, raw: Buffer.from(text), clientModel: 'fast' }));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.plan.translation).toBeUndefined();
    expect(result.plan.body).toBe('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"extra":1}');
    expect(result.plan).toMatchObject({ origin: 'http://127.0.0.1:1', path: '/v1/chat/completions' });
    expect(result.plan.headers).toMatchObject({ authorization: 'Bearer sk-configured-openai', 'x-trace': 't1' });
  });

  it('across formats: the body translated, the Anthropic URL and auth', () => {
    const result = planUpstreamCall(input({ target: model('anthropic/claude-sonnet-4-20250514') }));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.plan.translation).toBeDefined();
    expect(JSON.parse(String(result.plan.body))).toMatchObject({ model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
    expect(result.plan.path).toBe('/v1/messages');
    expect(result.plan.headers).toMatchObject({ 'x-api-key': 'sk-ant-configured', 'anthropic-version': '2023-06-01' });
  });

  it('refusals in the client’s terms: no translation (501), an unset key (401), a request the upstream cannot express (400)', () => {
    const noTranslation = planUpstreamCall(input({ target: model('anthropic/claude-sonnet-4-20250514'), findTranslation: () => undefined }));
    expect(noTranslation).toMatchObject({ ok: false, status: 501, error: { code: 'translation_not_available' } });
    const unset = planUpstreamCall(input({ target: model('mistral/mistral-large-latest') }));
    expect(unset).toMatchObject({ ok: false, status: 401, error: { code: 'missing_api_key' } });
    const inexpressible = planUpstreamCall(input({ target: model('anthropic/claude-sonnet-4-20250514'), body: { messages: [{ role: 'user', content: 'hi' }], n: 3 } }));
    expect(inexpressible).toMatchObject({ ok: false, status: 400 });
  });

  it('a passthrough credential can come from other headers than the ones forwarded (the router’s own call)', () => {
    const result = planUpstreamCall(input({ target: model('litellm/team-model'), clientHeaders: {}, credentialHeaders: { authorization: 'Bearer sk-client' } }));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.plan.headers['authorization']).toBe('Bearer sk-client');
    expect(result.plan.headers['x-trace']).toBeUndefined();
  });
});
