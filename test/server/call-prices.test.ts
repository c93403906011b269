import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/providers/registry.js';
import { callPricer, type CalcPrice } from '../../src/server/call-prices.js';

const exact = calcPrice as unknown as CalcPrice;

describe('callPricer', () => {
  it('prices every model of every mapped provider as genai-prices does, below and above its tiers', () => {
    const price = callPricer(exact);
    let random = 7;
    const next = (limit: number): number => {
      random = (random * 48271) % 2147483647;
      return random % limit;
    };
    let compared = 0;
    const priced = PROVIDERS.filter((spec) => spec.pricesId !== undefined);
    expect(priced.length).toBeGreaterThan(10);
    for (const { id: provider, pricesId } of priced) {
      const table = findProvider({ providerId: pricesId! });
      expect(table, provider).toBeDefined();
      for (const model of table!.models) {
        for (const [input, output] of [[0, 0], [1, 0], [0, 1], [next(5000), next(2000)], [next(400_000), next(20_000)], [200_000, 10], [200_001, 10]] as const) {
          const expected = exact({ input_tokens: input, output_tokens: output }, model.id, { providerId: pricesId! })?.total_price;
          const got = price({ model: `${provider}/${model.id}`, provider, upstreamModel: model.id, usage: { input_tokens: input, output_tokens: output } });
          if (expected === undefined) {
            expect(got, `${provider}/${model.id}`).toBeNull();
            continue;
          }
          expect(got?.source).toBe('genai-prices');
          // Equal up to floating-point rounding (the seam multiplies where calcPrice divides).
          expect(Math.abs(got!.usd - expected), `${provider}/${model.id} at ${input}/${output}`).toBeLessThanOrEqual(Math.max(1e-12, expected * 1e-9));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('says unknown, not 0, for a model or provider nobody prices, and for a call without tokens', () => {
    const price = callPricer(exact);
    const call = { model: 'ollama/llama3', provider: 'ollama', upstreamModel: 'llama3', usage: { input_tokens: 10, output_tokens: 5 } };
    expect(price(call)).toBeNull();
    expect(price({ ...call, model: 'openai/no-such-model', provider: 'openai', upstreamModel: 'no-such-model' })).toBeNull();
    expect(price({ ...call, model: 'openai/gpt-4o-mini', provider: 'openai', upstreamModel: 'gpt-4o-mini', usage: {} })).toBeNull();
  });

  it('takes the config cost source first, by configured name or provider/model', () => {
    const price = callPricer(exact);
    const configPrices = new Map([
      ['openai/gpt-4o-mini', { input: 1, output: 2 }],
      ['ollama/llama3', { input: 0.5, output: 0.5 }],
      ['groq/only-input', { input: 3 }],
    ]);
    const usage = { input_tokens: 1_000_000, output_tokens: 500_000 };
    expect(price({ model: 'openai/gpt-4o-mini', provider: 'openai', upstreamModel: 'gpt-4o-mini', usage }, configPrices)).toEqual({ usd: 2, source: 'model_metrics_sources' });
    expect(price({ model: 'local', provider: 'ollama', upstreamModel: 'llama3', usage }, configPrices)).toEqual({ usd: 0.75, source: 'model_metrics_sources' });
    // Output tokens the source gives no price for: the call's cost is not known.
    expect(price({ model: 'groq/only-input', provider: 'groq', upstreamModel: 'only-input', usage }, configPrices)).toBeNull();
    // Not in the source: the table prices it.
    expect(price({ model: 'anthropic/claude-sonnet-4-5', provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5', usage }, configPrices)?.source).toBe('genai-prices');
  });
});
