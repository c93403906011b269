/**
 * `plano expand`, spawned as users run it: the JSON contract of DESIGN.md field by field, the
 * seed guide's URL vectors, the table, YAML, and the exit codes.
 */
import { mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { catalogModels } from '../../src/providers/catalog.js';
import type { GatewayJson, ModelJson } from '../../src/resolve/gateway-json.js';
import { endpointVectors, readFixture } from '../resolve/fixture-gateway.js';
import { plano, type Run } from './run-plano.js';

const MODEL_KEYS = ['name', 'short_name', 'provider', 'interface', 'model', 'default', 'from_wildcard', 'auth', 'base_url', 'endpoints', 'embeddings_url'];
const ENDPOINT_KEYS = ['chat_completions', 'messages', 'responses'];

function json(run: Run) {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as GatewayJson;
}

describe('--format json on the seed providers (fixtures/valid/seed-providers.yaml)', () => {
  const SECRET = 'sk-test-value-that-must-not-print';
  let out: ReturnType<typeof json>;
  let raw: Run;
  beforeAll(async () => {
    raw = await plano(['expand', '--format', 'json', 'fixtures/valid/seed-providers.yaml'], { env: { OPENAI_API_KEY: SECRET, GROQ_API_KEY: '' } });
    out = json(raw);
  });

  it('top level: file, default_model, listeners, aliases, models, wildcards', () => {
    expect(Object.keys(out)).toEqual(['file', 'default_model', 'listeners', 'aliases', 'models', 'wildcards']);
    expect(out.file).toBe('fixtures/valid/seed-providers.yaml');
    expect(out.default_model).toBe('openai/gpt-5.2');
    expect(out.listeners).toEqual([{ name: 'llm', type: 'model', address: '127.0.0.1', port: 12000 }]);
    expect(out.aliases).toEqual({});
    expect(out.wildcards).toEqual([]);
  });

  it('every model has exactly the contract fields', () => {
    for (const model of out.models) {
      expect(Object.keys(model)).toEqual(MODEL_KEYS);
      expect(Object.keys(model.endpoints)).toEqual(ENDPOINT_KEYS);
      expect(Object.keys(model.auth)).toEqual(['mode', 'env', 'set']);
      for (const e of Object.values(model.endpoints)) expect(Object.keys(e)).toEqual(['api', 'url', 'stream_url']);
    }
  });

  it('one model per entry, named and split as configured', () => {
    expect(out.models.map((m) => [m.name, m.provider, m.interface, m.model, m.short_name, m.default, m.from_wildcard])).toEqual([
      ['openai/gpt-5.2', 'openai', 'openai', 'gpt-5.2', 'gpt-5.2', true, null],
      ['anthropic/claude-sonnet-4-5', 'anthropic', 'anthropic', 'claude-sonnet-4-5', 'claude-sonnet-4-5', false, null],
      ['deepseek/deepseek-chat', 'deepseek', 'deepseek', 'deepseek-chat', 'deepseek-chat', false, null],
      ['mistral/mistral-large-latest', 'mistral', 'mistral', 'mistral-large-latest', 'mistral-large-latest', false, null],
      ['groq/llama-4-maverick-17b-128e-instruct', 'groq', 'groq', 'llama-4-maverick-17b-128e-instruct', 'llama-4-maverick-17b-128e-instruct', false, null],
      ['gemini/gemini-3-pro', 'gemini', 'gemini', 'gemini-3-pro', 'gemini-3-pro', false, null],
      ['together_ai/meta-llama/Llama-2-7b-chat-hf', 'together_ai', 'together_ai', 'meta-llama/Llama-2-7b-chat-hf', 'meta-llama/Llama-2-7b-chat-hf', false, null],
      ['xai/grok-beta', 'xai', 'xai', 'grok-beta', 'grok-beta', false, null],
      ['moonshotai/kimi-k2-0905-preview', 'moonshotai', 'moonshotai', 'kimi-k2-0905-preview', 'kimi-k2-0905-preview', false, null],
      ['zhipu/glm-4.6', 'zhipu', 'zhipu', 'glm-4.6', 'glm-4.6', false, null],
      ['azure_openai/gpt-4o', 'azure_openai', 'azure_openai', 'gpt-4o', 'gpt-4o', false, null],
      ['amazon_bedrock/us.amazon.nova-premier-v1:0', 'amazon_bedrock', 'amazon_bedrock', 'us.amazon.nova-premier-v1:0', 'us.amazon.nova-premier-v1:0', false, null],
      ['qwen/qwen3', 'qwen', 'qwen', 'qwen3', 'qwen3', false, null],
      ['ollama/llama3.1', 'ollama', 'ollama', 'llama3.1', 'llama3.1', false, null],
      ['custom-provider/custom-model', 'custom-provider', 'openai', 'custom-model', 'custom-model', false, null],
    ]);
  });

  it('auth: the variable and whether it is set; no key; never the value', () => {
    const auth = Object.fromEntries(out.models.map((m) => [m.name, m.auth]));
    expect(auth['openai/gpt-5.2']).toEqual({ mode: 'access_key', env: 'OPENAI_API_KEY', set: true });
    expect(auth['groq/llama-4-maverick-17b-128e-instruct']).toEqual({ mode: 'access_key', env: 'GROQ_API_KEY', set: false });
    expect(auth['anthropic/claude-sonnet-4-5']).toEqual({ mode: 'access_key', env: 'ANTHROPIC_API_KEY', set: false });
    expect(auth['ollama/llama3.1']).toEqual({ mode: 'none', env: null, set: false });
    expect(raw.stdout).not.toContain(SECRET);
  });

  it('base_url: the configured one, else the provider default', () => {
    const base = Object.fromEntries(out.models.map((m) => [m.name, m.base_url]));
    expect(base['openai/gpt-5.2']).toBe('https://api.openai.com');
    expect(base['groq/llama-4-maverick-17b-128e-instruct']).toBe('https://api.groq.com');
    expect(base['azure_openai/gpt-4o']).toBe('https://your-resource.openai.azure.com');
    expect(base['custom-provider/custom-model']).toBe('https://api.customprovider.com');
  });

  it('upstream API per client API', () => {
    const apis = (name: string) => Object.values(out.models.find((m) => m.name === name)!.endpoints).map((e) => e.api);
    expect(apis('openai/gpt-5.2')).toEqual(['openai_chat', 'openai_chat', 'openai_responses']);
    expect(apis('anthropic/claude-sonnet-4-5')).toEqual(['anthropic_messages', 'anthropic_messages', 'anthropic_messages']);
    expect(apis('amazon_bedrock/us.amazon.nova-premier-v1:0')).toEqual(['bedrock_converse', 'bedrock_converse', 'bedrock_converse']);
    expect(apis('zhipu/glm-4.6')).toEqual(['openai_chat', 'openai_chat', 'openai_chat']);
  });
});

describe('the URL vectors written in the fixtures, as printed', () => {
  it.each(['valid/seed-base-url.yaml', 'valid/seed-base-url-coding-path.yaml', 'valid/seed-providers.yaml', 'valid/other-providers.yaml'])('%s', async (file) => {
    const run = await plano(['expand', '-f', 'json', '-q', `fixtures/${file}`]);
    expect(run.code).toBe(0);
    const models = (JSON.parse(run.stdout) as { models: ModelJson[] }).models;
    const vectors = endpointVectors(readFixture(file));
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) {
      const model = models.find((m) => m.name === v.model);
      const endpoint = model?.endpoints[v.clientApi];
      expect(v.stream ? endpoint?.stream_url : endpoint?.url, `${file}:${v.line}`).toBe(v.url);
    }
  });
});

describe('wildcards, aliases and names (fixtures/valid/wildcards.yaml)', () => {
  let out: ReturnType<typeof json>;
  beforeAll(async () => {
    const run = await plano(['expand', '--format', 'json', '--quiet', 'fixtures/valid/wildcards.yaml'], { env: { ANTHROPIC_API_KEY: 'k' } });
    out = json(run);
  });

  it('aliases as written, and the default by name', () => {
    expect(out.aliases).toEqual({ fast: 'gpt-4o-mini', smart: 'openai/gpt-4o', writer: 'claude-sonnet-4-20250514' });
    expect(out.default_model).toBe('openai/gpt-4o-mini');
  });

  it('explicit models first, then each expansion, marked with its wildcard', () => {
    const explicit = out.models.filter((m) => m.from_wildcard === null).map((m) => m.name);
    expect(explicit).toEqual(['anthropic/claude-sonnet-4-20250514', 'anthropic/claude-3-haiku-20240307', 'openai/gpt-4o-mini', 'openai-prod', 'azure_openai/gpt-4.1']);
    const anthropic = out.models.filter((m) => m.from_wildcard === 'anthropic/*');
    expect(anthropic.map((m) => m.model)).toEqual(catalogModels('anthropic').filter((id) => id !== 'claude-sonnet-4-20250514'));
    expect(out.models.filter((m) => m.from_wildcard === 'amazon_bedrock/*').map((m) => m.model)).toEqual([...catalogModels('amazon_bedrock')]);
    expect(out.models.map((m) => m.from_wildcard)).toEqual([
      ...explicit.map(() => null),
      ...anthropic.map(() => 'anthropic/*'),
      ...catalogModels('amazon_bedrock').map(() => 'amazon_bedrock/*'),
    ]);
  });

  it('an expanded model, field by field', () => {
    expect(out.models.find((m) => m.name === 'anthropic/claude-opus-4-5')).toEqual({
      name: 'anthropic/claude-opus-4-5',
      short_name: 'claude-opus-4-5',
      provider: 'anthropic',
      interface: 'anthropic',
      model: 'claude-opus-4-5',
      default: false,
      from_wildcard: 'anthropic/*',
      auth: { mode: 'access_key', env: 'ANTHROPIC_API_KEY', set: true },
      base_url: 'https://api.anthropic.com',
      endpoints: {
        chat_completions: { api: 'anthropic_messages', url: 'https://api.anthropic.com/v1/messages', stream_url: 'https://api.anthropic.com/v1/messages' },
        messages: { api: 'anthropic_messages', url: 'https://api.anthropic.com/v1/messages', stream_url: 'https://api.anthropic.com/v1/messages' },
        responses: { api: 'anthropic_messages', url: 'https://api.anthropic.com/v1/messages', stream_url: 'https://api.anthropic.com/v1/messages' },
      },
      // Anthropic has no embeddings endpoint: POST /v1/embeddings for it answers 404.
      embeddings_url: null,
    });
  });

  it('shows where POST /v1/embeddings goes for providers that have an endpoint for it', () => {
    const azure = out.models.find((m) => m.interface === 'azure_openai')!;
    expect(azure.embeddings_url).toBe(azure.endpoints.chat_completions.url.replace('/chat/completions', '/embeddings'));
    expect(out.wildcards.map((w) => [w.pattern, w.embeddings_url])).toEqual([
      ['anthropic/*', null],
      ['amazon_bedrock/*', null],
      ['litellm/*', out.wildcards[2]!.endpoints.chat_completions.url.replace('/chat/completions', '/embeddings')],
      ['custom-provider/*', out.wildcards[3]!.endpoints.chat_completions.url.replace('/chat/completions', '/embeddings')],
    ]);
  });

  it('short ids; a query in base_url is kept', () => {
    const prod = out.models.find((m) => m.name === 'openai-prod')!;
    const azure = out.models.find((m) => m.name === 'azure_openai/gpt-4.1')!;
    expect([prod.short_name, azure.short_name]).toEqual(['gpt-4o', 'gpt-4.1']);
    expect(azure.auth).toEqual({ mode: 'access_key', env: 'AZURE_OPENAI_API_KEY', set: false });
    expect(azure.endpoints.chat_completions.url).toBe('https://mycompany.openai.azure.com/openai/deployments/gpt-4.1/chat/completions?api-version=2025-04-01-preview');
  });

  it('wildcards: every pattern, with {model} where the model goes', () => {
    expect(out.wildcards.map((w) => Object.keys(w))).toEqual(out.wildcards.map(() => ['pattern', 'interface', 'auth', 'base_url', 'endpoints', 'embeddings_url']));
    expect(out.wildcards.map((w) => [w.pattern, w.interface, w.base_url, w.auth])).toEqual([
      ['anthropic/*', 'anthropic', 'https://api.anthropic.com', { mode: 'access_key', env: 'ANTHROPIC_API_KEY', set: true }],
      ['amazon_bedrock/*', 'amazon_bedrock', 'https://bedrock-runtime.us-west-2.amazonaws.com', { mode: 'access_key', env: 'AWS_BEARER_TOKEN_BEDROCK', set: false }],
      ['litellm/*', 'openai', 'https://litellm.example.com', { mode: 'passthrough', env: null, set: false }],
      ['custom-provider/*', 'openai', 'https://api.custom-provider.com/api/v2', { mode: 'access_key', env: 'CUSTOM_API_KEY', set: false }],
    ]);
    const bedrock = out.wildcards[1]!.endpoints;
    expect(bedrock.responses).toEqual({
      api: 'bedrock_converse',
      url: 'https://bedrock-runtime.us-west-2.amazonaws.com/model/{model}/converse',
      stream_url: 'https://bedrock-runtime.us-west-2.amazonaws.com/model/{model}/converse-stream',
    });
    // A custom OpenAI-compatible provider gets Responses clients translated to chat completions.
    expect(out.wildcards[3]!.endpoints.responses).toEqual({
      api: 'openai_chat',
      url: 'https://api.custom-provider.com/api/v2/chat/completions',
      stream_url: 'https://api.custom-provider.com/api/v2/chat/completions',
    });
  });
});

describe('--format table and yaml', () => {
  it('table (the default): explicit rows, then each expansion under its wildcard, then run-time patterns', async () => {
    const run = await plano(['expand', '-q', 'fixtures/valid/wildcards.yaml'], { env: { OPENAI_API_KEY: 'sk-secret-for-table' } });
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+PROVIDER\s+UPSTREAM MODEL\s+AUTH\s+CHAT COMPLETIONS URL$/);
    expect(lines[1]).toMatch(/^anthropic\/claude-sonnet-4-20250514\s+anthropic\s+claude-sonnet-4-20250514\s+\$ANTHROPIC_PROD_API_KEY ✗ unset\s+https:\/\/api\.anthropic\.com\/v1\/messages$/);
    expect(lines[3]).toMatch(/^openai\/gpt-4o-mini \(default\)\s+openai\s+gpt-4o-mini\s+\$OPENAI_API_KEY ✓\s+https:\/\/api\.openai\.com\/v1\/chat\/completions$/);
    const heading = (text: string) => lines.findIndex((l) => l.startsWith(text));
    expect(heading('anthropic/*: 16 catalogue models')).toBe(7);
    expect(heading('amazon_bedrock/*: 11 catalogue models')).toBeGreaterThan(heading('anthropic/*'));
    expect(heading('Run-time patterns')).toBeGreaterThan(heading('amazon_bedrock/*'));
    expect(lines.find((l) => l.startsWith('litellm/*'))).toMatch(/^litellm\/\*\s+litellm \(openai\)\s+\{model\}\s+passthrough\s+https:\/\/litellm\.example\.com\/v1\/chat\/completions$/);
    expect(run.stdout).not.toContain('sk-secret-for-table');
  });

  it('--wide adds the messages, responses and embeddings URLs; --model filters by glob', async () => {
    const run = await plano(['expand', '-q', '--wide', '--model', 'openai*', 'fixtures/valid/wildcards.yaml']);
    expect(run.code).toBe(0);
    const [table, note] = run.stdout.trimEnd().split('\n\n');
    const lines = table!.split('\n');
    expect(lines[0]).toMatch(/CHAT COMPLETIONS URL\s+MESSAGES URL\s+RESPONSES URL\s+EMBEDDINGS URL$/);
    expect(lines.slice(1)).toHaveLength(2);
    expect(note).toBeUndefined();
    expect(lines[1]).toMatch(/^openai\/gpt-4o-mini \(default\) .*https:\/\/api\.openai\.com\/v1\/chat\/completions\s+https:\/\/api\.openai\.com\/v1\/chat\/completions\s+https:\/\/api\.openai\.com\/v1\/responses\s+https:\/\/api\.openai\.com\/v1\/embeddings$/);
    expect(lines[2]).toMatch(/^openai-prod /);
  });

  it('--model also applies to json, and to wildcard patterns', async () => {
    const out = json(await plano(['expand', '-q', '-f', 'json', '-m', '*bedrock*', 'fixtures/valid/wildcards.yaml']));
    expect(out.models.every((m) => m.from_wildcard === 'amazon_bedrock/*')).toBe(true);
    expect(out.models).toHaveLength(catalogModels('amazon_bedrock').length);
    expect(out.wildcards.map((w) => w.pattern)).toEqual(['amazon_bedrock/*']);
  });

  it('yaml is the json data', async () => {
    const [asYaml, asJson] = await Promise.all([
      plano(['expand', '-q', '-f', 'yaml', 'fixtures/valid/wildcards.yaml']),
      plano(['expand', '-q', '-f', 'json', 'fixtures/valid/wildcards.yaml']),
    ]);
    expect(asYaml.code).toBe(0);
    expect(parse(asYaml.stdout)).toEqual(JSON.parse(asJson.stdout));
  });
});

describe('findings and exit codes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'plano-expand-'));
    copyFileSync('fixtures/valid/wildcards.yaml', join(dir, 'plano_config.yaml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a config with errors: findings as validate prints them, on stderr; nothing on stdout; exit 1', async () => {
    const run = await plano(['expand', '-f', 'json', 'fixtures/invalid/base-url-required-azure.yaml']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('fixtures/invalid/base-url-required-azure.yaml:9:12: error:');
    expect(run.stderr).toContain('[base-url-required]');
  });

  it('warnings go to stderr and do not stop it (--quiet, used above, drops them)', async () => {
    const noisy = await plano(['expand', '-f', 'json', 'fixtures/invalid/deprecated-llm-providers.yaml']);
    expect(noisy.code).toBe(0);
    expect(noisy.stderr).toContain('[deprecated-llm-providers]');
    expect(() => JSON.parse(noisy.stdout)).not.toThrow();
  });

  it('finds plano_config.yaml in the current directory, and its catalogue from anywhere', async () => {
    const run = await plano(['expand', '-q', '-f', 'json'], { cwd: dir });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as GatewayJson;
    expect(out.file).toBe('plano_config.yaml');
    expect(out.models.filter((m) => m.from_wildcard === 'anthropic/*').length).toBe(catalogModels('anthropic').length - 1);
  });

  it('no such file, or an unknown format: exit 2', async () => {
    const [missing, badFormat] = await Promise.all([
      plano(['expand', 'no/such/plano_config.yaml']),
      plano(['expand', '-f', 'xml', 'fixtures/valid/wildcards.yaml']),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory: no/such/plano_config.yaml');
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('xml');
  });
});
