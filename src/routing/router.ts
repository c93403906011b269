/**
 * The routing decision for one request: which preference it matches and which models, in
 * which order, should serve it. Transport to the router model is injected (`callRouter`), so
 * the server, `plano route` and tests each decide how the router is reached.
 *
 * Where this differs from the reference on purpose (issue 7): a request that names a model is
 * never rerouted; only one that names none (absent or empty `model`) is routed. A router that
 * fails, times out or answers nonsense never fails the request: the default model serves it
 * and the decision says why.
 */
import type { RoutingPreference } from '../config/types.js';
import type { ClientApi } from '../providers/types.js';
import type { JsonObject } from '../translate/types.js';
import type { SessionStore } from './affinity.js';
import { rankModels, NO_METRICS, type ModelMetrics } from './ranking.js';
import { parseRouterAnswer } from './router-answer.js';
import {
  conversationFromRequest,
  DEFAULT_ROUTER_CONTEXT_LENGTH,
  routerRequestBody,
  selectConversation,
  type RouterRequestBody,
} from './router-prompt.js';

/**
 * How the decision was reached. `explicit`: the request named a model. `router`: the router
 * model matched a route. `session`: an affinity id pinned earlier. `default`: anything else
 * (no preferences, no route matched, or the router failed — `reason` says which).
 */
export type DecisionSource = 'explicit' | 'router' | 'session' | 'default';

export interface RouteDecision {
  /** The matched preference's name; null when none matched (headers and text show `default`). */
  route: string | null;
  /** The candidates in the order they are tried; the first serves, the next on 429/5xx/connect failure. */
  models: string[];
  /** `models[0]`: the model that would serve; null when nothing can (no default model configured). */
  model: string | null;
  source: DecisionSource;
  /** Why the default model was chosen, or how the router's answer was read. */
  reason?: string;
  /** Anything else worth a log line: other routes the router named, ranking without data. */
  notes: string[];
  /** The `X-Model-Affinity` id the request carried. */
  sessionId?: string;
  /** True when the session's earlier decision was reused without asking the router. */
  pinned: boolean;
}

/** What a session remembers: the decision of its first routed request. */
export interface PinnedRoute {
  route: string | null;
  models: string[];
}

export interface RoutingContext {
  preferences: readonly RoutingPreference[];
  /** The default model's name; null when the config has none. */
  defaultModel: string | null;
  /** The `model` the router request names (the router endpoint's own id for it). */
  routerModel: string;
  /** `overrides.orchestrator_model_context_length`. */
  contextLength?: number;
  /** How long to wait for the router before the default model serves instead. */
  timeoutMs: number;
  /**
   * Sends the router request; resolves to the answer text (the reply's message content, null
   * when it has none) and rejects on any failure. Must stop when `signal` aborts.
   */
  callRouter: (body: RouterRequestBody, signal: AbortSignal) => Promise<string | null>;
  /** The metrics `cheapest` / `fastest` rank by, read at decision time (sources refresh). */
  metrics?: () => ModelMetrics;
  /** Names a model may appear under in a metrics catalogue (see `rankModels`). */
  metricKeys?: (model: string) => readonly string[];
  /** Session affinity; without it `X-Model-Affinity` is ignored. */
  sessions?: SessionStore<PinnedRoute>;
  /** The configured model a client's model name stands for (an alias, a short id); undefined when none. */
  resolveModel?: (name: string) => string | undefined;
}

export interface RoutingRequest {
  api: ClientApi;
  body: JsonObject;
  /** The `X-Model-Affinity` header's value. */
  sessionId?: string;
}

/** Thrown into `callRouter`'s race when the wait is over. */
class RouterTimeout extends Error {}

export async function decideRoute(request: RoutingRequest, ctx: RoutingContext): Promise<RouteDecision> {
  const sessionId = request.sessionId?.trim() || undefined;
  const session = sessionId ? { sessionId } : {};
  const requested = request.body.model;
  if (typeof requested === 'string' && requested.trim() !== '') {
    const resolved = ctx.resolveModel ? ctx.resolveModel(requested) : requested;
    const model = resolved ?? requested;
    return {
      route: null,
      models: [model],
      model,
      source: 'explicit',
      ...(resolved === undefined ? { reason: `'${requested}' is not a configured model` } : {}),
      notes: [],
      pinned: false,
      ...session,
    };
  }

  const fallback = (reason: string, notes: string[] = []): RouteDecision => ({
    route: null,
    models: ctx.defaultModel ? [ctx.defaultModel] : [],
    model: ctx.defaultModel,
    source: 'default',
    reason: ctx.defaultModel ? reason : `${reason}; no default model is configured`,
    notes,
    pinned: false,
    ...session,
  });
  if (ctx.preferences.length === 0) return fallback('no routing_preferences are configured');

  const pins = sessionId ? await readPin(ctx, sessionId) : undefined;
  const pinned = pins?.pinned;
  if (pinned) {
    return {
      route: pinned.route,
      models: [...pinned.models],
      model: pinned.models[0] ?? null,
      source: 'session',
      reason: `session ${JSON.stringify(sessionId)} is pinned to the model its first routed request was given`,
      notes: [],
      pinned: true,
      ...session,
    };
  }

  const conversation = conversationFromRequest(request.api, request.body);
  const contextLength = ctx.contextLength ?? DEFAULT_ROUTER_CONTEXT_LENGTH;
  if (selectConversation(conversation, contextLength).length === 0) {
    return fallback('the request has no user or assistant text to route on');
  }
  const body = routerRequestBody({ model: ctx.routerModel, preferences: ctx.preferences, conversation, contextLength });

  let answerText: string | null;
  try {
    answerText = await callWithTimeout(ctx, body);
  } catch (error) {
    return fallback(
      error instanceof RouterTimeout
        ? `the router did not answer within ${ctx.timeoutMs} ms`
        : `the router failed: ${(error as Error).message}`,
    );
  }

  const answer = parseRouterAnswer(answerText, ctx.preferences);
  if (answer.kind === 'nonsense') return fallback(answer.reason);

  let decision: RouteDecision;
  if (answer.kind === 'none') {
    decision = fallback(answer.reason);
  } else {
    const ranking = rankModels(
      answer.preference.models,
      answer.preference.selection_policy?.prefer,
      ctx.metrics?.() ?? NO_METRICS,
      ctx.metricKeys,
    );
    const notes = [
      ...(answer.otherRoutes.length > 0 ? [`the router also named ${answer.otherRoutes.join(', ')}; the first match wins`] : []),
      ...(answer.unknownRoutes.length > 0 ? [`unknown routes ignored: ${answer.unknownRoutes.join(', ')}`] : []),
      ...(ranking.note ? [ranking.note] : []),
    ];
    decision = {
      route: answer.preference.name,
      models: ranking.models,
      model: ranking.models[0] ?? ctx.defaultModel,
      source: 'router',
      reason: `the router matched route ${JSON.stringify(answer.preference.name)}`,
      notes,
      pinned: false,
      ...session,
    };
  }
  // Only a decision the router actually made is pinned: a failure should not stick for a whole session.
  if (sessionId && ctx.sessions) {
    try {
      await ctx.sessions.set(sessionId, { route: decision.route, models: decision.models });
    } catch (error) {
      decision.notes.push(`session ${JSON.stringify(sessionId)} could not be pinned: ${(error as Error).message}`);
    }
  }
  if (pins?.problem) decision.notes.push(pins.problem);
  return decision;
}

/** A session's pin, or why it could not be read (the request is then routed afresh). */
async function readPin(ctx: RoutingContext, sessionId: string): Promise<{ pinned?: PinnedRoute; problem?: string }> {
  try {
    const pinned = await ctx.sessions?.get(sessionId);
    return pinned ? { pinned } : {};
  } catch (error) {
    return { problem: `session ${JSON.stringify(sessionId)} could not be read: ${(error as Error).message}` };
  }
}

/**
 * After a fallback model served a session's request (the first one answered 429/5xx), the
 * session stays on the model that worked: it moves to the front of the pinned list.
 */
export async function recordServedModel(ctx: Pick<RoutingContext, 'sessions'>, decision: RouteDecision, served: string): Promise<void> {
  const sessions = ctx.sessions;
  const sessionId = decision.sessionId;
  if (!sessionId || !sessions || decision.source === 'explicit' || decision.models[0] === served) return;
  const pinned = await sessions.get(sessionId);
  if (!pinned) return;
  await sessions.replace(sessionId, { route: pinned.route, models: [served, ...pinned.models.filter((m) => m !== served)] });
}

/** What `x-plano-route` carries: the matched preference, or `default`. */
export function routeLabel(decision: RouteDecision): string {
  return decision.route ?? 'default';
}

async function callWithTimeout(ctx: RoutingContext, body: RouterRequestBody): Promise<string | null> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new RouterTimeout());
    }, ctx.timeoutMs);
  });
  try {
    // The race also bounds a `callRouter` that ignores its signal.
    return await Promise.race([ctx.callRouter(body, controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The decision as JSON, the same for `POST /routing/v1/…` and `plano route --format json`:
 * the reference's `models` / `route` / `pinned` / `session_id`, plus the model that would
 * serve, how it was chosen and why.
 */
export function decisionJson(decision: RouteDecision): Record<string, unknown> {
  return {
    route: decision.route,
    models: decision.models,
    model: decision.model,
    source: decision.source,
    ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
    notes: decision.notes,
    pinned: decision.pinned,
    ...(decision.sessionId !== undefined ? { session_id: decision.sessionId } : {}),
  };
}
