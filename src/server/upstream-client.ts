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
import { util as undiciUtil, type Dispatcher } from 'undici';
import type { ClientGone } from './client-gone.js';
import { decodedBytes } from './content-encoding.js';
import { upstreamDispatcher, type UpstreamNetwork } from './upstream-network.js';

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

/**
 * The body of an upstream response as the gateway relays it: `read` delivers the chunks that have
 * arrived, then the rest as they come, then exactly one `end` or `error`; nothing before `read`,
 * nothing after `destroy`.
 */
export interface UpstreamBody {
  read(consumer: BodyConsumer): void;
  /** Stop reading from the upstream until `resume` (the client is not keeping up). */
  pause(): void;
  resume(): void;
  /** The rest is not wanted: the upstream request is abandoned. */
  destroy(): void;
}

export interface BodyConsumer {
  data(chunk: Buffer): void;
  end(): void;
  error(error: unknown): void;
}

/** An upstream call as the gateway's pipeline makes it: abandoned when its client leaves. */
export interface UpstreamExchangeRequest extends Omit<UpstreamRequest, 'signal'> {
  gone: ClientGone;
  /** Told how the call ended, as its promise settles (the tracing stage's attempt span). */
  observer?: ExchangeObserver;
}

/**
 * What hears how one upstream call ended — its response head's status, or the failure it rejects
 * with — without a promise of its own around the call: one more promise and its microtask cost
 * a traced request ~1 µs of CPU in the gateway (`npm run bench:trace-alternating -- --sampling 0`,
 * session 9: +3.2 → +2.0 µs, medians of six runs).
 */
export interface ExchangeObserver {
  end(status: number): void;
  fail(error: unknown): void;
}

export interface UpstreamExchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: UpstreamBody;
}

export interface UpstreamClient {
  /** The answer's body as a Node stream (the router's calls, anything that reads a whole answer). */
  send(request: UpstreamRequest): Promise<UpstreamResponse>;
  /**
   * The gateway's relay: the same call, its body handed over chunk by chunk with no stream object
   * per response. Optional: `exchangeWith` falls back to `send` for a client without it.
   */
  exchange?(request: UpstreamExchangeRequest): Promise<UpstreamExchange>;
  /** Let in-flight requests finish, then close every pooled connection. */
  close(): Promise<void>;
}

/** Why an upstream call produced no response. */
export type UpstreamFailureKind = 'unreachable' | 'timeout' | 'aborted';

export class UpstreamFailure extends Error {
  /** Another attempt would fail the same way (a certificate no CA plano trusts signed). */
  readonly permanent: boolean;

  constructor(
    readonly kind: UpstreamFailureKind,
    message: string,
    options?: { cause?: unknown; permanent?: boolean },
  ) {
    super(message, options);
    this.name = 'UpstreamFailure';
    this.permanent = options?.permanent ?? false;
  }
}

/**
 * A call that got no response because it never reached the upstream model, or was cut before an
 * answer began: refused, unreachable, reset, or a connect timeout (a headers timeout is not one:
 * the model may be working on it).
 */
export function isConnectFailure(failure: UpstreamFailure): boolean {
  return failure.kind === 'unreachable' || (failure.kind === 'timeout' && (failure.cause as { code?: unknown } | undefined)?.code === 'UND_ERR_CONNECT_TIMEOUT');
}

/**
 * `timeouts` not given (or undefined) are DEFAULT_TIMEOUTS'; `network` adds a proxy and a CA
 * bundle (upstream-network.ts).
 */
export function createUpstreamClient(timeouts: Partial<UpstreamTimeouts> = {}, network: UpstreamNetwork = {}): UpstreamClient {
  const agent = upstreamDispatcher(
    {
      connect: { timeout: timeouts.connectMs ?? DEFAULT_TIMEOUTS.connectMs },
      headersTimeout: timeouts.headersMs ?? DEFAULT_TIMEOUTS.headersMs,
      bodyTimeout: timeouts.bodyIdleMs ?? DEFAULT_TIMEOUTS.bodyIdleMs,
      // Idle pooled sockets are kept a little under the 5 s most servers (and Node's) close at,
      // so a request is not sent on a socket the upstream is closing.
      keepAliveTimeout: 4_000,
    },
    network,
  );
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
    exchange(request) {
      const { observer } = request;
      if (request.gone.aborted) {
        const failure = clientLeft();
        observer?.fail(failure);
        return Promise.reject(failure);
      }
      return new Promise((resolve, reject) => {
        const settle = observer
          ? (exchange: UpstreamExchange) => {
              observer.end(exchange.status);
              resolve(exchange);
            }
          : resolve;
        const fail = observer
          ? (error: unknown) => {
              observer.fail(error);
              reject(error);
            }
          : reject;
        const handler = new ExchangeHandler(request.origin, request.gone, settle, fail);
        agent.dispatch({ origin: request.origin, path: request.path, method: 'POST', headers: request.headers, body: request.body }, handler);
      });
    },
    close: () => agent.close(),
  };
}

/**
 * `client.exchange(request)`, or the same through `client.send` for a client that has no
 * `exchange`. Either way a call that gets no response rejects with an UpstreamFailure.
 */
export function exchangeWith(client: UpstreamClient, request: UpstreamExchangeRequest): Promise<UpstreamExchange> {
  // Not an async function: the gateway's own client answers with its promise as it is, without
  // one more promise and microtask per request around it.
  if (client.exchange) return client.exchange(request);
  const { observer, ...call } = request;
  return client.send({ ...call, signal: request.gone.signal }).then(
    (response) => {
      observer?.end(response.status);
      return { status: response.status, headers: response.headers, body: readableBody(response.body) };
    },
    (error: unknown) => {
      const failure = classifyUpstreamError(error, request.origin, request.gone);
      observer?.fail(failure);
      throw failure;
    },
  );
}

/** A Node stream as an UpstreamBody. */
export function readableBody(stream: Readable): UpstreamBody {
  let consumer: BodyConsumer | undefined;
  const data = (chunk: Buffer): void => consumer?.data(chunk);
  const end = (): void => consumer?.end();
  const error = (failure: unknown): void => consumer?.error(failure);
  return {
    read(next) {
      consumer = next;
      stream.on('data', data);
      stream.once('end', end);
      stream.once('error', error);
    },
    pause: () => void stream.pause(),
    resume: () => void stream.resume(),
    destroy() {
      consumer = undefined;
      // undici reports a stream's own destruction as 'error': heard, and dropped.
      stream.on('error', () => {});
      stream.destroy();
    },
  };
}

/** The failure of a request whose client went away. */
export const clientLeft = (options?: { cause?: unknown }): UpstreamFailure => new UpstreamFailure('aborted', 'the client closed the connection', options);

/**
 * One upstream call on undici's dispatcher interface (what its `request` is built on, minus the
 * promise-per-call machinery, the async resource, the AbortSignal listener and the Readable per
 * response): the response head settles the promise, and the handler itself is the response's
 * UpstreamBody, passing each chunk straight to the relay. Chunks that arrive before the relay
 * reads, or while it is paused, wait in a short list (and the end behind them).
 */
class ExchangeHandler implements Dispatcher.DispatchHandler, UpstreamBody {
  #abortUpstream: ((reason: Error) => void) | undefined;
  #resumeUpstream: (() => void) | undefined;
  #settle: ((exchange: UpstreamExchange) => void) | undefined;
  #fail: ((error: unknown) => void) | undefined;
  #consumer: BodyConsumer | undefined;
  #waiting: Buffer[] | undefined;
  /** How the body finished before the relay could be told (it had not read, or chunks still waited): true (ended) or the error. */
  #finished: true | { error: unknown } | undefined;
  #paused = false;
  /** The response is complete, failed or abandoned: nothing more to deliver or abort. */
  #done = false;
  #stopListening: () => void = () => {};

  constructor(
    readonly origin: string,
    readonly gone: ClientGone,
    settle: (exchange: UpstreamExchange) => void,
    fail: (error: unknown) => void,
  ) {
    this.#settle = settle;
    this.#fail = fail;
    this.#stopListening = gone.onAbort(() => this.destroy());
  }

  // undici's handler interface.

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#done) abort(clientLeft());
    else this.#abortUpstream = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx (100 Continue, 103 Early Hints): the final response follows.
    if (statusCode < 200) return true;
    this.#resumeUpstream = resume;
    const settle = this.#settle!;
    this.#settle = this.#fail = undefined;
    settle({ status: statusCode, headers: undiciUtil.parseHeaders(rawHeaders), body: this });
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#done) return true;
    // Straight to the relay, unless it is paused or chunks before this one still wait.
    if (this.#consumer && !this.#paused && this.#waiting === undefined) this.#consumer.data(chunk);
    else (this.#waiting ??= []).push(chunk);
    return !this.#paused;
  }

  onComplete(): void {
    if (this.#done) return;
    this.#finish();
    if (this.#consumer && this.#waiting === undefined) this.#consumer.end();
    else this.#finished = true;
  }

  onError(error: Error): void {
    if (this.#fail) {
      const fail = this.#fail;
      this.#settle = this.#fail = undefined;
      this.#finish();
      fail(classifyUpstreamError(error, this.origin, this.gone));
      return;
    }
    if (this.#done) return;
    this.#finish();
    if (this.#consumer && this.#waiting === undefined) this.#consumer.error(error);
    else this.#finished = { error };
  }

  // UpstreamBody.

  read(consumer: BodyConsumer): void {
    if (this.#consumer || (this.#done && this.#finished === undefined)) return;
    this.#consumer = consumer;
    this.#deliverWaiting();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#deliverWaiting();
    if (!this.#paused) this.#resumeUpstream?.();
  }

  /**
   * Chunks that arrived before the relay read (or while it was paused), in order, until none are
   * left or the relay pauses again (resume goes on from there); then the end, if it came meanwhile.
   */
  #deliverWaiting(): void {
    const consumer = this.#consumer;
    const waiting = this.#waiting;
    if (consumer === undefined) return;
    if (waiting !== undefined) {
      // The relay may pause, resume or destroy the body from inside data(): each chunk leaves the
      // list before it is delivered, so a resume from in there goes on from the next one.
      while (waiting.length > 0 && !this.#paused && this.#consumer === consumer) consumer.data(waiting.shift()!);
      if (this.#consumer !== consumer || waiting.length > 0) return;
      if (this.#waiting === waiting) this.#waiting = undefined;
    }
    const finished = this.#finished;
    if (finished === undefined) return;
    this.#finished = undefined;
    if (finished === true) consumer.end();
    else consumer.error(finished.error);
  }

  destroy(): void {
    this.#consumer = undefined;
    this.#waiting = undefined;
    if (this.#done) return;
    this.#finish();
    const failure = clientLeft();
    this.#abortUpstream?.(failure);
    // Abandoned before the head arrived: the caller hears it now, not when undici gets round to it.
    const fail = this.#fail;
    this.#settle = this.#fail = undefined;
    fail?.(failure);
  }

  #finish(): void {
    this.#done = true;
    this.#stopListening();
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * What an error from undici (or from an upstream body stream) means for the client. `phase`
 * says whether the response had begun: a failure while its body streams is a break-off, not an
 * unreachable upstream.
 */
export function classifyUpstreamError(error: unknown, origin: string, signal?: { readonly aborted: boolean }, phase: 'request' | 'body' = 'request'): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  const code = errorCode(error);
  // undici reports a proxy's refusal of a tunnel as an abort; it is not the client's.
  const proxyRefusal = /^Proxy response \((\d+)\) !== 200/.exec(error instanceof Error ? error.message : '');
  if (proxyRefusal && !signal?.aborted) {
    return new UpstreamFailure('unreachable', `could not reach ${origin}: the proxy refused the tunnel (HTTP ${proxyRefusal[1]}); check HTTPS_PROXY and its credentials`, { cause: error });
  }
  const certificate = code === undefined ? undefined : CERTIFICATE_ERROR_TEXT[code];
  if (certificate) {
    return new UpstreamFailure('unreachable', `could not reach ${origin}: ${certificate} (${code})`, { cause: error, permanent: true });
  }
  if (signal?.aborted || code === 'UND_ERR_ABORTED' || (error instanceof Error && error.name === 'AbortError')) {
    return clientLeft({ cause: error });
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    const what = phase === 'body' ? `${origin} stopped sending its response` : code === 'UND_ERR_CONNECT_TIMEOUT' ? `connecting to ${origin}` : `waiting for ${origin}`;
    return new UpstreamFailure('timeout', `timed out ${what}`, { cause: error });
  }
  const detail = describeNetworkError(code, error);
  const message = phase === 'body' ? `the response from ${origin} broke off: ${detail}` : `could not reach ${origin}: ${detail}`;
  return new UpstreamFailure('unreachable', message, { cause: error });
}

const UNTRUSTED_CA =
  'its TLS certificate is not signed by a CA plano trusts. If a private CA signed it, set overrides.upstream_tls_ca_path to that CA\'s PEM bundle';

/** TLS verification failures: what is wrong with the upstream's certificate. */
const CERTIFICATE_ERROR_TEXT: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED_CA,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED_CA,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED_CA,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED_CA,
  DEPTH_ZERO_SELF_SIGNED_CERT: `${UNTRUSTED_CA} (it is self-signed: the bundle is the certificate itself)`,
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  CERT_NOT_YET_VALID: 'its TLS certificate is not valid yet (check this machine\'s clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name than base_url\'s',
};

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

/**
 * An answer that is small by nature (a router's answer, a token count), read whole and decoded
 * (content-encoding.ts) as text: at most `maxBytes` on the wire and decoded (`what` names it in
 * the error past that), stopping early if `signal` aborts.
 */
export async function readSmallAnswer(response: UpstreamResponse, maxBytes: number, signal: AbortSignal, what: string): Promise<string> {
  const bytes = await readSmallBody(response.body, maxBytes, signal, what);
  return decodedBytes(bytes, response.headers['content-encoding'], maxBytes).toString('utf8');
}

async function readSmallBody(body: Readable, maxBytes: number, signal: AbortSignal, what: string): Promise<Buffer> {
  // Errors reach the loop below; undici also emits its own destruction (on abort, or the size cap) as 'error'.
  body.on('error', () => {});
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array | string);
    size += bytes.length;
    if (size > maxBytes) {
      body.destroy();
      throw new Error(`${what} is larger than ${maxBytes} bytes`);
    }
    chunks.push(bytes);
    if (signal.aborted) break;
  }
  return Buffer.concat(chunks);
}
