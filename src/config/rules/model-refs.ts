/**
 * What the rules need to know about the configured models: how a `model` string splits into
 * provider prefix and model id, and whether a reference elsewhere in the config (an alias
 * target, a routing preference's models, `overrides.llm_routing_model`) reaches a model. The
 * answer comes from the resolver's own lookup (src/resolve), so validate agrees with what
 * `up` will do — wildcard expansions and ambiguous short ids included.
 */
import { lookupModel } from '../../resolve/lookup.js';
import { resolveGateway } from '../../resolve/resolve.js';
import type { Gateway } from '../../resolve/types.js';
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
  /** `canonical`: the `provider/model` it reaches, when the resolver was asked. */
  | { status: 'found'; canonical?: string }
  | { status: 'ambiguous'; matches: string[] }
  | { status: 'missing'; suggestions: string[] };

export interface ModelIndex {
  /** Resolves a reference as a request's `model` would be; without `viaAliases` an alias does not count (alias targets: one hop). */
  lookup(reference: string, options?: { viaAliases?: boolean }): ModelReference;
  /** Every name and canonical `provider/model` a request can use, wildcard expansions included. */
  readonly names: ReadonlySet<string>;
  /** Unique short id → the canonical model it names. */
  readonly shortNames: ReadonlyMap<string, string>;
}

// Several rules ask about the same config: resolve it once.
const cache = new WeakMap<PlanoConfig, ModelIndex>();

export function indexModels(config: PlanoConfig): ModelIndex {
  const cached = cache.get(config);
  if (cached) return cached;
  // Only whether a key is set depends on the environment, and no rule here asks.
  const gateway = resolveGateway(config, { env: {} });
  const withoutAliases: Gateway = { ...gateway, aliases: {} };
  // An entry the resolver had to leave out (no base_url, unknown prefix …) has its own finding;
  // a reference to it is not a second mistake.
  const written = new Set(config.providers.flatMap((e) => [
    ...(splitModel(e.model)?.wildcard ? [] : [e.model]),
    ...(e.name !== undefined ? [e.name] : []),
  ]));

  const index: ModelIndex = {
    lookup(reference, options = {}) {
      if (written.has(reference)) return { status: 'found' };
      const result = lookupModel(options.viaAliases ? gateway : withoutAliases, reference);
      if (result.found) return { status: 'found', canonical: result.model.canonical };
      if (result.reason === 'ambiguous') return { status: 'ambiguous', matches: result.suggestions };
      return { status: 'missing', suggestions: result.suggestions };
    },
    names: new Set(gateway.models.flatMap((m) => [m.name, m.canonical])),
    shortNames: new Map(gateway.models.flatMap((m) => (m.shortName !== null ? [[m.shortName, m.canonical] as const] : []))),
  };
  cache.set(config, index);
  return index;
}
