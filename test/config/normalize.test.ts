/** normalizeConfig: the sections it reads into one shape, tolerant of what the schema rejects. */
import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../src/config/normalize.js';

describe('model_metrics_sources', () => {
  it('reads the sources routing can use, default catalogue URLs filled in, each with its pointer', () => {
    const config = normalizeConfig({
      model_metrics_sources: [
        { type: 'cost', provider: 'models.dev' },
        { type: 'latency', provider: 'prometheus', url: 'http://prom:9090/', query: 'avg by (model_name) (x)', refresh_interval: 30 },
        { type: 'cost', provider: 'digitalocean', model_aliases: { 'openai/gpt-oss-120b': 'openai/gpt-4o', bad: 3 } },
      ],
    });
    expect(config.metricsSources).toEqual([
      { pointer: '/model_metrics_sources/0', type: 'cost', provider: 'models.dev', url: 'https://models.dev/api.json', modelAliases: {} },
      { pointer: '/model_metrics_sources/1', type: 'latency', provider: 'prometheus', url: 'http://prom:9090/', query: 'avg by (model_name) (x)', refreshIntervalSeconds: 30 },
      {
        pointer: '/model_metrics_sources/2',
        type: 'cost',
        provider: 'digitalocean',
        url: 'https://api.digitalocean.com/v2/gen-ai/models/catalog',
        modelAliases: { 'openai/gpt-oss-120b': 'openai/gpt-4o' },
      },
    ]);
  });

  it('leaves out what no ranking can read (the schema reports it), keeping the others\' pointers', () => {
    const config = normalizeConfig({
      model_metrics_sources: [
        { type: 'cost', provider: 'unknown' },
        { type: 'latency', provider: 'prometheus', url: 'http://prom:9090' },
        null,
        { type: 'latency', provider: 'prometheus', url: 'http://prom:9090', query: 'q' },
      ],
    });
    expect(config.metricsSources.map((s) => s.pointer)).toEqual(['/model_metrics_sources/3']);
    expect(normalizeConfig({ model_metrics_sources: {} }).metricsSources).toEqual([]);
  });
});

describe('listeners', () => {
  it('keeps each filter id and agent at the index it is written at, skipping what is not one', () => {
    const [listener] = normalizeConfig({
      listeners: [{ name: 'a', type: 'agent', output_filters: [null, 'pii'], agents: ['x', { id: 'rag', input_filters: [1, 'rewrite'] }] }],
    }).listeners;
    expect(listener!.output_filters).toEqual([{ pointer: '/listeners/0/output_filters/1', id: 'pii' }]);
    expect(listener!.agents).toEqual([
      { pointer: '/listeners/0/agents/1', id: 'rag', input_filters: [{ pointer: '/listeners/0/agents/1/input_filters/1', id: 'rewrite' }] },
    ]);
  });
});
