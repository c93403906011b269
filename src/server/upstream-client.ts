/**
 * The HTTP client for upstream calls: one keep-alive undici `Agent` for the server's lifetime
 * (it keeps a connection pool per origin), requests sent with `dispatcher.request` so the
 * response body arrives as a Node stream of bytes, handed on as they come.
 *
 * Failures are classified here, once, into what the client is told: the upstream could not be
 * reached (502), did not answer in time (504), or the request was abandoned because our own
 * client went away (nothing to answer).
 */
import type { Readable } from 'node:stream';
import { Agent } from 'undici';

export interface UpstreamTimeouts {
  /** Establishing the TCP/TLS connection. */
  connectMs: number;
  /** From sending the request to the response headers: a non-streamed completion arrives whole, so this is long. */
  headersMs: number;
  /** The longest silence between two body chunks; 0 disables it. */
  bodyIdleMs: number;
}

/**
 * LLM calls are slow: a long non-streamed completion can take minutes before its headers, a
 * reasoning model can pause long between streamed chunks. The reference allows 5 s to connect
 * and 300 s per request (its Envoy route timeout); the same here.
 */
export const DEFAULT_TIMEOUTS: UpstreamTimeouts = { connectMs: 5_000, headersMs: 300_000, bodyIdleMs: 300_000 };

export interface UpstreamRequest {
  /** scheme://host[:port] */
  origin: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string | string[]>;
  body: string | Uint8Array;
  signal: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Must be consumed or destroyed: it holds the pooled connection until then. */
  body: Readable;
}

export interface UpstreamClient {
  send(request: UpstreamRequest): Promise<UpstreamResponse>;
  /** Let in-flight requests finish, then close every pooled connection. */
  close(): Promise<void>;
}

/** Why an upstream call produced no response. */
export type UpstreamFailureKind = 'unreachable' | 'timeout' | 'aborted';

export class UpstreamFailure extends Error {
  constructor(
    readonly kind: UpstreamFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamFailure';
  }
}

export function createUpstreamClient(timeouts: UpstreamTimeouts = DEFAULT_TIMEOUTS): UpstreamClient {
  const agent = new Agent({
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyIdleMs,
    // Idle pooled sockets are kept a little under the 5 s most servers (and Node's) close at,
    // so a request is not sent on a socket the upstream is closing.
    keepAliveTimeout: 4_000,
  });
  return {
    async send(request) {
      try {
        const response = await agent.request({
          origin: request.origin,
          path: request.path,
          method: 'POST',
          headers: request.headers,
          body: request.body,
          signal: request.signal,
        });
        return { status: response.statusCode, headers: response.headers, body: response.body };
      } catch (error) {
        throw classifyUpstreamError(error, request.origin, request.signal);
      }
    },
    close: () => agent.close(),
  };
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * What an error from undici (or from an upstream body stream) means for the client. `phase`
 * says whether the response had begun: a failure while its body streams is a break-off, not an
 * unreachable upstream.
 */
export function classifyUpstreamError(error: unknown, origin: string, signal?: AbortSignal, phase: 'request' | 'body' = 'request'): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  const code = errorCode(error);
  if (signal?.aborted || code === 'UND_ERR_ABORTED' || (error instanceof Error && error.name === 'AbortError')) {
    return new UpstreamFailure('aborted', 'the client closed the connection', { cause: error });
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    const what = phase === 'body' ? `${origin} stopped sending its response` : code === 'UND_ERR_CONNECT_TIMEOUT' ? `connecting to ${origin}` : `waiting for ${origin}`;
    return new UpstreamFailure('timeout', `timed out ${what}`, { cause: error });
  }
  const detail = describeNetworkError(code, error);
  const message = phase === 'body' ? `the response from ${origin} broke off: ${detail}` : `could not reach ${origin}: ${detail}`;
  return new UpstreamFailure('unreachable', message, { cause: error });
}

const NETWORK_ERROR_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'the connection closed before a complete response',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
};

function describeNetworkError(code: string | undefined, error: unknown): string {
  const known = code === undefined ? undefined : NETWORK_ERROR_TEXT[code];
  if (known) return `${known} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${message} (${code})` : message;
}

/** undici puts its own code on the error; system errors (ECONNREFUSED) come as the code or the cause's code. */
function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 3; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
