/** POST /v1/embeddings through the built `plano up` (issue 17), the way the OpenAI SDK calls it. */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIGURED_KEYS, startGatewayOnMock, type GatewayOnMock } from './gateway-on-mock.js';

let gateway: GatewayOnMock;
beforeAll(async () => {
  gateway = await startGatewayOnMock([], 'plano-embeddings-');
});
afterAll(() => gateway?.stop());

describe('POST /v1/embeddings through plano up', () => {
  it('the OpenAI SDK gets embeddings from the provider of the model it names (an alias), and a clear 404 from one without', async () => {
    const client = new OpenAI({ baseURL: `${gateway.plano.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const { mock } = gateway;
    const before = mock.received.length;
    const result = await client.embeddings.create({ model: 'fast', input: 'hello', encoding_format: 'float' });
    expect(result.data[0]!.embedding).toHaveLength(4);
    expect(result.usage.prompt_tokens).toBe(8);
    expect(mock.received[before]).toMatchObject({ path: '/v1/embeddings', body: { model: 'gpt-4o-mini', input: 'hello' } });
    expect(mock.received[before]!.headers['authorization']).toBe(`Bearer ${CONFIGURED_KEYS.OPENAI_API_KEY}`);
    await expect(client.embeddings.create({ model: 'anthropic/claude-sonnet-4-20250514', input: 'hello' })).rejects.toMatchObject({
      status: 404,
      code: 'embeddings_not_supported',
    });
    await gateway.plano.waitForStderr(/POST \/v1\/embeddings fast → openai\/gpt-4o-mini \[openai\] 200 .*tokens=8\//);
  });
});
