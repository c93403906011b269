/**
 * The config after normalisation (src/config/normalize.ts): one shape whatever version or
 * legacy spelling the file used. Field names inside entries stay as the YAML spells them, so
 * messages can quote them; every entry keeps the JSON Pointer of the YAML it came from.
 */

export interface ProviderEntry {
  /** Where this entry is in the file: `/model_providers/3` or `/llm_providers/3`. */
  pointer: string;
  model: string;
  name?: string;
  access_key?: string;
  default?: boolean;
  base_url?: string;
  provider_interface?: string;
  passthrough_auth?: boolean;
  http_host?: string;
  headers?: Record<string, string>;
  /** The deprecated inline form; also migrated into PlanoConfig.routingPreferences. */
  routing_preferences?: InlineRoutingPreference[];
}

export interface InlineRoutingPreference {
  name: string;
  description?: string;
  priority?: number;
}

export type ListenerType = 'model' | 'prompt' | 'agent';

/**
 * A filter id a listener or agent names, with where it is written: an item the schema rejects is
 * left out, so a list position cannot be told from the index in the normalised list.
 */
export interface FilterReference {
  pointer: string;
  id: string;
}

export interface ListenerAgent {
  pointer: string;
  id: string;
  description?: string;
  default?: boolean;
  input_filters?: FilterReference[];
}

export interface ListenerEntry {
  pointer: string;
  name: string;
  type: ListenerType;
  port?: number;
  address?: string;
  timeout?: string;
  max_retries?: number;
  input_filters?: FilterReference[];
  output_filters?: FilterReference[];
  agents?: ListenerAgent[];
  /** Came from the legacy `listeners: {ingress_traffic, egress_traffic}` object. */
  legacy: boolean;
}

export type SelectionPreference = 'none' | 'cheapest' | 'fastest';

export interface RoutingPreference {
  pointer: string;
  name: string;
  description?: string;
  models: string[];
  selection_policy?: { prefer?: SelectionPreference };
  /** Set when migrated from an inline `routing_preferences` under a provider: that entry's pointer. */
  migratedFrom?: string;
}

/** The cost catalogues a `cost` metrics source can read. */
export type CostCatalogue = 'models.dev' | 'digitalocean';

/**
 * A `model_metrics_sources` entry that `prefer: cheapest` / `fastest` can rank with, its default
 * URL filled in; an entry no ranking can read is left out (the schema reports it). Fields are
 * named as routing uses them: `model_aliases` maps catalogue keys to model names, and
 * `refresh_interval` is in seconds.
 */
export type MetricsSource =
  | {
      pointer: string;
      type: 'cost';
      provider: CostCatalogue;
      url: string;
      modelAliases: Record<string, string>;
      refreshIntervalSeconds?: number;
    }
  | { pointer: string; type: 'latency'; provider: 'prometheus'; url: string; query: string; refreshIntervalSeconds?: number };

export interface ModelAlias {
  pointer: string;
  alias: string;
  target: string;
}

export interface PlanoConfig {
  version?: string;
  /** Which key held the providers, or null when neither is present. */
  providersKey: 'model_providers' | 'llm_providers' | null;
  providers: ProviderEntry[];
  listeners: ListenerEntry[];
  modelAliases: ModelAlias[];
  routingPreferences: RoutingPreference[];
  metricsSources: MetricsSource[];
  overrides: Record<string, unknown>;
  routing: Record<string, unknown>;
  /** The document as parsed, for rules about sections that need no normalising. */
  raw: Record<string, unknown>;
}
