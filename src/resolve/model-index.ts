/**
 * The rules' view of the configured models (config/rules/model-refs.ts's ModelIndex), answered by
 * the resolver itself: a reference is found exactly when a request naming it would be.
 */
import type { ModelIndex } from '../config/rules/model-refs.js';
import { splitModel } from '../config/rules/model-refs.js';
import type { PlanoConfig } from '../config/types.js';
import { lookupModel } from './lookup.js';
import { resolveGateway } from './resolve.js';
import type { Gateway } from './types.js';

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
