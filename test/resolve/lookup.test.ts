/** lookupModel: the order DESIGN.md fixes, and what a miss says. */
import { describe, expect, it } from 'vitest';
import { lookupModel } from '../../src/resolve/lookup.js';
import type { LookupResult } from '../../src/resolve/types.js';
import { gatewayFromYaml, readFixture } from './fixture-gateway.js';

const gateway = gatewayFromYaml(readFixture('valid/wildcards.yaml'));

function hit(requested: string | undefined | null) {
  const result = lookupModel(gateway, requested);
  if (!result.found) throw new Error(`${String(requested)} not found: ${result.reason}`);
  return { via: result.via, name: result.model.name, model: result.model.model, alias: result.alias, resolved: result.model };
}

function miss(requested: string): Extract<LookupResult, { found: false }> {
  const result = lookupModel(gateway, requested);
  if (result.found) throw new Error(`${requested} unexpectedly found as ${result.model.name}`);
  return result;
}

describe('lookup order', () => {
  it.each([undefined, null, ''])('%j → the default model', (requested) => {
    expect(hit(requested)).toMatchObject({ via: 'default', name: 'openai/gpt-4o-mini' });
  });

  it('a configured name', () => {
    expect(hit('openai-prod')).toMatchObject({ via: 'name', name: 'openai-prod', model: 'gpt-4o' });
  });

  it('a canonical provider/model, explicit or expanded', () => {
    expect(hit('openai/gpt-4o')).toMatchObject({ via: 'canonical', name: 'openai-prod' });
    expect(hit('anthropic/claude-opus-4-5')).toMatchObject({ via: 'canonical', model: 'claude-opus-4-5' });
    expect(hit('amazon_bedrock/amazon.nova-premier-v1:0:8k')).toMatchObject({ via: 'canonical', model: 'amazon.nova-premier-v1:0:8k' });
  });

  it('an override wins over the wildcard it overrides', () => {
    const override = hit('anthropic/claude-sonnet-4-20250514');
    expect(override.resolved.fromWildcard).toBeNull();
    expect(override.resolved.auth.env).toBe('ANTHROPIC_PROD_API_KEY');
    expect(hit('claude-sonnet-4-20250514').resolved.auth.env).toBe('ANTHROPIC_PROD_API_KEY');
  });

  it('an alias, one hop, to a short id or a provider/model', () => {
    expect(hit('fast')).toMatchObject({ via: 'alias', alias: 'fast', name: 'openai/gpt-4o-mini' });
    expect(hit('smart')).toMatchObject({ via: 'alias', alias: 'smart', name: 'openai-prod' });
    expect(hit('writer')).toMatchObject({ via: 'alias', alias: 'writer', name: 'anthropic/claude-sonnet-4-20250514' });
  });

  it('a unique short id, explicit or expanded', () => {
    expect(hit('gpt-4o-mini')).toMatchObject({ via: 'short', name: 'openai/gpt-4o-mini' });
    expect(hit('claude-3-haiku-20240307')).toMatchObject({ via: 'short', name: 'anthropic/claude-3-haiku-20240307' });
    expect(hit('claude-haiku-4-5')).toMatchObject({ via: 'short', name: 'anthropic/claude-haiku-4-5' });
  });

  it('a run-time wildcard: any id after the prefix, `/` and `:` included', () => {
    const router = hit('litellm/anthropic/claude-3.5-sonnet:beta');
    expect(router).toMatchObject({ via: 'wildcard', name: 'litellm/anthropic/claude-3.5-sonnet:beta', model: 'anthropic/claude-3.5-sonnet:beta' });
    expect(router.resolved).toMatchObject({ fromWildcard: 'litellm/*', interface: 'openai', shortName: null, auth: { mode: 'passthrough' } });
    expect(router.resolved.endpoints.chat_completions.url).toBe('https://litellm.example.com/v1/chat/completions');
  });

  it('known providers match at run time too, with the model in the path where it goes', () => {
    const fresh = hit('anthropic/claude-next-7');
    expect(fresh).toMatchObject({ via: 'wildcard', model: 'claude-next-7' });
    expect(fresh.resolved.auth.env).toBe('ANTHROPIC_API_KEY');
    const bedrock = hit('amazon_bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0');
    expect(bedrock.resolved.endpoints.chat_completions).toEqual({
      api: 'bedrock_converse',
      url: 'https://bedrock-runtime.us-west-2.amazonaws.com/model/us.anthropic.claude-3-5-sonnet-20241022-v2:0/converse',
      streamUrl: 'https://bedrock-runtime.us-west-2.amazonaws.com/model/us.anthropic.claude-3-5-sonnet-20241022-v2:0/converse-stream',
    });
  });

  it('the order decides between steps that both match', () => {
    const shadowing = gatewayFromYaml(`
model_providers:
  - model: openai/gpt-4o
    name: claude-opus-4-5            # a name beats the short id of the expansion
  - model: anthropic/*
  - model: mistral/mistral-large-latest
    name: anthropic/claude-haiku-4-5 # a name beats a canonical name
  - model: groq/gpt-oss-20b
model_aliases:
  gpt-oss-20b:                       # an alias beats a short id
    target: openai/gpt-4o
  anthropic/claude-opus-4-1:         # a canonical name beats an alias
    target: openai/gpt-4o
`);
    const via = (r: string) => {
      const result = lookupModel(shadowing, r);
      return result.found ? [result.via, result.model.canonical] : [result.reason];
    };
    expect(via('claude-opus-4-5')).toEqual(['name', 'openai/gpt-4o']);
    expect(via('anthropic/claude-haiku-4-5')).toEqual(['name', 'mistral/mistral-large-latest']);
    expect(via('gpt-oss-20b')).toEqual(['alias', 'openai/gpt-4o']);
    expect(via('anthropic/claude-opus-4-1')).toEqual(['canonical', 'anthropic/claude-opus-4-1']);
  });

  it('aliases do not chain', () => {
    const chained = gatewayFromYaml(`
model_providers:
  - model: openai/gpt-4o
model_aliases:
  first:
    target: second
  second:
    target: gpt-4o
`);
    expect(lookupModel(chained, 'second')).toMatchObject({ found: true, via: 'alias' });
    expect(lookupModel(chained, 'first')).toMatchObject({ found: false, requested: 'first', reason: 'unknown' });
  });
});

describe('misses', () => {
  it('an ambiguous short id routes nowhere and names the entries to choose from', () => {
    // validate refuses this config (duplicate-model-id), as Plano does; the resolver still says who collides.
    const twoProviders = gatewayFromYaml(`
model_providers:
  - model: openai/gpt-4o
    name: openai-prod
  - model: azure_openai/gpt-4o
    base_url: https://r.openai.azure.com
`);
    expect(lookupModel(twoProviders, 'gpt-4o')).toEqual({ found: false, requested: 'gpt-4o', reason: 'ambiguous', suggestions: ['openai-prod', 'azure_openai/gpt-4o'] });
  });

  it('nothing else: another prefix before a known short id is not that model', () => {
    const result = miss('anything/gpt-4o-mini');
    expect(result.reason).toBe('unknown');
    expect(result.suggestions).toContain('gpt-4o-mini');
  });

  it('a prefix alone, a prefix and a slash, or the pattern itself is no model', () => {
    expect(miss('litellm').reason).toBe('unknown');
    expect(miss('litellm/').reason).toBe('unknown');
    expect(miss('litellm/*').reason).toBe('unknown');
    expect(miss('anthropic/*').reason).toBe('unknown');
  });

  it('did-you-mean: typos, other case, a misspelt run-time prefix', () => {
    expect(miss('gpt-4o-mni').suggestions[0]).toBe('gpt-4o-mini');
    expect(miss('OpenAI-Prod').suggestions[0]).toBe('openai-prod');
    expect(miss('litelm/my-model').suggestions[0]).toBe('litellm/my-model');
    expect(miss('fsat').suggestions).toContain('fast');
  });

  it('nothing close, no suggestions', () => {
    expect(miss('zzzzzzzzzzzzzzzz').suggestions).toEqual([]);
  });

  it('no model and no default', () => {
    const noDefault = gatewayFromYaml('model_providers:\n  - model: openai/gpt-4o\n');
    expect(lookupModel(noDefault, undefined)).toEqual({ found: false, requested: '', reason: 'no-default', suggestions: [] });
  });

  it('an alias whose target is ambiguous says so', () => {
    const ambiguous = gatewayFromYaml(`
model_providers:
  - model: openai/gpt-4o
  - model: azure_openai/gpt-4o
    base_url: https://r.openai.azure.com
model_aliases:
  main:
    target: gpt-4o
`);
    expect(lookupModel(ambiguous, 'main')).toEqual({
      found: false,
      requested: 'main',
      reason: 'ambiguous',
      suggestions: ['openai/gpt-4o', 'azure_openai/gpt-4o'],
    });
  });
});
