/**
 * Which model a client's `model` names, in the order DESIGN.md fixes: empty or missing → the
 * default; a configured `name`; a canonical `provider/model`; a `model_aliases` entry (one hop:
 * its target is looked up by the other steps, never through another alias); a short id that
 * exactly one entry has; a `provider/*` wildcard matching at run time. Nothing else: the reference
 * resolves `anything/gpt-4o` to `gpt-4o`, we do not.
 */
import { closestMatches } from '../config/suggest.js';
import { modelFromWildcard } from './resolve.js';
import type { Gateway, LookupResult, LookupVia, ResolvedModel, WildcardRoute } from './types.js';

interface GatewayIndex {
  byName: Map<string, ResolvedModel>;
  byCanonical: Map<string, ResolvedModel>;
  byShortName: Map<string, ResolvedModel>;
  /** prefix as written → its run-time pattern */
  wildcards: Map<string, WildcardRoute>;
}

// A Gateway is built once and then only read, so its lookup maps are built on first use and
// kept alongside it rather than in it (the Gateway stays plain data).
const indexes = new WeakMap<Gateway, GatewayIndex>();

function indexOf(gateway: Gateway): GatewayIndex {
  let index = indexes.get(gateway);
  if (index) return index;
  index = { byName: new Map(), byCanonical: new Map(), byShortName: new Map(), wildcards: new Map() };
  for (const model of gateway.models) {
    // A name that is just the canonical form is found by the canonical step. The first entry
    // wins when an invalid config repeats a name (validate reports it).
    if (model.name !== model.canonical && !index.byName.has(model.name)) index.byName.set(model.name, model);
    if (!index.byCanonical.has(model.canonical)) index.byCanonical.set(model.canonical, model);
    if (model.shortName !== null && !index.byShortName.has(model.shortName)) index.byShortName.set(model.shortName, model);
  }
  for (const route of gateway.wildcards) if (!index.wildcards.has(route.prefix)) index.wildcards.set(route.prefix, route);
  indexes.set(gateway, index);
  return index;
}

export function lookupModel(gateway: Gateway, requested: string | undefined | null): LookupResult {
  if (requested === undefined || requested === null || requested === '') {
    return gateway.defaultModel
      ? { found: true, requested: '', model: gateway.defaultModel, via: 'default' }
      : { found: false, requested: '', reason: 'no-default', suggestions: [] };
  }
  const index = indexOf(gateway);

  const byName = index.byName.get(requested);
  if (byName) return found(requested, byName, 'name');
  const byCanonical = index.byCanonical.get(requested);
  if (byCanonical) return found(requested, byCanonical, 'canonical');

  if (Object.hasOwn(gateway.aliases, requested)) {
    const target = gateway.aliases[requested]!;
    const hit = lookupTarget(index, target, true);
    if (hit) return { found: true, requested, model: hit.model, via: 'alias', alias: requested };
    return notFound(gateway, requested, target);
  }

  const hit = lookupTarget(index, requested, false);
  return hit ? found(requested, hit.model, hit.via) : notFound(gateway, requested, requested);
}

/**
 * The steps after the alias: unique short id, then a run-time wildcard; with `withNames` (an
 * alias's target) the configured name and canonical are tried first.
 */
function lookupTarget(index: GatewayIndex, name: string, withNames: boolean): { model: ResolvedModel; via: LookupVia } | undefined {
  if (withNames) {
    const byName = index.byName.get(name);
    if (byName) return { model: byName, via: 'name' };
    const byCanonical = index.byCanonical.get(name);
    if (byCanonical) return { model: byCanonical, via: 'canonical' };
  }
  const short = index.byShortName.get(name);
  if (short) return { model: short, via: 'short' };
  const slash = name.indexOf('/');
  const id = name.slice(slash + 1);
  // `litellm/*` names the pattern, not a model; `litellm/` names nothing.
  if (slash <= 0 || id === '' || id === '*') return undefined;
  const route = index.wildcards.get(name.slice(0, slash));
  const model = route ? modelFromWildcard(route, id) : null;
  return model ? { model, via: 'wildcard' } : undefined;
}

function found(requested: string, model: ResolvedModel, via: LookupVia): LookupResult {
  return { found: true, requested, model, via };
}

/** `missing` is what could not be found: the requested name, or an alias's target. */
function notFound(gateway: Gateway, requested: string, missing: string): LookupResult {
  const colliding = gateway.ambiguousShortNames[missing];
  if (colliding) return { found: false, requested, reason: 'ambiguous', suggestions: [...colliding] };
  return { found: false, requested, reason: 'unknown', suggestions: suggestionsFor(gateway, missing) };
}

/** did-you-mean over every name a client could use; a different-case spelling of one comes first. */
function suggestionsFor(gateway: Gateway, missing: string): string[] {
  const candidates = new Set<string>();
  for (const model of gateway.models) {
    candidates.add(model.name);
    candidates.add(model.canonical);
    if (model.shortName !== null) candidates.add(model.shortName);
  }
  for (const alias of Object.keys(gateway.aliases)) candidates.add(alias);
  // `litelm/foo` is most likely `litellm/foo` when `litellm/*` routes at run time.
  const slash = missing.indexOf('/');
  if (slash > 0) for (const route of gateway.wildcards) candidates.add(`${route.prefix}${missing.slice(slash)}`);

  const lower = missing.toLowerCase();
  const sameButCase = [...candidates].filter((c) => c !== missing && c.toLowerCase() === lower);
  return [...new Set([...sameButCase, ...closestMatches(missing, candidates)])].slice(0, 3);
}
