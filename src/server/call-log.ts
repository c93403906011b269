/**
 * The live view's memory: the last model calls the gateway served (a ring of `capacity`), totals
 * per model since start, and what --inspect kept of the newest calls (a smaller ring: bodies
 * weigh). Listeners hear each call as it completes. Built from the access-log entry — which holds
 * no header or body — plus the inspection, which is redacted when made (call-inspection.ts).
 */
import { redactUrlCached } from '../config/secret-values.js';
import type { ClientApi } from '../providers/types.js';
import { round, type AccessLogEntry } from './access-log.js';
import type { CallInspection } from './call-inspection.js';
import type { CallCost } from './call-prices.js';

export interface CallRecord {
  /** 1, 2, 3 … in the order calls completed. */
  id: number;
  /** Epoch ms when the request arrived. */
  time: number;
  api: ClientApi;
  /** The route it came to (`/v1/embeddings` is served through the chat completions API's pipeline). */
  path: string;
  /** The model the client named (null: none, routed or the default). */
  requested: string | null;
  /** The configured model that served it, its provider, the id sent upstream and where (credentials cut). */
  model: string | null;
  provider: string | null;
  upstreamModel: string | null;
  upstreamUrl: string | null;
  stream: boolean;
  status: number;
  ttfbMs: number | null;
  totalMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  /** US dollars; null while not known (no price for the model, or no tokens reported). */
  costUsd: number | null;
  costSource: CallCost['source'] | null;
  attempts: number;
  route: string | null;
  /** Why it went where it went: routing notes, retries, translation notes. */
  why: string[];
  error: string | null;
  /** Whether `GET /_plano/api/calls/{id}` has its bodies (--inspect, and still among the newest kept). */
  inspected: boolean;
}

export interface ModelTotals {
  /** The model that served; `(not served)` gathers the calls no model answered (unknown model, refused). */
  model: string;
  provider: string | null;
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** Over the calls with a known price; `unpricedCalls` says how many had none. */
  costUsd: number;
  unpricedCalls: number;
  totalMs: number;
}

export type CallLogEvent = { call: CallRecord; totals: ModelTotals };

export interface CallLogOptions {
  /** How many calls are kept (default 500). */
  capacity?: number;
  /** How many calls keep their inspection (default 50). */
  inspectedCapacity?: number;
  /** Prices a call from its entry; absent (or null answers): costs unknown. */
  price?: (entry: AccessLogEntry) => CallCost | null;
}

export class CallLog {
  readonly #capacity: number;
  readonly #inspectedCapacity: number;
  readonly #price: ((entry: AccessLogEntry) => CallCost | null) | undefined;
  #calls: CallRecord[] = [];
  #inspections = new Map<number, CallInspection>();
  #totals = new Map<string, ModelTotals>();
  #listeners = new Set<(event: CallLogEvent) => void>();
  #nextId = 1;

  constructor(options: CallLogOptions = {}) {
    this.#capacity = options.capacity ?? 500;
    this.#inspectedCapacity = options.inspectedCapacity ?? 50;
    this.#price = options.price;
  }

  /** Records a completed request; entries that are not model calls (`/healthz`, `/v1/models`) are not kept. */
  add(entry: AccessLogEntry): CallRecord | undefined {
    if (entry.api === null) return undefined;
    const cost = entry.usage && this.#price ? this.#price(entry) : null;
    const call: CallRecord = {
      id: this.#nextId++,
      time: entry.time,
      api: entry.api,
      path: entry.path,
      requested: entry.requested ?? null,
      model: entry.model,
      provider: entry.provider,
      upstreamModel: entry.upstreamModel,
      upstreamUrl: entry.upstreamUrl === null ? null : redactUrlCached(entry.upstreamUrl),
      stream: entry.stream,
      status: entry.status,
      ttfbMs: entry.ttfbMs === null ? null : round(entry.ttfbMs),
      totalMs: round(entry.totalMs),
      inputTokens: entry.usage?.input_tokens ?? null,
      outputTokens: entry.usage?.output_tokens ?? null,
      costUsd: cost?.usd ?? null,
      costSource: cost?.source ?? null,
      attempts: entry.attempts,
      route: entry.route,
      why: [...entry.routingNotes, ...entry.retries, ...entry.notes],
      error: entry.error,
      inspected: entry.inspection !== undefined,
    };
    this.#calls.push(call);
    if (this.#calls.length > this.#capacity) this.#calls.splice(0, this.#calls.length - this.#capacity);
    if (entry.inspection) {
      this.#inspections.set(call.id, entry.inspection);
      if (this.#inspections.size > this.#inspectedCapacity) {
        const oldest = this.#inspections.keys().next().value as number;
        this.#inspections.delete(oldest);
        const evicted = this.#calls.find((c) => c.id === oldest);
        if (evicted) evicted.inspected = false;
      }
    }
    const totals = this.#count(call);
    if (this.#listeners.size > 0) {
      const event = { call, totals: { ...totals } };
      for (const listener of this.#listeners) listener(event);
    }
    return call;
  }

  /** The calls kept, oldest first. */
  recent(): readonly CallRecord[] {
    return this.#calls;
  }

  totals(): ModelTotals[] {
    return [...this.#totals.values()].map((totals) => ({ ...totals }));
  }

  find(id: number): { call: CallRecord; inspection: CallInspection | undefined } | undefined {
    const call = this.#calls.find((c) => c.id === id);
    return call ? { call, inspection: this.#inspections.get(id) } : undefined;
  }

  /** Hears every call from now on; returns the way to stop. */
  subscribe(listener: (event: CallLogEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #count(call: CallRecord): ModelTotals {
    // Keyed by what served, never by what a client asked for: clients could name models without end.
    const key = call.model ?? NOT_SERVED;
    let totals = this.#totals.get(key);
    if (!totals) {
      totals = { model: key, provider: call.provider, calls: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedCalls: 0, totalMs: 0 };
      this.#totals.set(key, totals);
    }
    totals.calls++;
    if (call.status >= 400 || call.error !== null) totals.errors++;
    totals.inputTokens += call.inputTokens ?? 0;
    totals.outputTokens += call.outputTokens ?? 0;
    if (call.costUsd === null) totals.unpricedCalls++;
    else totals.costUsd += call.costUsd;
    totals.totalMs += call.totalMs;
    return totals;
  }
}

const NOT_SERVED = '(not served)';
