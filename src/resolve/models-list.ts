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

/** One model as OpenAI's "Retrieve model" answers it. */
export type OpenAiModelObject = ModelsListObject['data'][number];

/**
 * Anthropic's "List models" shape, which the Anthropic SDK's `models.list()` reads: newest first
 * there, config order here; `created_at` is RFC 3339 (plano knows no release dates: the epoch, as
 * OpenAI's `created: 0`), `display_name` the id. Paged as Anthropic pages: `limit` (default 20,
 * at most 1000), then `after_id` / `before_id`.
 */
export interface AnthropicModelObject {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

export interface AnthropicModelsPage {
  data: AnthropicModelObject[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

export interface AnthropicPageRequest {
  limit?: number;
  afterId?: string;
  beforeId?: string;
}

const EPOCH = new Date(0).toISOString();

export function anthropicModelObject(id: string): AnthropicModelObject {
  return { type: 'model', id, display_name: id, created_at: EPOCH };
}

export function anthropicModelsPage(list: ModelsListObject, page: AnthropicPageRequest = {}): AnthropicModelsPage {
  const ids = list.data.map((m) => m.id);
  const limit = Math.min(Math.max(page.limit ?? 20, 1), 1000);
  let from = 0;
  let to = ids.length;
  if (page.afterId !== undefined) from = ids.indexOf(page.afterId) + 1;
  if (page.beforeId !== undefined) to = Math.max(0, ids.indexOf(page.beforeId));
  // before_id pages backwards: the `limit` ids just before it.
  const slice = page.beforeId !== undefined && page.afterId === undefined ? ids.slice(Math.max(from, to - limit), to) : ids.slice(from, Math.min(to, from + limit));
  const more = page.beforeId !== undefined && page.afterId === undefined ? to - limit > from : from + limit < to;
  return {
    data: slice.map(anthropicModelObject),
    has_more: more,
    first_id: slice[0] ?? null,
    last_id: slice.at(-1) ?? null,
  };
}
