/**
 * Config → Gateway: every model a client can name, how it authenticates and the exact upstream
 * URL for each client API. Pure: the environment is only asked whether a key variable is set.
 *
 * Tolerant by design: `plano validate` reports what is wrong with a config; here an entry that
 * cannot be resolved (no `provider/model`, an unknown prefix without `provider_interface`, a
 * missing or unusable `base_url`) is left out, and nothing throws.
 */
import type { PlanoConfig, ProviderEntry } from '../config/types.js';
import { catalogModels } from '../providers/catalog.js';
import { customProviderSpec, findProvider } from '../providers/registry.js';
import type { ProviderSpec } from '../providers/types.js';
import { MODEL_PLACEHOLDER } from '../providers/upstream-url.js';
import { authPlan } from './auth.js';
import { endpointsFromTemplate, upstreamEndpoints } from './endpoints.js';
import type { AuthPlan, Gateway, ResolvedModel, WildcardRoute } from './types.js';

export interface ResolveOptions {
  /** Consulted only for whether an `access_key` variable is set; values are never copied. */
  env: Readonly<Record<string, string | undefined>>;
}

/** What every model of one config entry shares: its provider, where it goes and how it authenticates. */
interface EntryTarget {
  entry: ProviderEntry;
  /** The prefix as written (`google` in `google/gemini-3-pro`). */
  prefix: string;
  /** The id after the first `/`; `*` for a wildcard. */
  model: string;
  /** The table record whose wire behaviour applies (the `provider_interface` one for a custom prefix). */
  provider: ProviderSpec;
  /** The prefix itself is in the provider table (so its wildcard expands from the catalogue). */
  known: boolean;
  baseUrl: string;
  auth: AuthPlan;
  headers: Record<string, string>;
}

const WILDCARD = '*';

export function resolveGateway(config: PlanoConfig, options: ResolveOptions): Gateway {
  const targets = config.providers.flatMap((entry) => {
    const target = entryTarget(entry, options.env);
    return target ? [target] : [];
  });

  const explicit: ResolvedModel[] = [];
  for (const target of targets) {
    // `openai/*` is a wildcard; `openai/gpt-*` is neither a model nor a pattern we match (validate says so).
    if (target.model.includes(WILDCARD)) continue;
    const model = resolvedModel(target, target.model, null, target.entry.name ?? `${target.prefix}/${target.model}`);
    if (model) explicit.push(model);
  }

  const wildcards: WildcardRoute[] = [];
  const expanded: ResolvedModel[] = [];
  // Per provider, the model ids an explicit entry or an earlier wildcard already provides: explicit
  // entries take precedence over the expansion (seed guide, "Overriding Wildcard Models"), and a
  // second wildcard for the same provider (`google/*` after `gemini/*`) adds no second copy.
  const taken = new Map<string, Set<string>>();
  const takenFor = (provider: ProviderSpec) => {
    let set = taken.get(provider.id);
    if (!set) taken.set(provider.id, (set = new Set()));
    return set;
  };
  for (const model of explicit) if (findProvider(model.prefix)) takenFor(model.provider).add(model.model);

  for (const target of targets) {
    if (target.model !== WILDCARD) continue;
    const pattern = `${target.prefix}/${WILDCARD}`;
    if (wildcards.some((w) => w.pattern === pattern)) continue;
    const route = wildcardRoute(target, pattern);
    if (!route) continue;
    wildcards.push(route);
    if (!target.known) continue;
    const skip = takenFor(target.provider);
    for (const id of catalogModels(target.provider.id)) {
      if (skip.has(id)) continue;
      skip.add(id);
      const model = resolvedModel(target, id, pattern, `${target.prefix}/${id}`, route.endpoints);
      if (model) expanded.push(model);
    }
  }

  const models = [...explicit, ...expanded];
  const ambiguousShortNames = assignShortNames(models);
  const aliases = Object.fromEntries(config.modelAliases.map((a) => [a.alias, a.target]));

  return {
    models,
    wildcards,
    aliases,
    defaultModel: explicit.find((m) => m.isDefault) ?? null,
    listeners: config.listeners,
    routingPreferences: config.routingPreferences,
    ambiguousShortNames,
  };
}

/**
 * A model for `provider/<id>` that no entry names but a wildcard pattern covers, built when a
 * request asks for it (lookup.ts). Null when the id makes no URL (it cannot, for valid ids).
 */
export function modelFromWildcard(route: WildcardRoute, id: string): ResolvedModel | null {
  const endpoints = endpointsFromTemplate(route.endpoints, route.provider, route.baseUrl, id);
  if (!endpoints.ok) return null;
  const { pattern, endpoints: _template, ...shared } = route;
  const name = `${route.prefix}/${id}`;
  return { ...shared, name, canonical: name, shortName: null, model: id, isDefault: false, fromWildcard: pattern, endpoints: endpoints.endpoints };
}

function entryTarget(entry: ProviderEntry, env: ResolveOptions['env']): EntryTarget | undefined {
  const slash = entry.model.indexOf('/');
  if (slash <= 0 || slash === entry.model.length - 1) return undefined;
  const prefix = entry.model.slice(0, slash);
  const model = entry.model.slice(slash + 1);

  const own = findProvider(prefix);
  // A known prefix speaks for itself (validate flags a `provider_interface` there); a custom
  // prefix needs both an interface and a base_url (seed guide, "OpenAI-Compatible Providers").
  const provider = own ?? (entry.provider_interface !== undefined ? customProviderSpec(entry.provider_interface) : undefined);
  if (!provider) return undefined;
  const baseUrl = entry.base_url ?? (own ? provider.defaultBaseUrl : null);
  if (baseUrl === null || baseUrl === undefined) return undefined;

  return {
    entry,
    prefix,
    model,
    provider,
    known: own !== undefined,
    baseUrl,
    auth: authPlan(entry, provider, env),
    headers: { ...entry.headers },
  };
}

function resolvedModel(
  target: EntryTarget,
  id: string,
  fromWildcard: string | null,
  name: string,
  template?: WildcardRoute['endpoints'],
): ResolvedModel | null {
  const endpoints = template ? endpointsFromTemplate(template, target.provider, target.baseUrl, id) : upstreamEndpoints(target.provider, target.baseUrl, id);
  if (!endpoints.ok) return null;
  return {
    ...sharedFields(target),
    name,
    canonical: `${target.prefix}/${id}`,
    shortName: id,
    model: id,
    // A wildcard is never the default (validate says so); the catalogue's models are not either.
    isDefault: fromWildcard === null && target.entry.default === true,
    fromWildcard,
    endpoints: endpoints.endpoints,
  };
}

function wildcardRoute(target: EntryTarget, pattern: string): WildcardRoute | null {
  const endpoints = upstreamEndpoints(target.provider, target.baseUrl, MODEL_PLACEHOLDER);
  return endpoints.ok ? { ...sharedFields(target), pattern, endpoints: endpoints.endpoints } : null;
}

/** What a model and a wildcard pattern of the same entry have in common. */
function sharedFields(target: EntryTarget): Omit<WildcardRoute, 'pattern' | 'endpoints'> {
  return {
    prefix: target.prefix,
    provider: target.provider,
    interface: target.provider.id,
    auth: target.auth,
    baseUrl: target.baseUrl,
    headers: target.headers,
    ...(target.entry.http_host !== undefined ? { httpHost: target.entry.http_host } : {}),
    pointer: target.entry.pointer,
  };
}

/**
 * A bare model id names a model only when exactly one entry has it: `openai/gpt-4o` and
 * `azure_openai/gpt-4o` both stay reachable by full name, and `gpt-4o` routes nowhere (DESIGN.md).
 * Sets each model's `shortName` and returns the ids that collide, with the entries' names.
 */
function assignShortNames(models: ResolvedModel[]): Record<string, string[]> {
  const byId = new Map<string, ResolvedModel[]>();
  for (const model of models) {
    const list = byId.get(model.model);
    if (list) list.push(model);
    else byId.set(model.model, [model]);
  }
  const ambiguous: Record<string, string[]> = {};
  for (const [id, list] of byId) {
    if (list.length === 1) continue;
    ambiguous[id] = list.map((m) => m.name);
    for (const model of list) model.shortName = null;
  }
  return ambiguous;
}
