/**
 * `plano models list`, spawned: the `/v1/models` body field by field (DESIGN.md), the table, and
 * `--catalog`.
 */
import { describe, expect, it } from 'vitest';
import { catalogModels } from '../../src/providers/catalog.js';
import { lookupModel } from '../../src/resolve/lookup.js';
import { gatewayFromYaml, readFixture } from '../resolve/fixture-gateway.js';
import { plano } from './run-plano.js';

describe('plano models list --format json', () => {
  it('is the /v1/models body: explicit models, then expansions; no run-time patterns, aliases or configured names', async () => {
    const run = await plano(['models', 'list', '-q', '--format', 'json', 'fixtures/valid/wildcards.yaml']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const body = JSON.parse(run.stdout) as { object: string; data: Record<string, unknown>[] };
    expect(Object.keys(body)).toEqual(['object', 'data']);
    expect(body.object).toBe('list');
    const entry = (id: string, owned_by: string) => ({ id, object: 'model', created: 0, owned_by });
    expect(body.data).toEqual([
      entry('anthropic/claude-sonnet-4-20250514', 'anthropic'),
      entry('anthropic/claude-3-haiku-20240307', 'anthropic'),
      entry('openai/gpt-4o-mini', 'openai'),
      entry('openai/gpt-4o', 'openai'),
      entry('azure_openai/gpt-4.1', 'azure_openai'),
      ...catalogModels('anthropic').filter((id) => id !== 'claude-sonnet-4-20250514').map((id) => entry(`anthropic/${id}`, 'anthropic')),
      ...catalogModels('amazon_bedrock').map((id) => entry(`amazon_bedrock/${id}`, 'amazon_bedrock')),
    ]);
  });

  it('owned_by: the provider, or a custom prefix itself', async () => {
    const run = await plano(['models', 'list', '-f', 'json', '-q', 'fixtures/valid/seed-base-url.yaml']);
    const ids = (JSON.parse(run.stdout) as { data: { id: string; owned_by: string }[] }).data.map((d) => [d.id, d.owned_by]);
    expect(ids).toEqual([
      ['zhipu/glm-4.6', 'zhipu'],
      ['azure_openai/gpt-4', 'azure_openai'],
      ['openai/gpt-4o', 'openai'],
      ['ollama/llama3.1', 'ollama'],
      ['vllm/custom-model', 'vllm'],
    ]);
  });
});

describe('plano models list (table)', () => {
  it('canonical names, the default marked, the other names each answers to', async () => {
    const run = await plano(['models', 'list', '-q', 'fixtures/valid/wildcards.yaml']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^MODEL\s+OWNED BY\s+ALSO ANSWERS TO$/);
    const row = (id: string) => lines.find((l) => l.startsWith(`${id} `)) ?? '';
    expect(row('openai/gpt-4o-mini')).toMatch(/^openai\/gpt-4o-mini \(default\)\s+openai\s+gpt-4o-mini, alias fast$/);
    expect(row('openai/gpt-4o')).toMatch(/^openai\/gpt-4o\s+openai\s+openai-prod, gpt-4o, alias smart$/);
    expect(row('anthropic/claude-sonnet-4-20250514')).toMatch(/\s+anthropic\s+claude-sonnet-4-20250514, alias writer$/);
    expect(row('azure_openai/gpt-4.1')).toMatch(/^azure_openai\/gpt-4\.1\s+azure_openai\s+gpt-4\.1$/);
    expect(row('anthropic/claude-opus-4-5')).toMatch(/^anthropic\/claude-opus-4-5\s+anthropic\s+claude-opus-4-5$/);
    expect(run.stdout).toContain('Also routed at run time, not listed: anthropic/<model>, amazon_bedrock/<model>, litellm/<model>, custom-provider/<model>');
  });

  it('lists under a model only the names that reach it: a name or alias that takes a short id is shown where it goes', async () => {
    const [names, aliases] = await Promise.all([
      plano(['models', 'list', '-q', 'fixtures/invalid/name-shadows-model.yaml']),
      plano(['models', 'list', '-q', 'fixtures/invalid/alias-shadows-model.yaml']),
    ]);
    const row = (out: string, id: string) => out.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';
    // `name: gpt-4o` on the Claude entry takes "gpt-4o" from openai/gpt-4o; a name that is the entry's own id shows once.
    expect(row(names.stdout, 'openai/gpt-4o')).toMatch(/^openai\/gpt-4o\s+openai$/);
    expect(row(names.stdout, 'anthropic/claude-sonnet-4-5')).toMatch(/\s+anthropic\s+gpt-4o, claude-sonnet-4-5$/);
    expect(row(names.stdout, 'openai/gpt-4o-mini')).toMatch(/\s+openai\s+gpt-4o-mini$/);
    // The alias "claude-sonnet-4-5" takes that short id to openai/gpt-4o; the alias "openai/gpt-4o" is never used.
    expect(row(aliases.stdout, 'openai/gpt-4o')).toMatch(/\s+openai\s+gpt-4o, alias claude-sonnet-4-5$/);
    expect(row(aliases.stdout, 'anthropic/claude-sonnet-4-5')).toMatch(/\s+anthropic$/);
    expect(aliases.stdout).toContain('Other aliases:\n  openai/gpt-4o → anthropic/claude-sonnet-4-5 (never used: "openai/gpt-4o" names a model itself)');
  });

  it('every name in ALSO ANSWERS TO is one lookupModel resolves to that row\'s model', async () => {
    const files = ['valid/wildcards.yaml', 'invalid/name-shadows-model.yaml', 'invalid/alias-shadows-model.yaml'];
    const runs = await Promise.all(files.map((f) => plano(['models', 'list', '-q', `fixtures/${f}`])));
    files.forEach((file, i) => {
      const gateway = gatewayFromYaml(readFixture(file));
      // The table is everything before the first blank line.
      const [header, ...rows] = runs[i]!.stdout.split('\n\n')[0]!.trimEnd().split('\n');
      const column = header!.indexOf('ALSO ANSWERS TO');
      let checked = 0;
      for (const line of rows) {
        const id = line.split(' ')[0]!;
        for (const name of line.slice(column).split(', ').filter(Boolean).map((n) => n.replace(/^alias /, ''))) {
          const hit = lookupModel(gateway, name);
          expect(hit.found && hit.model.canonical, `${file}: "${name}" listed under ${id}`).toBe(id);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  });

  it('a config with errors: findings on stderr, exit 1', async () => {
    const run = await plano(['models', 'list', 'fixtures/invalid/base-url-required-azure.yaml']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[base-url-required]');
  });
});

describe('plano models list --catalog', () => {
  it('json: one provider, by any of its prefixes', async () => {
    const run = await plano(['models', 'list', '--catalog', 'google', '--format', 'json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { catalogue_updated: string; providers: Record<string, string[]> };
    expect(Object.keys(out.providers)).toEqual(['gemini']);
    expect(out.providers.gemini).toEqual([...catalogModels('gemini')]);
    expect(out.catalogue_updated).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('table: every provider with models, as config-ready names', async () => {
    const run = await plano(['models', 'list', '--catalog']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`groq (${catalogModels('groq').length}):\n  groq/llama-4-maverick-17b-128e-instruct\n`);
    expect(run.stdout).toContain('  together_ai/meta-llama/Llama-2-7b-chat-hf\n');
    expect(run.stdout).toContain('  amazon_bedrock/amazon.nova-premier-v1:0:8k\n');
    expect(run.stdout).not.toContain('ollama');
  });

  it('a provider without a catalogue says how its wildcard behaves; an unknown one is a usage error with a suggestion', async () => {
    const [ollama, unknown] = await Promise.all([plano(['models', 'list', '--catalog', 'ollama']), plano(['models', 'list', '--catalog', 'antropic'])]);
    expect(ollama.code).toBe(0);
    expect(ollama.stdout).toContain('ollama: no catalogue models');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown provider "antropic"');
    expect(unknown.stderr).toContain('did you mean "anthropic"?');
  });
});
