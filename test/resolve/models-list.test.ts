/** The /v1/models object built from a Gateway (DESIGN.md contract). */
import { describe, expect, it } from 'vitest';
import { catalogModels } from '../../src/providers/catalog.js';
import { modelsListObject } from '../../src/resolve/models-list.js';
import { gatewayFromYaml, readFixture } from './fixture-gateway.js';

describe('modelsListObject', () => {
  const list = modelsListObject(gatewayFromYaml(readFixture('valid/wildcards.yaml')));
  const ids = list.data.map((d) => d.id);

  it('has the OpenAI list shape', () => {
    expect(list.object).toBe('list');
    for (const entry of list.data) expect(Object.keys(entry)).toEqual(['id', 'object', 'created', 'owned_by']);
    expect(list.data[0]).toEqual({ id: 'anthropic/claude-sonnet-4-20250514', object: 'model', created: 0, owned_by: 'anthropic' });
  });

  it('lists explicit models by canonical name, then every expanded one, each once', () => {
    expect(ids.slice(0, 5)).toEqual([
      'anthropic/claude-sonnet-4-20250514',
      'anthropic/claude-3-haiku-20240307',
      'openai/gpt-4o-mini',
      'openai/gpt-4o',
      'azure_openai/gpt-4.1',
    ]);
    expect(ids).toHaveLength(5 + catalogModels('anthropic').length - 1 + catalogModels('amazon_bedrock').length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('amazon_bedrock/amazon.nova-premier-v1:0:mm');
  });

  it('leaves out run-time patterns, aliases and configured names', () => {
    expect(ids.some((id) => id.startsWith('litellm/') || id.startsWith('custom-provider/') || id.endsWith('/*'))).toBe(false);
    expect(ids).not.toContain('fast');
    expect(ids).not.toContain('openai-prod');
  });

  it('owned_by is the provider table owner; a custom prefix owns its own models', () => {
    const owners = modelsListObject(gatewayFromYaml(`
model_providers:
  - model: google/gemini-2.5-pro
  - model: vllm/custom-model
    base_url: https://vllm.example.com
    provider_interface: openai
`)).data.map((d) => [d.id, d.owned_by]);
    expect(owners).toEqual([['google/gemini-2.5-pro', 'gemini'], ['vllm/custom-model', 'vllm']]);
  });
});
