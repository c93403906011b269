/**
 * What routing needs from a config, read once: the preferences, the default model, the router
 * model and how long to wait for it, the conversation budget, session affinity limits and the
 * metrics sources. Pure: problems are returned as messages, never thrown or printed.
 */
import { parseDurationMs } from '../config/duration.js';
import type { MetricsSource, PlanoConfig } from '../config/types.js';
import { findProvider, HOSTED_ROUTER_MODEL, HOSTED_ROUTER_PROVIDER } from '../providers/registry.js';
import { upstreamEndpoints } from '../resolve/endpoints.js';
import { lookupModel } from '../resolve/lookup.js';
import type { Gateway, ResolvedModel } from '../resolve/types.js';
import { SessionCache, sessionCacheOptions, type SessionCacheOptions, type SessionStore } from './affinity.js';
import type { ModelMetrics } from './ranking.js';
import type { PinnedRoute, RoutingContext } from './router.js';
import { DEFAULT_ROUTER_CONTEXT_LENGTH } from './router-prompt.js';

/** How long a request waits for the router before the default model serves it. */
export const DEFAULT_ROUTER_TIMEOUT_MS = 5_000;

export interface RoutingSettings {
  preferences: PlanoConfig['routingPreferences'];
  /** The default model's name, or null when the config has none. */
  defaultModel: string | null;
  /** The router model as a target like any other; null when `llm_routing_model` names nothing usable. */
  router: ResolvedModel | null;
  /** Where the router came from, for messages: the configured name, or the hosted default. */
  routerSource: { kind: 'configured'; name: string } | { kind: 'hosted' };
  contextLength: number;
  timeoutMs: number;
  sessions: SessionCacheOptions;
  metricsSources: MetricsSource[];
  /** What is wrong with the routing settings, one sentence each (validate reports them with positions). */
  problems: string[];
}

export function routingSettings(config: PlanoConfig, gateway: Gateway): RoutingSettings {
  const problems: string[] = [];
  const overrides = config.overrides;

  const routerName = typeof overrides.llm_routing_model === 'string' ? overrides.llm_routing_model.trim() : '';
  let router: ResolvedModel | null;
  const hit = routerName !== '' ? lookupModel(gateway, routerName) : undefined;
  // `Plano-Orchestrator` that no entry serves is the hosted router (the schema's default value).
  const hosted = hit === undefined || (!hit.found && routerName === HOSTED_ROUTER_MODEL);
  if (hit && !hosted) {
    router = hit.found ? hit.model : null;
    if (!hit.found) {
      const hint = hit.suggestions.length > 0 ? ` (did you mean ${hit.suggestions.map((s) => `'${s}'`).join(' or ')}?)` : '';
      problems.push(`overrides.llm_routing_model '${routerName}' is not a configured model${hint}`);
    }
  } else {
    router = hostedRouter();
  }

  const contextLength = positiveInteger(overrides.orchestrator_model_context_length) ?? DEFAULT_ROUTER_CONTEXT_LENGTH;
  const timeout = overrides.llm_routing_timeout;
  let timeoutMs = DEFAULT_ROUTER_TIMEOUT_MS;
  if (timeout !== undefined) {
    const parsed = parseDurationMs(timeout);
    if (parsed === undefined) problems.push(`overrides.llm_routing_timeout ${JSON.stringify(timeout)} is not a duration such as "2s" or "500ms"`);
    else timeoutMs = parsed;
  }

  return {
    preferences: config.routingPreferences,
    defaultModel: gateway.defaultModel?.name ?? null,
    router,
    routerSource: hosted ? { kind: 'hosted' } : { kind: 'configured', name: routerName },
    contextLength,
    timeoutMs,
    sessions: sessionCacheOptions(config.routing),
    // A route preferring cheapest/fastest with no source for it is validate's finding
    // (selection-policy-without-metrics), printed with the other findings; a source that cannot
    // be reached is a run-time warning of loading the metrics (ranking.ts).
    metricsSources: config.metricsSources,
    problems,
  };
}

/** The hosted Plano-Orchestrator as a target: the `plano` row's endpoint, no auth. */
export function hostedRouter(): ResolvedModel | null {
  const provider = findProvider(HOSTED_ROUTER_PROVIDER);
  if (!provider) return null;
  const endpoints = upstreamEndpoints(provider, undefined, HOSTED_ROUTER_MODEL);
  if (!endpoints.ok) return null;
  const name = `${provider.id}/${HOSTED_ROUTER_MODEL}`;
  return {
    name,
    canonical: name,
    shortName: HOSTED_ROUTER_MODEL,
    provider,
    prefix: provider.id,
    interface: provider.id,
    model: HOSTED_ROUTER_MODEL,
    isDefault: false,
    fromWildcard: null,
    auth: { mode: 'none', env: null, set: false, style: provider.authStyle, secret: null },
    baseUrl: provider.defaultBaseUrl ?? '',
    endpoints: endpoints.endpoints,
    headers: {},
    pointer: '',
  };
}

function positiveInteger(value: unknown): number | undefined {
  return Number.isInteger(value) && (value as number) > 0 ? (value as number) : undefined;
}

export interface RoutingDependencies {
  /** Sends the router request (see `RoutingContext.callRouter`). */
  callRouter: RoutingContext['callRouter'];
  /** The current metrics for `cheapest` / `fastest`. */
  metrics?: () => ModelMetrics;
  /** The clock session pins expire by; `Date.now` unless a test supplies one. */
  now?: () => number;
  /** A shared session store (Redis) in place of this process's SessionCache. */
  sessions?: SessionStore<PinnedRoute>;
}

/**
 * Everything `decideRoute` needs for one config, with a fresh session cache. Models are ranked
 * by the name a preference lists them under, or by their canonical `provider/model`.
 */
export function createRoutingContext(settings: RoutingSettings, gateway: Gateway, deps: RoutingDependencies): RoutingContext {
  const router = settings.router;
  const problem = settings.problems.find((p) => p.startsWith('overrides.llm_routing_model'));
  return {
    preferences: settings.preferences,
    defaultModel: settings.defaultModel,
    routerModel: router?.model ?? HOSTED_ROUTER_MODEL,
    contextLength: settings.contextLength,
    timeoutMs: settings.timeoutMs,
    callRouter: router ? deps.callRouter : () => Promise.reject(new Error(problem ?? 'no router model is available')),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    metricKeys: (model) => {
      const hit = lookupModel(gateway, model);
      return hit.found && hit.model.canonical !== model ? [model, hit.model.canonical] : [model];
    },
    resolveModel: (name) => {
      const hit = lookupModel(gateway, name);
      return hit.found ? hit.model.name : undefined;
    },
    sessions: deps.sessions ?? new SessionCache<PinnedRoute>({ ...settings.sessions, ...(deps.now ? { now: deps.now } : {}) }),
  };
}
