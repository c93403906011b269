/**
 * The seed guide's "Results in:" URLs and every provider's default endpoint per client API, as
 * written under each entry of the fixtures (fixtures/valid/*.yaml), against resolveGateway.
 */
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/providers/registry.js';
import { endpointVectors, gatewayFromYaml, readFixture } from './fixture-gateway.js';

const FILES = [
  'valid/seed-base-url.yaml',
  'valid/seed-base-url-coding-path.yaml',
  'valid/seed-providers.yaml',
  'valid/other-providers.yaml',
];

describe.each(FILES)('%s', (file) => {
  const text = readFixture(file);
  const gateway = gatewayFromYaml(text);
  const vectors = endpointVectors(text);

  it('has vectors, and resolves every entry', () => {
    expect(vectors.length).toBeGreaterThan(0);
    const entries = new Set(vectors.map((v) => v.entry));
    for (const entry of entries) {
      expect(gateway.models.some((m) => m.pointer.endsWith(`_providers/${entry}`))).toBe(true);
    }
  });

  it.each(vectors.map((v) => [`${v.model} ${v.clientApi}${v.stream ? ' stream' : ''} (line ${v.line})`, v] as const))('%s', (_label, v) => {
    const model = gateway.models.find((m) => m.pointer.endsWith(`_providers/${v.entry}`));
    expect(model?.canonical).toBe(v.model);
    const endpoint = model!.endpoints[v.clientApi];
    expect(v.stream ? endpoint.streamUrl : endpoint.url).toBe(v.url);
    // Where no separate streaming URL is written, streaming uses the same one.
    if (!v.stream && !vectors.some((o) => o.entry === v.entry && o.clientApi === v.clientApi && o.stream)) {
      expect(endpoint.streamUrl).toBe(v.url);
    }
  });
});

describe('coverage of the provider table', () => {
  const vectors = FILES.flatMap((file) => endpointVectors(readFixture(file)));

  it('every provider has its default endpoint written down for every client API', () => {
    const covered = new Map<string, Set<string>>();
    for (const v of vectors) {
      const prefix = v.model.slice(0, v.model.indexOf('/'));
      if (!covered.has(prefix)) covered.set(prefix, new Set());
      covered.get(prefix)!.add(v.clientApi);
    }
    for (const provider of PROVIDERS) {
      expect([...(covered.get(provider.id) ?? [])].sort(), provider.id).toEqual(['chat_completions', 'messages', 'responses']);
    }
  });
});
