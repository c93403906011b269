/**
 * Which headers cross the gateway, in each direction.
 *
 * Client → upstream: every client header is forwarded except
 *   - hop-by-hop headers (RFC 9110 §7.6.1: Connection and every header it names, plus
 *     Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade): they describe the
 *     client's connection to us, not ours to the upstream;
 *   - `host` (the upstream's own, or `http_host`), `content-length` and `content-type` (the body
 *     sent is ours: recomputed by undici, always JSON), `expect` (undici does not send it);
 *   - credentials: `authorization`, `x-api-key`, `api-key`, `x-goog-api-key` (Google's SDKs),
 *     `proxy-authorization`, `cookie` — the upstream credential is set from the AuthPlan, never
 *     copied (DESIGN.md "Auth");
 *   - `accept-encoding`: the upstream then answers uncompressed, so streams can be read for
 *     usage and translated, and passed-through bytes are what the upstream produced (an answer
 *     compressed anyway is decoded: content-encoding.ts); `content-encoding`: the body sent is
 *     the one plano parsed and re-serialised, never the client's encoded bytes;
 *   - another API family's headers: `anthropic-*` never reaches an OpenAI-style or Bedrock
 *     upstream, `openai-*` never an Anthropic or Bedrock one (DESIGN.md "Run-time parity") —
 *     a strict upstream rejects what it does not know, and they describe another API;
 *   - when plano supplies the credential (`access_key`), the client's headers that scope a
 *     credential (`openai-organization`, `openai-project`): the OpenAI SDK sends them from its
 *     environment, and the real API rejects them when they do not belong to the configured key.
 * Everything else goes along, so SDK and provider features keep working through the gateway:
 * `anthropic-version` and `anthropic-beta` to Anthropic (Claude Code sends betas),
 * `user-agent`, `x-stainless-*`, `idempotency-key`, tracing headers.
 *
 * Upstream → client: the upstream's headers minus hop-by-hop ones and `set-cookie` (a local
 * gateway shared by several clients should not hand one provider's session cookies to all of
 * them); `content-length` only where the body is passed through unchanged.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { AuthStyle, UpstreamApi } from '../providers/types.js';
import type { ResolvedModel } from '../resolve/types.js';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

const NOT_FORWARDED = new Set([
  ...HOP_BY_HOP,
  'host',
  'content-length',
  'content-type',
  'expect',
  'authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'proxy-authorization',
  'cookie',
  'accept-encoding',
  'content-encoding',
]);

/** Header-name prefixes of each API family, and the families each upstream API accepts. */
const FAMILY_PREFIXES = ['anthropic-', 'openai-'] as const;
const FAMILY_ACCEPTED: Readonly<Record<UpstreamApi, string | null>> = {
  openai_chat: 'openai-',
  openai_responses: 'openai-',
  anthropic_messages: 'anthropic-',
  bedrock_converse: null,
  openai_embeddings: 'openai-',
};

/** Client headers that say which account or project a credential acts for. */
const CREDENTIAL_SCOPE = new Set(['openai-organization', 'openai-project']);

const NOT_RETURNED = new Set([...HOP_BY_HOP, 'set-cookie', 'content-length']);

/** Where each auth style puts the key, and what else it requires (DESIGN.md "Auth"). */
const AUTH_HEADER: Record<AuthStyle, (key: string) => string> = {
  bearer: (key) => `Bearer ${key}`,
  'x-api-key': (key) => key,
  'api-key': (key) => key,
};
const AUTH_HEADER_NAME: Record<AuthStyle, string> = { bearer: 'authorization', 'x-api-key': 'x-api-key', 'api-key': 'api-key' };
/** Anthropic rejects a request without `anthropic-version`; 2023-06-01 is the current one (docs.anthropic.com "Versions"). */
const STYLE_DEFAULTS: Record<AuthStyle, Readonly<Record<string, string>>> = {
  bearer: {},
  'x-api-key': { 'anthropic-version': '2023-06-01' },
  'api-key': {},
};

/**
 * The headers of the upstream request: forwarded client headers, the credential in the header
 * the upstream expects (`key` undefined: none), the provider's and the config's extra headers
 * (those last, so they win), and `http_host` as Host.
 */
export function upstreamRequestHeaders(
  client: IncomingHttpHeaders,
  target: ResolvedModel,
  key: string | undefined,
  api: UpstreamApi,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const named = connectionNamed(client.connection);
  const accepted = FAMILY_ACCEPTED[api];
  const configuredKey = target.auth.mode === 'access_key';
  for (const name in client) {
    const value = client[name];
    if (value === undefined || NOT_FORWARDED.has(name) || named?.has(name)) continue;
    // Names are lower-case here (Node's parser): a first-letter test spares most headers the prefix checks.
    if ((name.charCodeAt(0) === 97 || name.charCodeAt(0) === 111) && !fromAcceptedFamily(name, accepted, configuredKey)) continue;
    out[name] = value;
  }
  out['content-type'] = 'application/json';
  const style = target.auth.style;
  if (key !== undefined) out[AUTH_HEADER_NAME[style]] = AUTH_HEADER[style](key);
  const defaults = STYLE_DEFAULTS[style];
  for (const name in defaults) out[name] ??= defaults[name]!;
  assignLowercase(out, target.provider.defaultHeaders);
  assignLowercase(out, target.headers);
  if (target.httpHost !== undefined) out.host = target.httpHost;
  return out;
}

/** The upstream's response headers as the client gets them; `keepLength` when the body passes unchanged. */
export function clientResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
  keepLength: boolean,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = connectionNamed(upstream.connection);
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || named?.has(name)) continue;
    if (NOT_RETURNED.has(name) && !(keepLength && name === 'content-length')) continue;
    out[name] = value;
  }
  return out;
}

/** Whether an `a…`/`o…` header may go to an upstream of the `accepted` family (see the rules above). */
function fromAcceptedFamily(name: string, accepted: string | null, configuredKey: boolean): boolean {
  for (const prefix of FAMILY_PREFIXES) {
    if (name.startsWith(prefix)) {
      if (prefix !== accepted) return false;
      return !(configuredKey && CREDENTIAL_SCOPE.has(name));
    }
  }
  return true;
}

/** The headers a `Connection` header names as hop-by-hop for this connection (RFC 9110 §7.6.1). */
function connectionNamed(value: string | string[] | undefined): Set<string> | undefined {
  // The usual values name nothing that is not stripped anyway: no set to build per request.
  if (value === undefined || value === 'keep-alive' || value === 'close' || value === 'Keep-Alive') return undefined;
  const names = new Set<string>();
  for (const item of Array.isArray(value) ? value : [value]) {
    for (const token of item.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') names.add(name);
    }
  }
  return names;
}

function assignLowercase(out: Record<string, string | string[]>, headers: Readonly<Record<string, string>> | undefined): void {
  if (!headers) return;
  for (const name in headers) out[name.toLowerCase()] = headers[name]!;
}
