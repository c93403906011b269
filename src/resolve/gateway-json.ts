/**
 * The `plano expand --format json` object (DESIGN.md "Contracts"): the Gateway in the config's
 * snake_case, with every secret reduced to where it comes from and whether it is set.
 */
import type { ListenerEntry } from '../config/types.js';
import type { ClientApi, UpstreamApi } from '../providers/types.js';
import type { AuthPlan, Gateway, ResolvedModel, UpstreamEndpoint, WildcardRoute } from './types.js';
import { redactUrl } from '../config/secret-values.js';
import { MODEL_PLACEHOLDER } from '../providers/upstream-url.js';
import { embeddingsUrl } from './endpoints.js';

export interface AuthJson {
  mode: AuthPlan['mode'];
  env: string | null;
  set: boolean;
}

export interface EndpointJson {
  api: UpstreamApi;
  url: string;
  stream_url: string;
}

export interface ModelJson {
  name: string;
  short_name: string | null;
  provider: string;
  interface: string;
  model: string;
  default: boolean;
  from_wildcard: string | null;
  auth: AuthJson;
  base_url: string;
  endpoints: Record<ClientApi, EndpointJson>;
  /** Where POST /v1/embeddings goes; null when the provider has no embeddings endpoint. */
  embeddings_url: string | null;
}

export interface WildcardJson {
  pattern: string;
  interface: string;
  auth: AuthJson;
  base_url: string;
  endpoints: Record<ClientApi, EndpointJson>;
  embeddings_url: string | null;
}

export interface ListenerJson {
  name: string;
  type: ListenerEntry['type'];
  address: string;
  port: number | null;
}

export interface GatewayJson {
  file: string;
  default_model: string | null;
  listeners: ListenerJson[];
  aliases: Record<string, string>;
  models: ModelJson[];
  wildcards: WildcardJson[];
}

/** Where `plano up` binds when a listener gives no address (DESIGN.md: 127.0.0.1 unless told otherwise). */
export const DEFAULT_LISTENER_ADDRESS = '127.0.0.1';
/** The reference's default ports when a listener gives none: model 12000, prompt 10000; agents have none. */
export const DEFAULT_LISTENER_PORTS: Readonly<Partial<Record<ListenerEntry['type'], number>>> = { model: 12000, prompt: 10000 };

export function gatewayJson(gateway: Gateway, file: string): GatewayJson {
  return {
    file,
    default_model: gateway.defaultModel?.name ?? null,
    listeners: gateway.listeners.map((l) => ({
      name: l.name,
      type: l.type,
      address: l.address ?? DEFAULT_LISTENER_ADDRESS,
      port: l.port ?? DEFAULT_LISTENER_PORTS[l.type] ?? null,
    })),
    aliases: { ...gateway.aliases },
    models: gateway.models.map(modelJson),
    wildcards: gateway.wildcards.map(wildcardJson),
  };
}

function modelJson(model: ResolvedModel): ModelJson {
  return {
    name: model.name,
    short_name: model.shortName,
    provider: model.prefix,
    interface: model.interface,
    model: model.model,
    default: model.isDefault,
    from_wildcard: model.fromWildcard,
    auth: authJson(model.auth),
    base_url: redactUrl(model.baseUrl),
    endpoints: endpointsJson(model.endpoints),
    embeddings_url: shownUrl(embeddingsUrl(model, model.model)),
  };
}

function wildcardJson(route: WildcardRoute): WildcardJson {
  return {
    pattern: route.pattern,
    interface: route.interface,
    auth: authJson(route.auth),
    base_url: redactUrl(route.baseUrl),
    endpoints: endpointsJson(route.endpoints),
    embeddings_url: shownUrl(embeddingsUrl(route, MODEL_PLACEHOLDER)),
  };
}

function shownUrl(url: string | null): string | null {
  return url === null ? null : redactUrl(url);
}

/** Picks the printable fields: the secret (AuthPlan.secret) never leaves the Gateway. */
export function authJson(auth: AuthPlan): AuthJson {
  return { mode: auth.mode, env: auth.env, set: auth.set };
}

function endpointsJson(endpoints: Record<ClientApi, UpstreamEndpoint>): Record<ClientApi, EndpointJson> {
  const out = {} as Record<ClientApi, EndpointJson>;
  for (const [api, e] of Object.entries(endpoints) as [ClientApi, UpstreamEndpoint][]) {
    // Credentials in a URL (`?key=…`, `user:pass@`) are forwarded, never printed.
    out[api] = { api: e.api, url: redactUrl(e.url), stream_url: redactUrl(e.streamUrl) };
  }
  return out;
}
