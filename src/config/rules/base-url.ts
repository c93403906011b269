/**
 * Rules about `base_url`, read by the one upstream-URL rule (src/providers/upstream-url.ts):
 * scheme://host[:port][/path][?query], where the path replaces the provider's default prefix
 * and the endpoint suffix is always appended.
 */
import type { Diagnostic } from '../diagnostics.js';
import { finding } from '../finding.js';
import { findProvider } from '../../providers/registry.js';
import type { EndpointPath, ProviderSpec, UpstreamApi } from '../../providers/types.js';
import { MODEL_PLACEHOLDER, parseBaseUrl, upstreamUrl } from '../../providers/upstream-url.js';
import { hasUserinfo, redactUrl } from '../secret-values.js';
import type { ProviderEntry } from '../types.js';
import { splitModel } from './model-refs.js';
import type { Rule } from './types.js';

/** How messages name each upstream API. */
const API_NAMES: Readonly<Record<UpstreamApi, string>> = {
  openai_chat: 'chat completions',
  openai_responses: 'Responses API',
  anthropic_messages: 'Messages API',
  bedrock_converse: 'Bedrock Converse',
  openai_embeddings: 'embeddings',
};

/** `base_url` must be an absolute http(s) URL. */
export const baseUrlFormat: Rule = (config, ctx) =>
  config.providers.flatMap((entry): Diagnostic[] => {
    const value = entry.base_url;
    if (value === undefined || parseBaseUrl(value) !== null) return [];
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1];
    const withScheme = scheme === undefined && parseBaseUrl(`https://${value}`) !== null ? `https://${value}` : undefined;
    const problem = withScheme
      ? 'has no scheme'
      : scheme !== undefined && !/^https?$/i.test(scheme)
        ? `uses ${scheme}://`
        : 'is not a URL';
    return [finding(ctx.document, {
      severity: 'error',
      code: 'invalid-base-url',
      message: `base_url "${redactUrl(value)}" ${problem}; it must be an absolute http:// or https:// URL: <scheme>://<host>[:<port>][/<path>].`,
      path: `${entry.pointer}/base_url`,
      suggestion: withScheme ? `base_url: ${redactUrl(withScheme)}` : 'For example `base_url: https://api.example.com` or `base_url: http://localhost:8000/v1`.',
    })];
  });

/**
 * A user and password before the host (`https://user:pass@proxy/v1`) are not sent: Plano builds
 * its upstream cluster from the host alone, and `up` does the same, so the upstream sees no
 * credential from there. Said rather than done in silence; the fix says where a credential goes.
 */
export const baseUrlCredentials: Rule = (config, ctx) =>
  config.providers.flatMap((entry): Diagnostic[] => {
    if (entry.base_url === undefined || parseBaseUrl(entry.base_url) === null || !hasUserinfo(entry.base_url)) return [];
    return [finding(ctx.document, {
      severity: 'warning',
      code: 'base-url-credentials',
      message: `base_url "${redactUrl(entry.base_url)}" has a user and password before the host; they are not sent upstream (Plano ignores them too), so the upstream sees no credential from them.`,
      path: `${entry.pointer}/base_url`,
      suggestion:
        'Remove them from base_url, put the key in an environment variable and name it with `access_key: $VAR` (sent the way the provider expects), ' +
        'or send a header of your own with `headers: {Authorization: "Basic …"}`.',
    })];
  });

/**
 * A `base_url` that already ends with the endpoint path (`…/v1/chat/completions`) gets the
 * suffix appended again. Warned with the URL it would produce, and the base that gives the
 * intended one.
 */
export const baseUrlIncludesEndpoint: Rule = (config, ctx) =>
  config.providers.flatMap((entry): Diagnostic[] => {
    const parsed = entry.base_url === undefined ? null : parseBaseUrl(entry.base_url);
    const parts = splitModel(entry.model);
    const spec = parts && providerFor(entry, parts.prefix);
    if (!parsed || !parts || !spec) return [];
    for (const api of new Set(Object.values(spec.upstreamApiFor))) {
      const endpoint = spec.endpointPaths[api];
      const tail = endpoint && endpointTail(parsed.path, endpoint);
      if (!tail) continue;
      const model = parts.wildcard ? MODEL_PLACEHOLDER : parts.id;
      const produced = urlFor(spec, entry.base_url!, model, api);
      const fixedBase = parsed.origin + parsed.path.slice(0, parsed.path.length - tail.length) + (parsed.query ? `?${parsed.query}` : '');
      const intended = urlFor(spec, fixedBase, model, api);
      return [finding(ctx.document, {
        severity: 'warning',
        code: 'base-url-includes-endpoint',
        message: `base_url already ends with "${tail}", the path plano appends for ${API_NAMES[api]} requests: they would go to ${redactUrl(produced ?? '')}.`,
        path: `${entry.pointer}/base_url`,
        suggestion: `base_url: ${redactUrl(fixedBase)}` + (intended ? `\n# Results in: ${redactUrl(intended)}` : ''),
      })];
    }
    return [];
  });

/** The table row that decides the URL: the prefix's own, else the custom provider's interface. */
function providerFor(entry: ProviderEntry, prefix: string): ProviderSpec | undefined {
  return findProvider(prefix) ?? (entry.provider_interface !== undefined ? findProvider(entry.provider_interface) : undefined);
}

function urlFor(spec: ProviderSpec, baseUrl: string, model: string, api: UpstreamApi): string | undefined {
  const result = upstreamUrl({ provider: spec, baseUrl, model, api, stream: false });
  return result.ok ? result.url : undefined;
}

/**
 * The end of `path` that is an endpoint suffix (either the plain or the streaming one), with
 * `{model}` matching any one segment; undefined when the path does not end with one.
 */
function endpointTail(path: string, endpoint: EndpointPath): string | undefined {
  const pathSegments = path.split('/').filter(Boolean);
  for (const template of [endpoint.url, endpoint.stream]) {
    const wanted = template.split('/').filter(Boolean);
    if (wanted.length === 0 || wanted.length > pathSegments.length) continue;
    const tail = pathSegments.slice(pathSegments.length - wanted.length);
    if (tail.every((segment, i) => wanted[i] === MODEL_PLACEHOLDER || wanted[i]!.toLowerCase() === segment.toLowerCase())) {
      return '/' + tail.join('/') + (path.endsWith('/') ? '/' : '');
    }
  }
  return undefined;
}
