import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../src/config/normalize.js';
import {
  costsFromCatalogue,
  latenciesFromPrometheus,
  loadModelMetrics,
  mergeMetrics,
  metricsSourceUrl,
  pricesFromCatalogue,
  rankModels,
  NO_METRICS,
  type ModelMetrics,
} from '../../src/routing/ranking.js';
import { fixtureJson } from './fixture-config.js';

const metrics = (cost: Record<string, number>, latency: Record<string, number> = {}): ModelMetrics => ({
  cost: new Map(Object.entries(cost)),
  prices: new Map(Object.entries(cost).map(([model, total]) => [model, { input: total }])),
  latency: new Map(Object.entries(latency)),
  available: new Set([...(Object.keys(cost).length ? ['cost' as const] : []), ...(Object.keys(latency).length ? ['latency' as const] : [])]),
});

describe('rankModels', () => {
  const models = ['a', 'b', 'c', 'd'];

  it('keeps declared order for prefer: none and without a policy', () => {
    expect(rankModels(models, 'none', metrics({ d: 1 })).models).toEqual(models);
    expect(rankModels(models, undefined, metrics({ d: 1 })).models).toEqual(models);
  });

  it('orders cheapest first, models without data last in declared order', () => {
    const ranking = rankModels(models, 'cheapest', metrics({ c: 0.5, a: 3, d: Number.NaN }));
    expect(ranking.models).toEqual(['c', 'a', 'b', 'd']);
    expect(ranking.note).toBe('no cost data for b, d; ranked last');
  });

  it('orders fastest first by latency, ties in declared order', () => {
    expect(rankModels(models, 'fastest', metrics({}, { d: 1, b: 2, a: 1 })).models).toEqual(['a', 'd', 'b', 'c']);
  });

  it('keeps declared order, with a note, when no source for the metric answered', () => {
    const ranking = rankModels(models, 'fastest', metrics({ d: 1 }));
    expect(ranking.models).toEqual(models);
    expect(ranking.note).toMatch(/prefer: fastest has no latency data/);
    expect(rankModels(models, 'cheapest', NO_METRICS).models).toEqual(models);
  });

  it('looks a model up under the other names it is given', () => {
    const keys = (m: string) => (m === 'short' ? ['short', 'openai/short'] : [m]);
    expect(rankModels(['x', 'short'], 'cheapest', metrics({ x: 2, 'openai/short': 1 }), keys).models).toEqual(['short', 'x']);
  });
});

describe('metrics documents', () => {
  it('reads models.dev costs as input + output per provider/model, aliases applied', () => {
    const costs = costsFromCatalogue('models.dev', fixtureJson('models.dev.json'), { 'openai/gpt-oss-120b': 'openai/gpt-4o' });
    expect(Object.fromEntries(costs)).toEqual({
      'openai/gpt-5': 11.25,
      'openai/gpt-4.1': 10,
      'openai/gpt-4o': 0.6,
      'groq/llama-3.3-70b-versatile': 1.38,
    });
  });

  it('keeps input and output prices apart for pricing calls', () => {
    const prices = pricesFromCatalogue('models.dev', fixtureJson('models.dev.json'), { 'openai/gpt-oss-120b': 'openai/gpt-4o' });
    expect(prices.get('openai/gpt-5')).toEqual({ input: 1.25, output: 10 });
    expect(prices.get('openai/gpt-4o')).toEqual({ input: 0.1, output: 0.5 });
    expect(pricesFromCatalogue('digitalocean', fixtureJson('digitalocean-catalog.json')).get('anthropic/claude-sonnet-4-5')).toEqual({ input: 3, output: 15 });
  });

  it('reads the DigitalOcean catalogue keyed lowercase(creator)/model_id', () => {
    const costs = costsFromCatalogue('digitalocean', fixtureJson('digitalocean-catalog.json'));
    expect(Object.fromEntries(costs)).toEqual({
      'openai/openai-gpt-5': 11.25,
      'anthropic/claude-sonnet-4-5': 18,
      'meta/llama3.3-70b-instruct': 0.65,
    });
  });

  it('reads Prometheus latencies by model_name, skipping NaN and unlabelled series', () => {
    expect(Object.fromEntries(latenciesFromPrometheus(fixtureJson('prometheus-latency.json')))).toEqual({
      'openai/gpt-5': 2.75,
      'openai/gpt-4.1': 0.9,
    });
  });

  it('queries Prometheus through /api/v1/query, and a cost catalogue at its URL', () => {
    const [cost, latency] = normalizeConfig({
      model_metrics_sources: [
        { type: 'cost', provider: 'models.dev' },
        { type: 'latency', provider: 'prometheus', url: 'http://prom:9090/', query: 'avg by (model_name) (x)' },
      ],
    }).metricsSources;
    expect(metricsSourceUrl(cost!)).toBe('https://models.dev/api.json');
    expect(metricsSourceUrl(latency!)).toBe('http://prom:9090/api/v1/query?query=avg+by+%28model_name%29+%28x%29');
  });
});

describe('loadModelMetrics', () => {
  const { metricsSources: sources } = normalizeConfig({
    model_metrics_sources: [
      { type: 'cost', provider: 'models.dev', url: 'http://costs.test/api.json' },
      { type: 'latency', provider: 'prometheus', url: 'http://prom.test', query: 'q' },
    ],
  });

  it('merges what every source answered', async () => {
    const documents: Record<string, unknown> = {
      'http://costs.test/api.json': fixtureJson('models.dev.json'),
      'http://prom.test/api/v1/query?query=q': fixtureJson('prometheus-latency.json'),
    };
    const { metrics: loaded, warnings } = await loadModelMetrics(sources, async (url) => documents[url]);
    expect(warnings).toEqual([]);
    expect([...loaded.available].sort()).toEqual(['cost', 'latency']);
    expect(rankModels(['openai/gpt-5', 'openai/gpt-4.1'], 'fastest', loaded).models).toEqual(['openai/gpt-4.1', 'openai/gpt-5']);
    expect(rankModels(['openai/gpt-5', 'groq/llama-3.3-70b-versatile'], 'cheapest', loaded).models).toEqual([
      'groq/llama-3.3-70b-versatile',
      'openai/gpt-5',
    ]);
  });

  it('turns an unreachable source into a warning and keeps declared order for its metric', async () => {
    const { metrics: loaded, warnings } = await loadModelMetrics(sources, async (url) => {
      if (url.startsWith('http://prom.test')) throw new Error('connection refused');
      return fixtureJson('models.dev.json');
    });
    expect(warnings).toEqual([
      'latency source prometheus (http://prom.test) is unreachable: connection refused; routes that prefer fastest keep their declared order',
    ]);
    expect(rankModels(['openai/gpt-5', 'openai/gpt-4.1'], 'fastest', loaded).models).toEqual(['openai/gpt-5', 'openai/gpt-4.1']);
    expect(rankModels(['openai/gpt-5', 'openai/gpt-4.1'], 'cheapest', loaded).models).toEqual(['openai/gpt-4.1', 'openai/gpt-5']);
  });

  it('warns about a source that answers without usable data', async () => {
    const { warnings } = await loadModelMetrics(sources.slice(0, 1), async () => ({ unexpected: true }));
    expect(warnings).toEqual(['cost source models.dev (http://costs.test/api.json) answered with no usable cost data']);
  });
});

describe('mergeMetrics', () => {
  it('takes each kind from the fresh metrics when its sources answered, else keeps the last good data', () => {
    const previous = metrics({ a: 1 }, { a: 5 });
    const fresh: ModelMetrics = { cost: new Map([['a', 2]]), prices: new Map([['a', { input: 2 }]]), latency: new Map(), available: new Set(['cost']) };
    const merged = mergeMetrics(previous, fresh);
    expect(Object.fromEntries(merged.cost)).toEqual({ a: 2 });
    expect(Object.fromEntries(merged.latency)).toEqual({ a: 5 });
    expect([...merged.available].sort()).toEqual(['cost', 'latency']);
  });
});
