/**
 * One config shape from every spelling the format has had: `llm_providers` → providers, the
 * legacy `listeners: {ingress_traffic, egress_traffic}` object → the list, inline
 * `routing_preferences` under a provider → top-level preferences. Tolerant of shapes the
 * schema rejects (those are reported by the schema stage): what cannot be read is skipped.
 */
import type {
  CostCatalogue,
  FilterReference,
  InlineRoutingPreference,
  ListenerAgent,
  ListenerEntry,
  MetricsSource,
  ModelAlias,
  PlanoConfig,
  ProviderEntry,
  RoutingPreference,
} from './types.js';
import { toPointer } from './json-pointer.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The legacy listener object's keys, what each became, and the reference's default ports. */
const LEGACY_LISTENERS = [
  { key: 'egress_traffic', type: 'model', port: 12000 },
  { key: 'ingress_traffic', type: 'prompt', port: 10000 },
] as const;

/** Where each cost catalogue is read from when a source gives no `url`. */
const DEFAULT_COST_URLS: Readonly<Record<CostCatalogue, string>> = {
  'models.dev': 'https://models.dev/api.json',
  // The public DigitalOcean GenAI model catalogue (no key needed), the reference's default.
  digitalocean: 'https://api.digitalocean.com/v2/gen-ai/models/catalog',
};

/** The model listener (the one `up` serves) of a config, or of the gateway resolved from it. */
export function modelListener(from: { readonly listeners: readonly ListenerEntry[] }): ListenerEntry | undefined {
  return from.listeners.find((l) => l.type === 'model');
}

export function normalizeConfig(value: unknown): PlanoConfig {
  const raw = isObject(value) ? value : {};
  const providersKey = Array.isArray(raw.model_providers)
    ? 'model_providers'
    : Array.isArray(raw.llm_providers)
      ? 'llm_providers'
      : null;
  const providers = providersKey ? readProviders(raw[providersKey] as unknown[], providersKey) : [];

  return {
    version: str(raw.version),
    providersKey,
    providers,
    listeners: readListeners(raw.listeners),
    modelAliases: readAliases(raw.model_aliases),
    routingPreferences: [...readTopLevelPreferences(raw.routing_preferences), ...migrateInlinePreferences(providers)],
    metricsSources: readMetricsSources(raw.model_metrics_sources),
    overrides: isObject(raw.overrides) ? raw.overrides : {},
    routing: isObject(raw.routing) ? raw.routing : {},
    raw,
  };
}

function readProviders(items: unknown[], key: string): ProviderEntry[] {
  const out: ProviderEntry[] = [];
  items.forEach((item, index) => {
    if (!isObject(item) || typeof item.model !== 'string') return;
    const entry: ProviderEntry = { pointer: toPointer([key, index]), model: item.model };
    for (const field of ['name', 'access_key', 'base_url', 'provider_interface', 'http_host'] as const) {
      const v = str(item[field]);
      if (v !== undefined) entry[field] = v;
    }
    if (typeof item.default === 'boolean') entry.default = item.default;
    if (typeof item.passthrough_auth === 'boolean') entry.passthrough_auth = item.passthrough_auth;
    if (isObject(item.headers)) {
      entry.headers = Object.fromEntries(
        Object.entries(item.headers).filter((kv): kv is [string, string] => typeof kv[1] === 'string'),
      );
    }
    if (Array.isArray(item.routing_preferences)) {
      entry.routing_preferences = item.routing_preferences.filter(isObject).flatMap((p): InlineRoutingPreference[] =>
        typeof p.name === 'string'
          ? [{ name: p.name, ...(str(p.description) ? { description: p.description as string } : {}),
               ...(typeof p.priority === 'number' ? { priority: p.priority } : {}) }]
          : [],
      );
    }
    out.push(entry);
  });
  return out;
}

function readListeners(value: unknown): ListenerEntry[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index): ListenerEntry[] => {
      if (!isObject(item)) return [];
      const type = item.type === 'model' || item.type === 'prompt' || item.type === 'agent' ? item.type : undefined;
      if (!type) return [];
      const pointer = toPointer(['listeners', index]);
      return [{
        pointer,
        name: str(item.name) ?? `${type}_listener`,
        type,
        ...pick(item, ['port', 'max_retries'], 'number'),
        ...pick(item, ['address', 'timeout'], 'string'),
        ...readFilterReferences(item, 'input_filters', pointer),
        ...readFilterReferences(item, 'output_filters', pointer),
        ...(Array.isArray(item.agents) ? { agents: readListenerAgents(item.agents, `${pointer}/agents`) } : {}),
        legacy: false,
      }];
    });
  }
  if (isObject(value)) {
    return LEGACY_LISTENERS.flatMap(({ key, type, port }): ListenerEntry[] => {
      const item = value[key];
      if (!isObject(item)) return [];
      return [{
        pointer: toPointer(['listeners', key]),
        name: key,
        type,
        port: typeof item.port === 'number' ? item.port : port,
        ...pick(item, ['address', 'timeout'], 'string'),
        legacy: true,
      }];
    });
  }
  return [];
}

function readListenerAgents(items: unknown[], base: string): ListenerAgent[] {
  return items.flatMap((a, index): ListenerAgent[] => {
    if (!isObject(a)) return [];
    const pointer = `${base}/${index}`;
    return [{
      pointer,
      id: String(a.id ?? ''),
      ...(str(a.description) ? { description: a.description as string } : {}),
      ...(typeof a.default === 'boolean' ? { default: a.default } : {}),
      ...readFilterReferences(a, 'input_filters', pointer),
    }];
  });
}

/** `key: [id, …]` of `item` at `pointer`, each id with its own pointer (a non-string is skipped, its index kept). */
function readFilterReferences<K extends 'input_filters' | 'output_filters'>(item: Json, key: K, pointer: string): { [k in K]?: FilterReference[] } {
  const list = item[key];
  if (!Array.isArray(list)) return {};
  const refs = list.flatMap((id, index): FilterReference[] => (typeof id === 'string' ? [{ pointer: `${pointer}/${key}/${index}`, id }] : []));
  return { [key]: refs } as { [k in K]?: FilterReference[] };
}

function readAliases(value: unknown): ModelAlias[] {
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([alias, spec]): ModelAlias[] =>
    isObject(spec) && typeof spec.target === 'string'
      ? [{ pointer: toPointer(['model_aliases', alias]), alias, target: spec.target }]
      : [],
  );
}

function readTopLevelPreferences(value: unknown): RoutingPreference[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index): RoutingPreference[] => {
    if (!isObject(item) || typeof item.name !== 'string') return [];
    const prefer = isObject(item.selection_policy) ? item.selection_policy.prefer : undefined;
    return [{
      pointer: toPointer(['routing_preferences', index]),
      name: item.name,
      ...(str(item.description) ? { description: item.description as string } : {}),
      models: Array.isArray(item.models) ? item.models.filter((m): m is string => typeof m === 'string') : [],
      ...(prefer === 'none' || prefer === 'cheapest' || prefer === 'fastest' ? { selection_policy: { prefer } } : {}),
    }];
  });
}

/**
 * The v0.3 inline form names one model per preference; preferences with the same name under
 * several providers become one top-level preference listing those models, in config order
 * (what the reference's `migrate_inline_routing_preferences` does).
 */
function migrateInlinePreferences(providers: ProviderEntry[]): RoutingPreference[] {
  const byName = new Map<string, RoutingPreference>();
  for (const entry of providers) {
    (entry.routing_preferences ?? []).forEach((pref, index) => {
      const existing = byName.get(pref.name);
      if (existing) {
        if (!existing.models.includes(entry.model)) existing.models.push(entry.model);
        if (!existing.description && pref.description) existing.description = pref.description;
        return;
      }
      byName.set(pref.name, {
        pointer: `${entry.pointer}/routing_preferences/${index}`,
        name: pref.name,
        ...(pref.description ? { description: pref.description } : {}),
        models: [entry.model],
        migratedFrom: entry.pointer,
      });
    });
  }
  return [...byName.values()];
}

function readMetricsSources(value: unknown): MetricsSource[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index): MetricsSource[] => {
    if (!isObject(item)) return [];
    const pointer = toPointer(['model_metrics_sources', index]);
    const refresh = typeof item.refresh_interval === 'number' ? { refreshIntervalSeconds: item.refresh_interval } : {};
    if (item.type === 'cost' && (item.provider === 'models.dev' || item.provider === 'digitalocean')) {
      const aliases = isObject(item.model_aliases)
        ? Object.fromEntries(Object.entries(item.model_aliases).filter((kv): kv is [string, string] => typeof kv[1] === 'string'))
        : {};
      const url = str(item.url) ?? DEFAULT_COST_URLS[item.provider];
      return [{ pointer, type: 'cost', provider: item.provider, url, modelAliases: aliases, ...refresh }];
    }
    if (item.type === 'latency' && item.provider === 'prometheus' && typeof item.url === 'string' && typeof item.query === 'string') {
      return [{ pointer, type: 'latency', provider: 'prometheus', url: item.url, query: item.query, ...refresh }];
    }
    return [];
  });
}

function pick(item: Json, keys: readonly string[], type: 'string' | 'number'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (typeof item[k] === type) out[k] = item[k];
  return out;
}
