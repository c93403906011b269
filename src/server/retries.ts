/**
 * The retry stage around one upstream call: the listener's `max_retries`, as the reference's
 * Envoy retry policy applies it (reference §10.3) — the same model again after a connect failure,
 * a reset before the response, or a 429 / 5xx; never another 4xx; never once a byte of the answer
 * has gone to the client. Without `max_retries`, no retries (the schema's own words).
 *
 * Waits between attempts: the upstream's `retry-after-ms` / `retry-after` when it sends one, else
 * exponential back-off from 0.5 s to at most 5 s (Envoy's base and cap in the reference), each wait
 * a random point in the upper half of its step so clients that failed together do not return
 * together. The listener's `timeout` bounds the whole request, waits included: a wait that would
 * end past it is not taken, and the client gets the last answer instead.
 *
 * The caller executes the call (`attempt`); this decides whether to make another. With no retries
 * configured it is the call itself — no promise, no timer, no look at the body.
 */
import type { Gateway } from '../resolve/types.js';
import { parseDurationMs } from '../config/duration.js';
import { modelListener } from '../config/normalize.js';
import type { ClientGone } from './client-gone.js';
import { clientLeft, isConnectFailure, UpstreamFailure, type BodyConsumer, type UpstreamBody, type UpstreamExchange } from './upstream-client.js';

export interface RetryPolicy {
  /** Attempts after the first. */
  maxRetries: number;
  /** The listener's `timeout`: the whole request, retries and waits included. */
  budgetMs: number;
}

/** The reference's Envoy route timeout when the listener sets none. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 5_000;

const policies = new WeakMap<Gateway, RetryPolicy>();

/** The model listener's retry policy (computed once per served configuration). */
export function retryPolicyOf(gateway: Gateway): RetryPolicy {
  let policy = policies.get(gateway);
  if (!policy) {
    const listener = modelListener(gateway);
    const retries = listener?.max_retries;
    policy = {
      maxRetries: typeof retries === 'number' && Number.isInteger(retries) && retries > 0 ? retries : 0,
      budgetMs: parseDurationMs(listener?.timeout) ?? DEFAULT_REQUEST_TIMEOUT_MS,
    };
    policies.set(gateway, policy);
  }
  return policy;
}

/** Statuses worth another attempt: rate limited, or the upstream's own failure. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** A failure before any response (a connect failure or a reset) that another attempt could get past. */
export function isRetryableFailure(failure: UpstreamFailure): boolean {
  return isConnectFailure(failure) && !failure.permanent;
}

export interface RetryContext {
  policy: RetryPolicy;
  gone: ClientGone;
  /** performance.now() when the request arrived: the budget runs from there. */
  startedAt: number;
  /** Told of each attempt that will be made again, and why. */
  onRetry(reason: string, waitMs: number): void;
  /** Told of each attempt as it starts (1, 2, …). */
  onAttempt(): void;
  /** Seams for the tests. */
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, gone: ClientGone) => Promise<void>;
}

/**
 * `attempt()` until it gives an answer worth keeping or the policy is spent. Resolves with the
 * answer to relay (possibly the last 429/5xx); rejects with the last UpstreamFailure.
 */
export function withRetries(attempt: () => Promise<UpstreamExchange>, context: RetryContext): Promise<UpstreamExchange> {
  context.onAttempt();
  if (context.policy.maxRetries === 0) return attempt();
  return retrying(attempt, context);
}

async function retrying(attempt: () => Promise<UpstreamExchange>, context: RetryContext): Promise<UpstreamExchange> {
  const { policy, gone } = context;
  const now = context.now ?? performance.now.bind(performance);
  const random = context.random ?? Math.random;
  const sleep = context.sleep ?? sleepUnlessGone;
  const deadline = context.startedAt + policy.budgetMs;
  for (let retry = 1; ; retry++) {
    const result = await attemptOnce(attempt, retry <= policy.maxRetries, gone);
    if ('answer' in result) return result.answer;
    const wait = result.askedWaitMs ?? backoffMs(retry, random);
    if (now() + wait >= deadline) return result.giveUp();
    result.discard();
    context.onRetry(result.reason, wait);
    await sleep(wait, gone);
    if (gone.aborted) throw clientLeft();
    context.onAttempt();
  }
}

/** One attempt: an answer to relay, or why another attempt is worth making and what to do if none is. */
type Attempted =
  | { answer: UpstreamExchange }
  | {
      reason: string;
      /** What the upstream asked for (retry-after); else the back-off decides. */
      askedWaitMs?: number;
      /** No more attempts: the answer the client gets (or the failure it is told of). */
      giveUp(): UpstreamExchange;
      /** Another attempt follows: let go of this one. */
      discard(): void;
    };

async function attemptOnce(attempt: () => Promise<UpstreamExchange>, mayRetry: boolean, gone: ClientGone): Promise<Attempted> {
  let exchange: UpstreamExchange;
  try {
    exchange = await attempt();
  } catch (error) {
    if (!mayRetry || !(error instanceof UpstreamFailure) || !isRetryableFailure(error)) throw error;
    return { reason: error.message, giveUp: () => { throw error; }, discard: () => {} };
  }
  if (!mayRetry) return { answer: exchange };
  if (isRetryableStatus(exchange.status)) {
    return {
      reason: `HTTP ${exchange.status}`,
      askedWaitMs: retryAfterMs(exchange.headers, Date.now()),
      giveUp: () => exchange,
      discard: () => exchange.body.destroy(),
    };
  }
  // A success whose body fails before its first byte was never seen by the client: that is a
  // reset too. Waiting for the first byte is only done while another attempt is possible.
  if (exchange.status >= 300) return { answer: exchange };
  const started = await firstChunk(exchange.body, gone);
  if (gone.aborted) throw clientLeft();
  if (!('error' in started)) return { answer: { ...exchange, body: started.body } };
  const failure = new UpstreamFailure('unreachable', "the upstream's response broke off before its first byte", { cause: started.error });
  return { reason: failure.message, giveUp: () => { throw failure; }, discard: () => {} };
}

/** Retry `n` (1, 2, …): a random point in the upper half of min(5 s, 0.5 s × 2^(n-1)). */
export function backoffMs(n: number, random: () => number): number {
  const step = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (n - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/**
 * What the upstream asks the client to wait: `retry-after-ms` (OpenAI's, milliseconds), else
 * `retry-after` in seconds or as an HTTP date (RFC 9110 §10.2.3). Undefined when neither says.
 */
export function retryAfterMs(headers: Record<string, string | string[] | undefined>, nowEpochMs: number): number | undefined {
  const ms = Number(single(headers['retry-after-ms']));
  if (single(headers['retry-after-ms']) !== undefined && Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const after = single(headers['retry-after'])?.trim();
  if (after === undefined || after === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Math.ceil(Number(after) * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowEpochMs);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sleepUnlessGone(ms: number, gone: ClientGone): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const stop = gone.onAbort(done);
    function done(): void {
      clearTimeout(timer);
      stop();
      resolve();
    }
  });
}

/**
 * Waits for a body's first chunk (or its end): then the body, replaying what came, for the relay;
 * or the error that came first, or the client leaving (the body is then abandoned).
 */
function firstChunk(body: UpstreamBody, gone: ClientGone): Promise<{ body: UpstreamBody } | { error: unknown }> {
  return new Promise((resolve) => {
    const replay = new ReplayingBody(body);
    let settled = false;
    let stopListening = (): void => {};
    const settle = (value: { body: UpstreamBody } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      stopListening();
      resolve(value);
    };
    body.read({
      data(chunk) {
        replay.data(chunk);
        settle({ body: replay });
      },
      end() {
        replay.end();
        settle({ body: replay });
      },
      error(error) {
        if (settled) replay.error(error);
        else settle({ error });
      },
    });
    if (settled) return;
    stopListening = gone.onAbort(() => {
      body.destroy();
      settle({ error: clientLeft() });
    });
  });
}

/** A body already being read: what arrived before its reader came is handed over first, then the rest as it comes. */
class ReplayingBody implements UpstreamBody, BodyConsumer {
  #consumer: BodyConsumer | undefined;
  #early: Array<{ chunk: Buffer } | { end: true } | { error: unknown }> = [];

  constructor(private readonly inner: UpstreamBody) {}

  data(chunk: Buffer): void {
    if (this.#consumer) this.#consumer.data(chunk);
    else this.#early.push({ chunk });
  }

  end(): void {
    if (this.#consumer) this.#consumer.end();
    else this.#early.push({ end: true });
  }

  error(error: unknown): void {
    if (this.#consumer) this.#consumer.error(error);
    else this.#early.push({ error });
  }

  read(consumer: BodyConsumer): void {
    this.#consumer = consumer;
    const early = this.#early;
    this.#early = [];
    for (const event of early) {
      if ('chunk' in event) consumer.data(event.chunk);
      else if ('end' in event) consumer.end();
      else consumer.error(event.error);
    }
  }

  pause(): void {
    this.inner.pause();
  }

  resume(): void {
    this.inner.resume();
  }

  destroy(): void {
    this.#consumer = undefined;
    this.#early = [];
    this.inner.destroy();
  }
}
