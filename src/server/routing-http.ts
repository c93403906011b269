/**
 * [routing, issue 7] The HTTP that routing does, for `plano up` and `plano route`:
 *   - the router request, sent to the router model with the same URL, credential and header
 *     rules as any upstream call (a configured router model is a configured model), through
 *     the server's undici client;
 *   - fetching `model_metrics_sources` (cost catalogues, Prometheus queries).
 *
 * The router request is a Chat Completions body. The router models themselves are served over
 * OpenAI chat completions (Ollama, vLLM, the hosted endpoint); any other chat model can route
 * too, its request and answer translated like a chat client's would be (an Anthropic model
 * through the Messages API).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'undici';
import type { PlanoConfig } from '../config/types.js';
import type { Gateway, ResolvedModel } from '../resolve/types.js';
import { loadModelMetrics, mergeMetrics, NO_METRICS, type ModelMetrics } from '../routing/ranking.js';
import type { SessionStore } from '../routing/affinity.js';
import type { PinnedRoute, RoutingContext } from '../routing/router.js';
import { createRoutingContext, routingSettings, type RoutingSettings } from '../routing/settings.js';
import { chatCompletionAnswer } from '../routing/router-answer.js';
import type { RouterRequestBody } from '../routing/router-prompt.js';
import { findTranslation } from '../translate/index.js';
import { isObject } from '../translate/json-fields.js';
import { upstreamErrorInit } from '../translate/upstream-errors.js';
import { classifyUpstreamError, readSmallAnswer, type UpstreamClient } from './upstream-client.js';
import { planUpstreamCall } from './upstream-plan.js';

/** A router answer is a few tokens; anything much larger is not one. */
const MAX_ROUTER_RESPONSE_BYTES = 1 << 20;

/** How much of a non-JSON error body to quote. */
const QUOTED_ERROR_CHARS = 200;

export type RouterCall = (body: RouterRequestBody, signal: AbortSignal, clientHeaders?: IncomingHttpHeaders) => Promise<string | null>;

/**
 * A `callRouter` for `decideRoute`: resolves to the answer text, rejects with a one-line reason
 * when the router cannot be reached, refuses, or answers something that is not a completion.
 * `clientHeaders` supply the key when the router model uses passthrough_auth.
 */
export function routerCall(target: ResolvedModel, client: UpstreamClient, env: Readonly<Record<string, string | undefined>>): RouterCall {
  return async (body, signal, clientHeaders = {}) => {
    // The router's own request: no client headers go along; a passthrough router reads the client's key.
    const planned = planUpstreamCall({
      target,
      api: 'chat_completions',
      body: { ...body },
      stream: false,
      clientModel: target.name,
      clientHeaders: {},
      credentialHeaders: clientHeaders,
      env,
      findTranslation,
    });
    if (!planned.ok) throw new Error(`router model '${target.name}': ${planned.error.message}`);
    const { translation, context: ctx } = planned.plan;
    const response = await client.send({ origin: planned.plan.origin, path: planned.plan.path, headers: planned.plan.headers, body: planned.plan.body, signal });
    const text = await readSmallAnswer(response, MAX_ROUTER_RESPONSE_BYTES, signal, "the router model's answer");
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      payload = undefined;
    }
    if (response.status < 200 || response.status > 299) {
      const message = upstreamErrorInit(payload, response.status)?.message ?? oneLine(text);
      throw new Error(`the router model answered HTTP ${response.status}${message ? `: ${message}` : ''}`);
    }
    if (payload === undefined) throw new Error(`the router model's answer is not JSON: ${oneLine(text) || '(empty body)'}`);
    return chatCompletionAnswer(translation && isObject(payload) ? translation.response(payload, ctx) : payload);
  };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTED_ERROR_CHARS ? `${flat.slice(0, QUOTED_ERROR_CHARS)}…` : flat;
}

/** A metrics source gets this long to answer; routing does not wait on a slow catalogue. */
const METRICS_FETCH_TIMEOUT_MS = 5_000;

/** GET a metrics document as JSON (`loadModelMetrics`' fetcher); rejects with a one-line reason. */
export async function fetchMetricsJson(url: string): Promise<unknown> {
  const response = await request(url, {
    method: 'GET',
    headers: { accept: 'application/json' },
    headersTimeout: METRICS_FETCH_TIMEOUT_MS,
    bodyTimeout: METRICS_FETCH_TIMEOUT_MS,
  }).catch((error: unknown) => {
    throw classifyUpstreamError(error, new URL(url).origin);
  });
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode > 299) throw new Error(`HTTP ${response.statusCode}: ${oneLine(text)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`not JSON: ${oneLine(text) || '(empty body)'}`);
  }
}

export interface PreparedRouting {
  settings: RoutingSettings;
  context: RoutingContext;
  /** The router call itself, for a per-request `callRouter` that passes the client's headers. */
  call: RouterCall | undefined;
  /** Startup warnings: unreachable metrics sources, routing settings that cannot be used. */
  warnings: string[];
  /** What the metrics sources answered last (a cost source also prices the live view's calls). */
  metrics(): ModelMetrics;
  /** Stops refreshing the metrics sources. */
  close(): void;
}

export interface PrepareRoutingOptions {
  client: UpstreamClient;
  env: Readonly<Record<string, string | undefined>>;
  /** Overrides `overrides.llm_routing_timeout`. */
  timeoutMs?: number;
  now?: () => number;
  /** False when no decision will rank (a request that names a model): the sources are not fetched. */
  fetchMetrics?: boolean;
  /**
   * Refetch the sources every `refresh_interval` seconds (the shortest one configured), for a
   * long-running gateway; what a refresh could not fetch is passed here and the last good data kept.
   */
  onRefreshWarning?: (warning: string) => void;
  /** Where session pins are kept when not in this process's memory (`routing.session_cache: {type: redis}`). */
  sessions?: SessionStore<PinnedRoute>;
}

/**
 * Routing for one config, ready to decide: settings read, metrics sources fetched once (those
 * that fail are warnings and their routes keep declared order), the router reached through
 * `client`.
 */
export async function prepareRouting(config: PlanoConfig, gateway: Gateway, options: PrepareRoutingOptions): Promise<PreparedRouting> {
  const settings = routingSettings(config, gateway);
  if (options.timeoutMs !== undefined) settings.timeoutMs = options.timeoutMs;
  const warnings = [...settings.problems];
  let metrics: ModelMetrics = NO_METRICS;
  let timer: NodeJS.Timeout | undefined;
  const sources = settings.metricsSources;
  // Fetched for routes that rank, and for a cost source alone: the live view prices calls with it.
  const used = settings.preferences.length > 0 || sources.some((source) => source.type === 'cost');
  if (options.fetchMetrics !== false && used && sources.length > 0) {
    const loaded = await loadModelMetrics(sources, fetchMetricsJson);
    metrics = loaded.metrics;
    warnings.push(...loaded.warnings);
    const intervals = sources.flatMap((s) => (s.refreshIntervalSeconds ? [s.refreshIntervalSeconds] : []));
    const onRefreshWarning = options.onRefreshWarning;
    if (onRefreshWarning && intervals.length > 0) {
      timer = setInterval(() => {
        void loadModelMetrics(sources, fetchMetricsJson).then((fresh) => {
          metrics = mergeMetrics(metrics, fresh.metrics);
          for (const warning of fresh.warnings) onRefreshWarning(warning);
        });
      }, Math.min(...intervals) * 1000);
      // A refresh timer never keeps the process alive on its own.
      timer.unref();
    }
  }
  const call = settings.router ? routerCall(settings.router, options.client, options.env) : undefined;
  const context = createRoutingContext(settings, gateway, {
    callRouter: (body, signal) => (call ? call(body, signal) : Promise.reject(new Error('no router model'))),
    metrics: () => metrics,
    ...(options.now ? { now: options.now } : {}),
    ...(options.sessions ? { sessions: options.sessions } : {}),
  });
  return { settings, context, call, warnings, metrics: () => metrics, close: () => clearInterval(timer) };
}
