/**
 * The one `base_url` rule, the same for every provider (DESIGN.md, seed "Base URL Configuration"):
 *
 *   base_url = scheme://host[:port][/path][?query]
 *   - no path (or `/`): the provider's default prefix
 *   - a path: it replaces the default prefix
 *   - the provider's default query (Azure's api-version) is kept either way: Azure's deployment
 *     endpoints reject a request without api-version, custom paths included
 *   - the suffix for the upstream API is appended; slashes are normalised
 *   - a query in base_url is kept, and wins over a default parameter of the same name
 */
import type { ProviderSpec, UpstreamApi } from './types.js';

/** The placeholder `expand` prints for a wildcard's endpoints, where the requested model goes. */
export const MODEL_PLACEHOLDER = '{model}';

export interface UpstreamUrlInput {
  provider: ProviderSpec;
  /** The configured base_url, or undefined for the provider's default. */
  baseUrl: string | undefined;
  /** The upstream model id (prefix removed). */
  model: string;
  api: UpstreamApi;
  stream: boolean;
}

export type UpstreamUrlResult =
  | { ok: true; url: string }
  | { ok: false; reason: 'base-url-required' | 'invalid-base-url' | 'api-not-spoken' | 'model-not-a-path-segment' };

export function upstreamUrl(input: UpstreamUrlInput): UpstreamUrlResult {
  const { provider, model, api, stream } = input;
  const endpoint = provider.endpointPaths[api];
  if (!endpoint) return { ok: false, reason: 'api-not-spoken' };
  const base = input.baseUrl ?? provider.defaultBaseUrl;
  if (base === null) return { ok: false, reason: 'base-url-required' };

  const parts = baseParts(provider, base);
  if (!parts) return { ok: false, reason: 'invalid-base-url' };
  const { origin, prefix, search } = parts;

  const modelSegment = model === MODEL_PLACEHOLDER ? model : encodeModelSegment(model);
  const template = stream ? endpoint.stream : endpoint.url;
  // `.` and `..` are removed by every URL parser on the way, `..` with the segment before it:
  // `azure_openai/..` would send the configured key to /openai/chat/completions. Escaping does
  // not help (WHATWG URL §4.4 removes `%2e` segments too), so such a model id has no URL. (Any
  // other id is escaped into one segment: `%2e` itself becomes `%252e`.)
  if ((model === '.' || model === '..') && (prefix.includes(MODEL_PLACEHOLDER) || template.includes(MODEL_PLACEHOLDER))) {
    return { ok: false, reason: 'model-not-a-path-segment' };
  }
  const path = [prefix, template]
    .map((part) => part.replaceAll(MODEL_PLACEHOLDER, modelSegment))
    .join('/')
    .replace(/\/{2,}/g, '/')
    .replace(/^\/?/, '/');
  return { ok: true, url: origin + path + (search ? `?${search}` : '') };
}

/**
 * The parts of every URL one provider's `base_url` gives: its origin, the path prefix and the
 * query. Computed once per provider and base_url rather than once per URL: a config resolves six
 * URLs per model, and a generated one lists 100,000 models behind a handful of base URLs (WHATWG
 * URL parsing was 1 s of `plano validate` on 10 MB).
 */
const basePartsCache = new WeakMap<ProviderSpec, Map<string, { origin: string; prefix: string; search: string } | null>>();

function baseParts(provider: ProviderSpec, base: string): { origin: string; prefix: string; search: string } | null {
  let byBase = basePartsCache.get(provider);
  if (!byBase) basePartsCache.set(provider, (byBase = new Map()));
  let parts = byBase.get(base);
  if (parts === undefined) {
    const parsed = parseBaseUrl(base);
    if (parsed === null) {
      parts = null;
    } else {
      const ownPath = parsed.path.replace(/^\/+|\/+$/g, '');
      const query = new URLSearchParams(provider.defaultQuery ?? undefined);
      for (const [key, value] of new URLSearchParams(parsed.query)) query.set(key, value);
      parts = { origin: parsed.origin, prefix: ownPath !== '' ? ownPath : provider.defaultPathPrefix, search: query.toString() };
    }
    byBase.set(base, parts);
  }
  return parts;
}

/** scheme://host[:port], path and query of an absolute http(s) URL; null for anything else. */
export function parseBaseUrl(value: string): { origin: string; path: string; query: string } | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  // URL.origin drops default ports, which is what the user means (https://h:443 is https://h).
  // The path stays percent-encoded as URL normalised it (`/a b` → `/a%20b`), so it can be used as-is.
  return { origin: url.origin, path: url.pathname, query: url.search.replace(/^\?/, '') };
}

/**
 * A model id goes into a path segment (Azure deployments, Bedrock model ids). `:` is legal in a
 * segment (RFC 3986 §3.3) and Bedrock ids are full of it, so it stays; `/` in a Bedrock ARN must
 * be escaped so the ARN stays one segment.
 */
function encodeModelSegment(model: string): string {
  return encodeURIComponent(model).replace(/%3A/gi, ':');
}
