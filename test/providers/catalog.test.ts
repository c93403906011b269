/** The generated model catalogue: up to date with its inputs, and mapped onto our provider ids. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { catalogModels, catalogProviderIds } from '../../src/providers/catalog.js';
import { PROVIDERS } from '../../src/providers/registry.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const reference = parse(readFileSync(`${root}scripts/data/provider_models.yaml`, 'utf8')) as { providers: Record<string, string[]> };
const seedModels = parse(readFileSync(`${root}scripts/seed-models.yaml`, 'utf8')) as Record<string, string[]>;

describe('model catalogue', () => {
  it('src/providers/catalog.json is what scripts/generate-catalog.mjs makes of its inputs', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/generate-catalog.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).not.toContain('out of date');
    expect(run.status).toBe(0);
  });

  it.each([
    ['gemini', 'google'], ['mistral', 'mistralai'], ['xai', 'x-ai'], ['zhipu', 'z-ai'], ['amazon_bedrock', 'amazon'],
    ['openai', 'openai'], ['anthropic', 'anthropic'],
  ])('%s holds the models of catalogue key %s, without the prefix', (id, key) => {
    const expected = [...new Set(reference.providers[key]!.map((m) => m.slice(key.length + 1)))];
    expect(catalogModels(id)).toEqual(expected);
  });

  it('providers the catalogue lacks get the seed guide models', () => {
    expect(catalogModels('groq')).toEqual(seedModels.groq);
    expect(catalogModels('together_ai')).toEqual(seedModels.together_ai);
    expect(catalogModels('groq')).toContain('llama-4-maverick-17b-128e-instruct');
    expect(catalogModels('together_ai')).toContain('meta-llama/Llama-2-7b-chat-hf');
  });

  it('every catalogue key a provider claims exists, and only catalogue keys no provider can be configured for are unused', () => {
    const claimed = PROVIDERS.flatMap((p) => p.catalogKeys);
    for (const key of claimed) expect(Object.keys(reference.providers), key).toContain(key);
    const unused = Object.keys(reference.providers).filter((k) => !claimed.includes(k));
    expect(unused.sort()).toEqual(['meta', 'minimax']);
  });

  it('lists each model once, under provider ids of the table', () => {
    const ids = PROVIDERS.map((p) => p.id);
    for (const id of catalogProviderIds()) {
      expect(ids).toContain(id);
      const models = catalogModels(id);
      expect(new Set(models).size, id).toBe(models.length);
      for (const model of models) expect(model.startsWith(`${id}/`), model).toBe(false);
    }
  });

  it('keeps ids with `:` and `.` as they are', () => {
    expect(catalogModels('amazon_bedrock')).toContain('amazon.nova-premier-v1:0:8k');
    expect(catalogModels('nobody')).toEqual([]);
  });
});
