/** The provider table is data; these check it is consistent and names what the seed and the reference name. */
import { describe, expect, it } from 'vitest';
import { findProvider, interfaceNames, knownPrefixes, PROVIDERS } from '../../src/providers/registry.js';
import { CLIENT_APIS } from '../../src/providers/types.js';

describe('provider table', () => {
  it('has every provider of the seed guide and the others the reference knows', () => {
    const ids = PROVIDERS.map((p) => p.id);
    for (const id of [
      'openai', 'anthropic', 'deepseek', 'mistral', 'groq', 'gemini', 'together_ai', 'xai', 'moonshotai', 'zhipu',
      'azure_openai', 'amazon_bedrock', 'qwen', 'ollama',
      'xiaomi', 'digitalocean', 'vercel', 'openrouter', 'edenai', 'chatgpt',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it.each([
    ['google', 'gemini'], ['together', 'together_ai'], ['amazon', 'amazon_bedrock'], ['mistralai', 'mistral'],
    ['x-ai', 'xai'], ['z-ai', 'zhipu'], ['do', 'digitalocean'], ['OpenAI', 'openai'], ['Google', 'gemini'],
  ])('prefix %s means %s', (prefix, id) => {
    expect(findProvider(prefix)?.id).toBe(id);
  });

  it('unknown prefixes are unknown', () => {
    expect(findProvider('litellm')).toBeUndefined();
    expect(findProvider('')).toBeUndefined();
  });

  it('no prefix means two providers', () => {
    const all = PROVIDERS.flatMap((p) => [p.id, ...p.aliases].map((x) => x.toLowerCase()));
    expect(new Set(all).size).toBe(all.length);
    expect(knownPrefixes().sort()).toEqual([...all].sort());
  });

  it.each(PROVIDERS.map((p) => [p.id, p] as const))('%s: a path for every upstream API it speaks', (_id, provider) => {
    for (const client of CLIENT_APIS) {
      expect(provider.endpointPaths[provider.upstreamApiFor[client]], `${provider.id} ${client}`).toBeDefined();
    }
    expect(provider.defaultBaseUrl === null || /^https:\/\/[a-z0-9.-]+$/.test(provider.defaultBaseUrl)).toBe(true);
  });

  it('wire APIs follow DESIGN.md: anthropic natively, openai/xai responses natively, bedrock Converse, the rest chat', () => {
    expect(Object.values(findProvider('anthropic')!.upstreamApiFor)).toEqual(['anthropic_messages', 'anthropic_messages', 'anthropic_messages']);
    expect(findProvider('openai')!.upstreamApiFor.responses).toBe('openai_responses');
    expect(findProvider('xai')!.upstreamApiFor.responses).toBe('openai_responses');
    expect(Object.values(findProvider('amazon_bedrock')!.upstreamApiFor)).toEqual(['bedrock_converse', 'bedrock_converse', 'bedrock_converse']);
    for (const id of ['deepseek', 'mistral', 'groq', 'gemini', 'together_ai', 'moonshotai', 'zhipu', 'azure_openai', 'qwen', 'ollama']) {
      expect(Object.values(findProvider(id)!.upstreamApiFor), id).toEqual(['openai_chat', 'openai_chat', 'openai_chat']);
    }
  });

  it('auth goes where each upstream wants it', () => {
    expect(findProvider('anthropic')!.authStyle).toBe('x-api-key');
    expect(findProvider('azure_openai')!.authStyle).toBe('api-key');
    expect(findProvider('amazon_bedrock')!.authStyle).toBe('bearer');
    expect(findProvider('openai')!.authStyle).toBe('bearer');
  });

  it('provider_interface may name OpenAI-compatible providers, not those needing their own base_url shape', () => {
    expect(interfaceNames()).toContain('openai');
    expect(interfaceNames()).not.toContain('azure_openai');
    expect(interfaceNames()).not.toContain('amazon_bedrock');
  });
});
