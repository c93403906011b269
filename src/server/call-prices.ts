/**
 * What one model call cost, in US dollars. The config's own `model_metrics_sources` of type cost
 * decide first (the user's catalogue, keyed `provider/model` or by the configured name); else the
 * table of @pydantic/genai-prices, maintained upstream and bundled in the package (no network);
 * else the price is unknown — `null`, shown as unknown, never as 0.
 *
 * A seam for speed: genai-prices' `calcPrice` takes ~30 µs a call (it checks units, tiers and
 * date constraints each time), a third of what a proxied request costs. A model's price is
 * linear in its tokens below its first tier (`start`, e.g. 200k input tokens) when it has no date
 * or time-of-day constraints: for those models the three coefficients (per request, per input
 * token, per output token) are read from `calcPrice` once and the call priced with them;
 * anything else asks `calcPrice` each time. test/server/call-prices.test.ts checks the two agree
 * over every model of every provider the table maps.
 */
import { remember } from '../config/remember.js';
import { findProvider } from '../providers/registry.js';
import type { TokenPrices } from '../routing/ranking.js';
import type { TokenUsage } from './usage.js';

export interface CallCost {
  usd: number;
  /** Whose prices: the config's cost source, or the genai-prices table. */
  source: 'model_metrics_sources' | 'genai-prices';
}

export interface PricedCall {
  /** The configured model name (`openai/gpt-4o`), the provider prefix, and the id sent upstream. */
  model: string;
  provider: string;
  upstreamModel: string;
  usage: TokenUsage;
}

/** Prices a call; null when nobody knows the model's price, or the call reported no tokens. */
export type PriceCall = (call: PricedCall, configPrices?: ReadonlyMap<string, TokenPrices>) => CallCost | null;

/** The part of genai-prices used here (its `calcPrice`), so tests can compare against it. */
export type CalcPrice = (
  usage: Record<string, number | undefined>,
  modelId: string,
  options: { providerId: string },
) => { total_price: number; model_price: Record<string, unknown>; model: { prices: unknown } } | null;

/** A model's price when it is linear in its tokens up to `below` input tokens. */
interface Linear {
  perRequest: number;
  perInput: number;
  perOutput: number;
  /** Input tokens from which a tier changes the price (Infinity: none). */
  below: number;
}

/** Loads genai-prices (a 0.8 MB module: only when a gateway prices calls) and returns the pricer. */
export async function loadCallPricer(): Promise<PriceCall> {
  const { calcPrice } = await import('@pydantic/genai-prices');
  return callPricer(calcPrice as unknown as CalcPrice);
}

export function callPricer(calcPrice: CalcPrice): PriceCall {
  // Per provider and upstream model: its linear coefficients, 'exact' (ask calcPrice every time),
  // or null (unknown to the table). Bounded: a client names models, so it could name many.
  const known = new Map<string, Linear | 'exact' | null>();
  const MAX_KNOWN = 4096;

  const priceOf = (providerId: string, model: string, input: number, output: number): number | null => {
    const key = `${providerId}\u0000${model}`;
    let entry = known.get(key);
    if (entry === undefined) entry = remember(known, key, linearPrice(calcPrice, providerId, model), MAX_KNOWN);
    if (entry === null) return null;
    if (entry !== 'exact' && input < entry.below) return entry.perRequest + entry.perInput * input + entry.perOutput * output;
    return calcPrice({ input_tokens: input, output_tokens: output }, model, { providerId })?.total_price ?? null;
  };

  return (call, configPrices) => {
    const input = call.usage.input_tokens;
    const output = call.usage.output_tokens;
    if (input === undefined && output === undefined) return null;
    const configured = configPrices?.get(call.model) ?? configPrices?.get(`${call.provider}/${call.upstreamModel}`);
    if (configured) {
      // A side the catalogue does not price makes the whole unknown, unless the call used none of it.
      if ((input ?? 0) > 0 && configured.input === undefined) return null;
      if ((output ?? 0) > 0 && configured.output === undefined) return null;
      return { usd: ((input ?? 0) * (configured.input ?? 0) + (output ?? 0) * (configured.output ?? 0)) / 1e6, source: 'model_metrics_sources' };
    }
    // A provider without a table of its own (Ollama, a custom prefix) is priced only by the config.
    const providerId = findProvider(call.provider)?.pricesId;
    if (providerId === undefined) return null;
    const usd = priceOf(providerId, call.upstreamModel, input ?? 0, output ?? 0);
    return usd === null ? null : { usd, source: 'genai-prices' };
  };
}

/** A model's linear coefficients from calcPrice, 'exact' when its price is not linear, null when the table does not know it. */
function linearPrice(calcPrice: CalcPrice, providerId: string, model: string): Linear | 'exact' | null {
  // The table's answer for these token counts; null when it knows no such model (or refuses the usage).
  const priced = (input: number, output: number): ReturnType<CalcPrice> => {
    try {
      return calcPrice({ input_tokens: input, output_tokens: output }, model, { providerId });
    } catch {
      return null;
    }
  };
  const found = priced(0, 0);
  if (!found) return null;
  // Prices that change with the date or the time of day are a list of constrained prices.
  if (Array.isArray(found.model.prices)) return 'exact';
  let below = Number.POSITIVE_INFINITY;
  for (const value of Object.values(found.model_price)) {
    if (typeof value === 'number' || value === undefined) continue;
    const tiers = (value as { tiers?: unknown }).tiers;
    if (!Array.isArray(tiers)) return 'exact';
    for (const tier of tiers as Array<{ start?: unknown }>) {
      if (typeof tier.start !== 'number') return 'exact';
      below = Math.min(below, tier.start);
    }
  }
  // Coefficients measured at a token count within the first tier (a tier applies above its `start`).
  if (below < 1) return 'exact';
  const probe = Math.min(1000, Number.isFinite(below) ? below : 1000);
  const none = found.total_price;
  const withInput = priced(probe, 0)?.total_price;
  const withOutput = priced(0, probe)?.total_price;
  if (withInput === undefined || withOutput === undefined) return 'exact';
  return { perRequest: none, perInput: (withInput - none) / probe, perOutput: (withOutput - none) / probe, below: below + 1 };
}
