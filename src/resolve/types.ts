/**
 * The resolved gateway: what `expand` and `models list` print and what `up` serves. Built by
 * `resolveGateway` (resolve.ts) from a normalised config, the environment and the provider
 * table; queried by `lookupModel` (lookup.ts). Holds no secret values: only where they come from.
 */
import type { ListenerEntry, RoutingPreference } from '../config/types.js';
import type { AuthStyle, ClientApi, ProviderSpec, UpstreamApi } from '../providers/types.js';

export type AuthMode = 'access_key' | 'passthrough' | 'none';

export interface AuthPlan {
  mode: AuthMode;
  /** The environment variable the key comes from (`$OPENAI_API_KEY` → `OPENAI_API_KEY`); null for a literal key or no key. */
  env: string | null;
  /** Whether a key is available now: the variable is set (and non-empty), or a literal is configured. */
  set: boolean;
  /** Where the credential goes upstream. */
  style: AuthStyle;
  /**
   * How to obtain the secret when serving. Never printed: renderers pick AuthPlan's other fields.
   * `literal` holds a key written into the config as-is (validate warns about that).
   */
  secret: { kind: 'env'; name: string } | { kind: 'literal'; value: string } | null;
}

export interface UpstreamEndpoint {
  api: UpstreamApi;
  url: string;
  /** Differs from `url` where the provider streams on another path (Bedrock's converse-stream). */
  streamUrl: string;
}

/** Where and how requests for an entry go: shared by a resolved model and a wildcard route. */
export interface UpstreamTarget {
  /** The provider table record that drives URLs, auth and wire API. */
  provider: ProviderSpec;
  /** The prefix as written (`google` in `google/gemini-3-pro`). */
  prefix: string;
  /** The provider id whose wire behaviour applies: the provider's id, or `provider_interface` for a custom prefix. */
  interface: string;
  auth: AuthPlan;
  /** The base URL requests go to: the configured one, or the provider's default. */
  baseUrl: string;
  /** Per client API; a wildcard route's URLs have `{model}` where the requested id goes. */
  endpoints: Record<ClientApi, UpstreamEndpoint>;
  /** Extra headers from the config (`headers:`), applied after auth. */
  headers: Record<string, string>;
  /** `http_host`: the Host header to send instead of the base URL's host. */
  httpHost?: string;
  /** JSON Pointer of the config entry this came from. */
  pointer: string;
}

/** The target a client's model name resolves to. */
export interface ResolvedModel extends UpstreamTarget {
  /** The entry's configured `name`, else its `provider/model` as written. */
  name: string;
  /** `provider/model` with the provider prefix as written in the config. */
  canonical: string;
  /** The bare model id when no other entry shares it; null when ambiguous (see Gateway.ambiguousShortNames). */
  shortName: string | null;
  /** The id sent upstream (prefix removed). */
  model: string;
  isDefault: boolean;
  /** The wildcard pattern this entry came from (`openai/*`), or null for an explicit entry. */
  fromWildcard: string | null;
}

/** A `provider/*` entry kept as a run-time pattern: any `provider/<id>` routes through it. */
export interface WildcardRoute extends UpstreamTarget {
  /** `litellm/*` */
  pattern: string;
}

export interface Gateway {
  /** Explicit entries first (config order), then wildcard expansions grouped by wildcard. */
  models: ResolvedModel[];
  wildcards: WildcardRoute[];
  /** model_aliases: alias → target as written. */
  aliases: Record<string, string>;
  defaultModel: ResolvedModel | null;
  listeners: ListenerEntry[];
  routingPreferences: RoutingPreference[];
  /** Short ids that more than one entry has, with the names of those entries. */
  ambiguousShortNames: Record<string, string[]>;
}

export type LookupVia = 'default' | 'name' | 'canonical' | 'alias' | 'short' | 'wildcard';

export type LookupResult =
  | { found: true; requested: string; model: ResolvedModel; via: LookupVia; alias?: string }
  | {
      found: false;
      requested: string;
      /** `ambiguous`: a short id several entries share; `no-default`: no model named and no default. */
      reason: 'unknown' | 'ambiguous' | 'no-default';
      /** did-you-mean names, best first */
      suggestions: string[];
    };
