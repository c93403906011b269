/**
 * Ordering a route's candidate models by its `selection_policy.prefer`, and loading the
 * `model_metrics_sources` (as src/config/normalize.ts reads them) that `cheapest` and `fastest`
 * need. Fetching is injected (a `fetchJson` function), so this module stays pure and tests hand
 * it documents directly.
 *
 * Sources and their shapes (reference docs, "Cost- and latency-aware selection"):
 *   cost / models.dev     {<provider>: {models: {<model>: {cost: {input, output}}}}}  key provider/model
 *   cost / digitalocean   {data: [{model_id, pricing: {input_price_per_million, output_price_per_million}}]}
 *   latency / prometheus  GET <url>/api/v1/query?query=… → {data: {result: [{metric: {model_name}, value: [t, "v"]}]}}
 */
import type { CostCatalogue, MetricsSource, SelectionPreference } from '../config/types.js';
import { isObject } from '../translate/json-fields.js';

export type MetricKind = 'cost' | 'latency';

/** A catalogue's prices for one model, US dollars per million tokens; a side the catalogue leaves out is undefined. */
export interface TokenPrices {
  input?: number;
  output?: number;
}

/** Per model name: total $/M tokens (input + output), and observed latency. Lower is better for both. */
export interface ModelMetrics {
  cost: ReadonlyMap<string, number>;
  /** The same catalogue entries, input and output apart (what the live view prices a call with). */
  prices: ReadonlyMap<string, TokenPrices>;
  latency: ReadonlyMap<string, number>;
  /** Which kinds had a source that answered; a kind without one cannot rank. */
  available: ReadonlySet<MetricKind>;
}

export const NO_METRICS: ModelMetrics = { cost: new Map(), prices: new Map(), latency: new Map(), available: new Set() };

const METRIC_FOR: Readonly<Record<Exclude<SelectionPreference, 'none'>, MetricKind>> = {
  cheapest: 'cost',
  fastest: 'latency',
};

export interface Ranking {
  models: string[];
  /** Set when the policy could not be applied as asked (no data), saying why. */
  note?: string;
}

/**
 * `none` (or no policy): declared order. `cheapest` / `fastest`: ascending by the metric; models
 * without data (or NaN) go last in declared order. Without a source that answered for the
 * metric, declared order and a note. `metricKeys` gives the names a model may be listed under in
 * a catalogue (its name as written first), for models referred to by a short name or alias.
 */
export function rankModels(
  models: readonly string[],
  prefer: SelectionPreference | undefined,
  metrics: ModelMetrics,
  metricKeys: (model: string) => readonly string[] = (model) => [model],
): Ranking {
  if (prefer === undefined || prefer === 'none') return { models: [...models] };
  const kind = METRIC_FOR[prefer];
  if (!metrics.available.has(kind)) {
    return { models: [...models], note: `prefer: ${prefer} has no ${kind} data (no reachable ${kind} source); declared order kept` };
  }
  const data = kind === 'cost' ? metrics.cost : metrics.latency;
  const valueOf = (model: string): number | undefined => {
    for (const key of metricKeys(model)) {
      const v = data.get(key);
      if (v !== undefined && !Number.isNaN(v)) return v;
    }
    return undefined;
  };
  const withData = models
    .map((model, index) => ({ model, index, value: valueOf(model) }))
    .filter((m): m is { model: string; index: number; value: number } => m.value !== undefined)
    // Array.prototype.sort is stable: equal values keep declared order.
    .sort((a, b) => a.value - b.value);
  const ranked = withData.map((m) => m.model);
  const without = models.filter((m) => !ranked.includes(m));
  return {
    models: [...ranked, ...without],
    ...(without.length > 0 ? { note: `no ${kind} data for ${without.join(', ')}; ranked last` } : {}),
  };
}

/** Where a source is fetched from: Prometheus's instant-query API for latency, the catalogue URL for cost. */
export function metricsSourceUrl(source: MetricsSource): string {
  if (source.type === 'cost') return source.url;
  const query = new URLSearchParams({ query: source.query });
  return `${source.url.replace(/\/+$/, '')}/api/v1/query?${query}`;
}

/** Total $/M (input + output) per model name from a cost catalogue, with `model_aliases` applied. */
export function costsFromCatalogue(
  provider: CostCatalogue,
  document: unknown,
  aliases: Readonly<Record<string, string>> = {},
): Map<string, number> {
  return totalsOf(pricesFromCatalogue(provider, document, aliases));
}

/** Input and output $/M per model name from a cost catalogue, with `model_aliases` applied; models with neither are left out. */
export function pricesFromCatalogue(
  provider: CostCatalogue,
  document: unknown,
  aliases: Readonly<Record<string, string>> = {},
): Map<string, TokenPrices> {
  const out = new Map<string, TokenPrices>();
  const put = (key: string, input: unknown, output: unknown): void => {
    const prices: TokenPrices = {
      ...(finite(input) ? { input } : {}),
      ...(finite(output) ? { output } : {}),
    };
    if (prices.input !== undefined || prices.output !== undefined) out.set(aliases[key] ?? key, prices);
  };
  if (provider === 'models.dev') {
    if (!isObject(document)) return out;
    for (const [providerId, entry] of Object.entries(document)) {
      if (!isObject(entry) || !isObject(entry.models)) continue;
      for (const [modelId, model] of Object.entries(entry.models)) {
        if (isObject(model) && isObject(model.cost)) put(`${providerId}/${modelId}`, model.cost.input, model.cost.output);
      }
    }
    return out;
  }
  const data = isObject(document) && Array.isArray(document.data) ? document.data : [];
  for (const model of data) {
    if (!isObject(model) || typeof model.model_id !== 'string' || !isObject(model.pricing)) continue;
    // Keys are `lowercase(creator)/model_id` (reference docs); ids that already carry a creator stay as they are.
    const creator = typeof model.creator === 'string' && !model.model_id.includes('/') ? `${model.creator.toLowerCase()}/` : '';
    put(creator + model.model_id, model.pricing.input_price_per_million, model.pricing.output_price_per_million);
  }
  return out;
}

function totalsOf(prices: ReadonlyMap<string, TokenPrices>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, { input, output }] of prices) out.set(key, (input ?? 0) + (output ?? 0));
  return out;
}

/** Latency per `model_name` label from a Prometheus instant-query result (vector values are strings). */
export function latenciesFromPrometheus(document: unknown): Map<string, number> {
  const out = new Map<string, number>();
  const result = isObject(document) && isObject(document.data) && Array.isArray(document.data.result) ? document.data.result : [];
  for (const series of result) {
    if (!isObject(series) || !isObject(series.metric) || !Array.isArray(series.value)) continue;
    const name = series.metric.model_name;
    const value = Number(series.value[1]);
    if (typeof name === 'string' && Number.isFinite(value)) out.set(name, value);
  }
  return out;
}

export interface LoadedMetrics {
  metrics: ModelMetrics;
  /** One line per source that could not be used, for the startup log. */
  warnings: string[];
}

/**
 * Fetches every source once through `fetchJson` (which throws when a source is unreachable or
 * answers an error) and merges what answered. Never throws: a failed source is a warning, and
 * routes that need it keep their declared order.
 */
export async function loadModelMetrics(
  sources: readonly MetricsSource[],
  fetchJson: (url: string) => Promise<unknown>,
): Promise<LoadedMetrics> {
  const prices = new Map<string, TokenPrices>();
  const latency = new Map<string, number>();
  const available = new Set<MetricKind>();
  const warnings: string[] = [];
  await Promise.all(
    sources.map(async (source) => {
      const url = metricsSourceUrl(source);
      let document: unknown;
      try {
        document = await fetchJson(url);
      } catch (error) {
        warnings.push(
          `${source.type} source ${source.provider} (${source.url}) is unreachable: ${(error as Error).message}; ` +
            `routes that prefer ${source.type === 'cost' ? 'cheapest' : 'fastest'} keep their declared order`,
        );
        return;
      }
      const values =
        source.type === 'cost' ? pricesFromCatalogue(source.provider, document, source.modelAliases) : latenciesFromPrometheus(document);
      if (values.size === 0) {
        warnings.push(`${source.type} source ${source.provider} (${source.url}) answered with no usable ${source.type} data`);
        return;
      }
      if (source.type === 'cost') for (const [k, v] of values as Map<string, TokenPrices>) prices.set(k, v);
      else for (const [k, v] of values as Map<string, number>) latency.set(k, v);
      available.add(source.type);
    }),
  );
  return { metrics: { cost: totalsOf(prices), prices, latency, available }, warnings };
}

/**
 * Fresh metrics over older ones, kind by kind: a kind whose sources did not answer this time
 * keeps its last good data rather than losing it to a failed refresh.
 */
export function mergeMetrics(previous: ModelMetrics, fresh: ModelMetrics): ModelMetrics {
  const pick = (kind: MetricKind) => (fresh.available.has(kind) ? fresh : previous);
  const cost = pick('cost');
  const latency = pick('latency');
  const available = new Set<MetricKind>([...previous.available, ...fresh.available]);
  return { cost: cost.cost, prices: cost.prices, latency: latency.latency, available };
}

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
