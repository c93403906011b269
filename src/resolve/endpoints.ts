/** The upstream URL for every client API of one target: the provider table's wire API plus the one base_url rule. */
import { MODEL_PLACEHOLDER, upstreamUrl, type UpstreamUrlResult } from '../providers/upstream-url.js';
import { CLIENT_APIS, type ClientApi, type ProviderSpec } from '../providers/types.js';
import type { UpstreamEndpoint } from './types.js';

export type EndpointsResult =
  | { ok: true; endpoints: Record<ClientApi, UpstreamEndpoint> }
  | { ok: false; reason: Extract<UpstreamUrlResult, { ok: false }>['reason'] };

/** `model` may be MODEL_PLACEHOLDER (`{model}`) for a wildcard's URL template. */
export function upstreamEndpoints(provider: ProviderSpec, baseUrl: string | undefined, model: string): EndpointsResult {
  const endpoints = {} as Record<ClientApi, UpstreamEndpoint>;
  for (const clientApi of CLIENT_APIS) {
    const api = provider.upstreamApiFor[clientApi];
    const url = upstreamUrl({ provider, baseUrl, model, api, stream: false });
    if (!url.ok) return url;
    const streamUrl = upstreamUrl({ provider, baseUrl, model, api, stream: true });
    if (!streamUrl.ok) return streamUrl;
    endpoints[clientApi] = { api, url: url.url, streamUrl: streamUrl.url };
  }
  return { ok: true, endpoints };
}

/**
 * The endpoints for `model` given the same target's `{model}` template: the template itself when
 * no URL has the model in it (every provider but Azure and Bedrock), which spares a wildcard's
 * expansion and every run-time lookup from building the same URLs again.
 */
export function endpointsFromTemplate(
  template: Record<ClientApi, UpstreamEndpoint>,
  provider: ProviderSpec,
  baseUrl: string,
  model: string,
): EndpointsResult {
  const mentionsModel = Object.values(template).some((e) => e.url.includes(MODEL_PLACEHOLDER) || e.streamUrl.includes(MODEL_PLACEHOLDER));
  return mentionsModel ? upstreamEndpoints(provider, baseUrl, model) : { ok: true, endpoints: template };
}

/**
 * Where POST /v1/embeddings goes for `model` of `target` (the provider's embeddings path on the same
 * base URL as its chat completions); null when the provider has none (Anthropic, Bedrock …).
 */
export function embeddingsUrl(target: { provider: ProviderSpec; baseUrl: string }, model: string): string | null {
  const url = upstreamUrl({ provider: target.provider, baseUrl: target.baseUrl, model, api: 'openai_embeddings', stream: false });
  return url.ok ? url.url : null;
}
