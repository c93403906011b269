/** resolveGateway: names, wildcard expansion and overrides, custom providers, and tolerance of invalid configs. */
import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../src/config/normalize.js';
import { catalogModels } from '../../src/providers/catalog.js';
import { resolveGateway } from '../../src/resolve/resolve.js';
import { gatewayFromYaml, readFixture } from './fixture-gateway.js';

describe('wildcard expansion (fixtures/valid/wildcards.yaml)', () => {
  const gateway = gatewayFromYaml(readFixture('valid/wildcards.yaml'));
  const names = gateway.models.map((m) => m.name);
  const anthropicCatalogue = catalogModels('anthropic');

  it('a known provider expands to every catalogue model but the ones configured explicitly', () => {
    const expanded = gateway.models.filter((m) => m.fromWildcard === 'anthropic/*').map((m) => m.model);
    expect(expanded).toEqual(anthropicCatalogue.filter((id) => id !== 'claude-sonnet-4-20250514'));
  });

  it('the explicit override keeps its own settings and is not marked as expanded', () => {
    const override = gateway.models.filter((m) => m.canonical === 'anthropic/claude-sonnet-4-20250514');
    expect(override).toHaveLength(1);
    expect(override[0]!.fromWildcard).toBeNull();
    expect(override[0]!.auth.env).toBe('ANTHROPIC_PROD_API_KEY');
    expect(override[0]!.pointer).toBe('/model_providers/1');
  });

  it('expanded models inherit the wildcard entry: auth, base URL, pointer', () => {
    const opus = gateway.models.find((m) => m.canonical === 'anthropic/claude-opus-4-5')!;
    expect(opus).toMatchObject({
      name: 'anthropic/claude-opus-4-5',
      shortName: 'claude-opus-4-5',
      model: 'claude-opus-4-5',
      fromWildcard: 'anthropic/*',
      isDefault: false,
      baseUrl: 'https://api.anthropic.com',
      pointer: '/model_providers/0',
    });
    expect(opus.auth.env).toBe('ANTHROPIC_API_KEY');
    expect(opus.endpoints.chat_completions).toEqual({ api: 'anthropic_messages', url: 'https://api.anthropic.com/v1/messages', streamUrl: 'https://api.anthropic.com/v1/messages' });
  });

  it('explicit entries come first in config order, then the expansions grouped by wildcard', () => {
    const explicit = gateway.models.filter((m) => m.fromWildcard === null).map((m) => m.name);
    expect(explicit).toEqual([
      'anthropic/claude-sonnet-4-20250514',
      'anthropic/claude-3-haiku-20240307',
      'openai/gpt-4o-mini',
      'openai-prod',
      'azure_openai/gpt-4.1',
    ]);
    expect(names.slice(0, explicit.length)).toEqual(explicit);
    const groups = gateway.models.slice(explicit.length).map((m) => m.fromWildcard);
    const anthropic = catalogModels('anthropic').length - 1;
    const bedrock = catalogModels('amazon_bedrock').length;
    expect(groups).toEqual([...Array<string>(anthropic).fill('anthropic/*'), ...Array<string>(bedrock).fill('amazon_bedrock/*')]);
  });

  it('every wildcard also stays a run-time pattern, custom ones only that', () => {
    expect(gateway.wildcards.map((w) => w.pattern)).toEqual(['anthropic/*', 'amazon_bedrock/*', 'litellm/*', 'custom-provider/*']);
    expect(gateway.models.some((m) => m.prefix === 'litellm' || m.prefix === 'custom-provider')).toBe(false);
  });

  it('wildcard URL templates carry {model} where the model goes', () => {
    const bedrock = gateway.wildcards.find((w) => w.pattern === 'amazon_bedrock/*')!;
    expect(bedrock.endpoints.messages).toEqual({
      api: 'bedrock_converse',
      url: 'https://bedrock-runtime.us-west-2.amazonaws.com/model/{model}/converse',
      streamUrl: 'https://bedrock-runtime.us-west-2.amazonaws.com/model/{model}/converse-stream',
    });
    const custom = gateway.wildcards.find((w) => w.pattern === 'custom-provider/*')!;
    expect(custom.provider.id).toBe('openai');
    expect(custom.interface).toBe('openai');
    expect(custom.endpoints.chat_completions.url).toBe('https://api.custom-provider.com/api/v2/chat/completions');
  });

  it('a short id two entries share is nobody\'s, and the gateway says who collides', () => {
    // validate refuses this config (duplicate-model-id), as Plano does; the resolver tolerates it.
    const twoProviders = gatewayFromYaml(`
model_providers:
  - model: openai/gpt-4o-mini
  - model: openai/gpt-4o
    name: openai-prod
  - model: azure_openai/gpt-4o
    base_url: https://r.openai.azure.com
`);
    expect(twoProviders.ambiguousShortNames).toEqual({ 'gpt-4o': ['openai-prod', 'azure_openai/gpt-4o'] });
    expect(twoProviders.models.find((m) => m.name === 'openai-prod')!.shortName).toBeNull();
    expect(twoProviders.models.find((m) => m.name === 'openai/gpt-4o-mini')!.shortName).toBe('gpt-4o-mini');
  });

  it('names: configured name, else provider/model as written', () => {
    const prod = gateway.models.find((m) => m.name === 'openai-prod')!;
    expect(prod.canonical).toBe('openai/gpt-4o');
    expect(gateway.defaultModel?.name).toBe('openai/gpt-4o-mini');
    expect(gateway.aliases).toEqual({ fast: 'gpt-4o-mini', smart: 'openai/gpt-4o', writer: 'claude-sonnet-4-20250514' });
  });
});

describe('expansion details', () => {
  it('the prefix as written names the expanded models (google/*, not gemini/*), and owns the URLs of its provider', () => {
    const gateway = gatewayFromYaml('model_providers:\n  - model: google/*\n    access_key: $GOOGLE_API_KEY\n');
    expect(gateway.models).toHaveLength(catalogModels('gemini').length);
    const pro = gateway.models.find((m) => m.model === 'gemini-2.5-pro')!;
    expect(pro.canonical).toBe('google/gemini-2.5-pro');
    expect(pro.prefix).toBe('google');
    expect(pro.interface).toBe('gemini');
    expect(pro.endpoints.chat_completions.url).toBe('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions');
  });

  it('an override under another spelling of the provider is still left out of the expansion', () => {
    const gateway = gatewayFromYaml(`
model_providers:
  - model: google/*
    access_key: $GOOGLE_API_KEY
  - model: gemini/gemini-2.5-pro
    access_key: $OTHER_KEY
`);
    expect(gateway.models.filter((m) => m.model === 'gemini-2.5-pro').map((m) => m.name)).toEqual(['gemini/gemini-2.5-pro']);
    expect(gateway.ambiguousShortNames).toEqual({});
  });

  it('the same wildcard twice (as the seed guide writes anthropic/*) expands once', () => {
    const gateway = gatewayFromYaml(`
model_providers:
  - model: anthropic/*
    access_key: $ANTHROPIC_API_KEY
  - model: anthropic/claude-opus-4-5
    access_key: $ANTHROPIC_API_KEY
  - model: anthropic/*
    access_key: $ANTHROPIC_API_KEY
`);
    expect(gateway.wildcards).toHaveLength(1);
    expect(gateway.models).toHaveLength(catalogModels('anthropic').length);
    expect(gateway.ambiguousShortNames).toEqual({});
  });

  it('two providers whose catalogues share ids make those short ids ambiguous, and only those', () => {
    const gateway = gatewayFromYaml(`
model_providers:
  - model: openai/*
    access_key: $OPENAI_API_KEY
  - model: chatgpt/*
    access_key: $CHATGPT_TOKEN
`);
    const shared = catalogModels('chatgpt').filter((id) => catalogModels('openai').includes(id));
    expect(shared.length).toBeGreaterThan(0);
    expect(Object.keys(gateway.ambiguousShortNames).sort()).toEqual([...shared].sort());
    expect(gateway.ambiguousShortNames[shared[0]!]).toEqual([`openai/${shared[0]}`, `chatgpt/${shared[0]}`]);
  });

  it('a known provider without catalogue models (ollama) is a run-time pattern only', () => {
    const gateway = gatewayFromYaml('model_providers:\n  - model: ollama/*\n    base_url: http://localhost:11434\n');
    expect(gateway.models).toEqual([]);
    expect(gateway.wildcards[0]!.endpoints.chat_completions.url).toBe('http://localhost:11434/v1/chat/completions');
  });

  it('groq and together_ai expand to the seed guide models', () => {
    const gateway = gatewayFromYaml('model_providers:\n  - model: groq/*\n    access_key: $GROQ_API_KEY\n  - model: together_ai/*\n    access_key: $TOGETHER_API_KEY\n');
    expect(gateway.models.map((m) => m.canonical)).toContain('groq/gpt-oss-20b');
    expect(gateway.models.map((m) => m.canonical)).toContain('together_ai/codellama/CodeLlama-34b-Instruct-hf');
  });
});

describe('entries', () => {
  it('headers, http_host and a custom prefix with provider_interface', () => {
    const gateway = gatewayFromYaml(`
model_providers:
  - model: moonshotai/kimi-for-coding
    access_key: $MOONSHOTAI_API_KEY
    base_url: https://api.kimi.com/coding/v1
    headers:
      User-Agent: KimiCLI/1.3
  - model: vllm/custom-model
    base_url: https://vllm.example.com/models/v2
    provider_interface: openai
    http_host: vllm.internal
`);
    const [kimi, vllm] = gateway.models;
    expect(kimi!.headers).toEqual({ 'User-Agent': 'KimiCLI/1.3' });
    expect(kimi!.endpoints.chat_completions.url).toBe('https://api.kimi.com/coding/v1/chat/completions');
    expect(vllm).toMatchObject({ prefix: 'vllm', interface: 'openai', httpHost: 'vllm.internal', model: 'custom-model', auth: { mode: 'none' } });
    expect(vllm!.provider.id).toBe('openai');
    expect(kimi!.httpHost).toBeUndefined();
  });

  it('listeners and routing preferences are carried over', () => {
    const gateway = gatewayFromYaml(readFixture('valid/wildcards.yaml'));
    expect(gateway.listeners.map((l) => [l.name, l.type, l.port])).toEqual([['llm', 'model', 12000]]);
    expect(gateway.routingPreferences).toEqual([]);
  });

  it('no default: true means no default model', () => {
    expect(gatewayFromYaml('model_providers:\n  - model: openai/gpt-4o\n').defaultModel).toBeNull();
  });
});

describe('invalid configs: what cannot be resolved is left out, nothing throws', () => {
  const gateway = gatewayFromYaml(`
model_providers:
  - model: gpt-4o                      # no provider prefix
  - model: openai/                     # no model id
  - model: /gpt-4o                     # no prefix
  - model: perplexity/sonar-pro        # unknown prefix, no provider_interface
    base_url: https://api.perplexity.ai
  - model: vllm/x                      # custom prefix, no base_url
    provider_interface: openai
  - model: vllm/y                      # interface we do not know
    provider_interface: telepathy
    base_url: https://vllm.example.com
  - model: azure_openai/gpt-4o         # base_url required
    access_key: $AZURE_KEY
  - model: openai/gpt-4o               # not a URL
    base_url: api.openai.com
  - model: openai/gpt-*                # a partial wildcard is neither
  - model: openai/*                    # a wildcard cannot be the default
    default: true
  - model: openai/gpt-4o-mini          # the one good entry
    provider_interface: anthropic      # ignored: a known prefix speaks for itself
model_aliases:
  broken: 42
`);

  it('keeps only what resolves', () => {
    expect(gateway.models.filter((m) => m.fromWildcard === null).map((m) => m.name)).toEqual(['openai/gpt-4o-mini']);
    expect(gateway.models.find((m) => m.name === 'openai/gpt-4o-mini')!.interface).toBe('openai');
    expect(gateway.wildcards.map((w) => w.pattern)).toEqual(['openai/*']);
    expect(gateway.defaultModel).toBeNull();
    expect(gateway.aliases).toEqual({});
  });

  it('the explicit entry is still left out of the expansion, the broken ones are not', () => {
    const expanded = gateway.models.filter((m) => m.fromWildcard === 'openai/*').map((m) => m.model);
    expect(expanded).not.toContain('gpt-4o-mini');
    expect(expanded).toContain('gpt-4o');
  });

  it.each([null, 42, 'text', [], { model_providers: 'nope' }, { model_providers: [null, 1, { model: 3 }] }, { listeners: { egress_traffic: {} } }])(
    'a document of %j gives an empty gateway',
    (value) => {
      const gateway = resolveGateway(normalizeConfig(value), { env: {} });
      expect(gateway.models).toEqual([]);
      expect(gateway.wildcards).toEqual([]);
    },
  );
});
