/**
 * The `/v1/models` body (DESIGN.md; OpenAI's "List models" shape): one entry per model a client
 * can name by its canonical `provider/model`, explicit entries then wildcard expansions. Run-time
 * wildcard patterns list nothing (they have no model ids until asked) and aliases are not models
 * (seed guide, "How Wildcards Work"; reference §8). `plano models list --format json` prints the same.
 */
import { findProvider } from '../providers/registry.js';
import type { Gateway, ResolvedModel } from './types.js';

export interface ModelsListObject {
  object: 'list';
  data: { id: string; object: 'model'; created: number; owned_by: string }[];
}

export function modelsListObject(gateway: Gateway): ModelsListObject {
  const seen = new Set<string>();
  const data: ModelsListObject['data'] = [];
  for (const model of gateway.models) {
    if (seen.has(model.canonical)) continue;
    seen.add(model.canonical);
    data.push({ id: model.canonical, object: 'model', created: 0, owned_by: ownedBy(model) });
  }
  return { object: 'list', data };
}

/** The provider's `ownedBy`; a custom prefix (`vllm/…` speaking openai) owns its own models. */
export function ownedBy(model: ResolvedModel): string {
  return findProvider(model.prefix)?.ownedBy ?? model.prefix;
}
