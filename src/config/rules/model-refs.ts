/**
 * What the rules need to know about the configured models: how a `model` string splits into
 * provider prefix and model id, and whether a reference elsewhere in the config (an alias
 * target, a routing preference's models, `overrides.llm_routing_model`) names a model a request
 * could reach — following the lookup order of DESIGN.md (name, canonical, alias, unique short
 * id, wildcard).
 */
import { findProvider } from '../../providers/registry.js';
import type { PlanoConfig } from '../types.js';

export interface ModelId {
  prefix: string;
  /** The upstream model id: everything after the first `/` (`meta-llama/Llama-2` keeps its slash). */
  id: string;
  wildcard: boolean;
}

/** `openai/gpt-4o` → {openai, gpt-4o}; undefined when there is no `/`, or either side is empty. */
export function splitModel(model: string): ModelId | undefined {
  const slash = model.indexOf('/');
  if (slash <= 0 || slash === model.length - 1) return undefined;
  const id = model.slice(slash + 1);
  return { prefix: model.slice(0, slash), id, wildcard: id === '*' };
}

export type ModelReference =
  | { status: 'found' }
  | { status: 'ambiguous'; matches: string[] }
  | { status: 'missing'; candidates: string[] };

export interface ModelIndex {
  /** Resolves a reference; `viaAliases` lets it name an alias (one hop, as requests may). */
  lookup(reference: string, options?: { viaAliases?: boolean }): ModelReference;
  /** Explicit `name`s and canonical `provider/model` strings of specific (non-wildcard) entries. */
  readonly names: ReadonlySet<string>;
  /** Short id → the canonical models that carry it. */
  readonly shortIds: ReadonlyMap<string, string[]>;
}

export function indexModels(config: PlanoConfig): ModelIndex {
  const names = new Set<string>();
  const shortIds = new Map<string, string[]>();
  const wildcardPrefixes = new Set<string>();
  for (const entry of config.providers) {
    if (entry.name !== undefined) names.add(entry.name);
    const parts = splitModel(entry.model);
    if (!parts) continue;
    if (parts.wildcard) {
      wildcardPrefixes.add(parts.prefix.toLowerCase());
      continue;
    }
    names.add(entry.model);
    const owners = shortIds.get(parts.id) ?? [];
    if (!owners.includes(entry.model)) owners.push(entry.model);
    shortIds.set(parts.id, owners);
  }
  const aliases = new Set(config.modelAliases.map((a) => a.alias));
  // A known provider's wildcard also registers every catalogue model by its short id, which this
  // stage does not load: a bare id may be one of those, so it is not reported as missing.
  const knownWildcard = [...wildcardPrefixes].some((prefix) => findProvider(prefix) !== undefined);

  const lookup: ModelIndex['lookup'] = (reference, options = {}) => {
    if (names.has(reference)) return { status: 'found' };
    if (options.viaAliases && aliases.has(reference)) return { status: 'found' };
    const parts = splitModel(reference);
    if (parts && !parts.wildcard && wildcardPrefixes.has(parts.prefix.toLowerCase())) return { status: 'found' };
    const owners = shortIds.get(reference);
    if (owners && owners.length === 1) return { status: 'found' };
    if (owners && owners.length > 1) return { status: 'ambiguous', matches: owners };
    if (!parts && knownWildcard) return { status: 'found' };
    const candidates = [...names, ...[...shortIds].filter(([, o]) => o.length === 1).map(([id]) => id)];
    if (options.viaAliases) candidates.push(...aliases);
    return { status: 'missing', candidates };
  };

  return { lookup, names, shortIds };
}
