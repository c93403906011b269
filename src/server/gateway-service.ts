/**
 * A running gateway, the process lifecycle of `plano up` without the CLI: for one served
 * configuration at a time, the upstream client (timeouts, proxy, CA bundle), preference routing,
 * the app and its listener — started, given a new configuration (`reload`, for --watch), and
 * stopped gracefully. It prints nothing and never exits: problems come back as values, warnings
 * as strings or through `onWarning`; the CLI decides what to say.
 */
import { parseDurationMs } from '../config/duration.js';
import { modelListener } from '../config/normalize.js';
import type { PlanoConfig } from '../config/types.js';
import type { Gateway } from '../resolve/types.js';
import type { AccessLogEntry } from './access-log.js';
import { createGatewayApp } from './app.js';
import { CallLog } from './call-log.js';
import { loadCallPricer } from './call-prices.js';
import { isLoopbackAddress, LIVE_VIEW_PATH, mountLiveView, mountLiveViewRefusal, type LiveView } from './live-view.js';
import { createMemoryStore, type ConversationStore } from './conversation-store.js';
import { sessionCacheOptions, type SessionStore } from '../routing/affinity.js';
import type { PinnedRoute } from '../routing/router.js';
import { memoryTokenCounts, RateLimiter, rateLimitRules, type TokenCounts } from './rate-limits.js';
import { openTracing, type ExportTarget } from './tracing.js';
import { listenGateway, type RunningGateway } from './listen.js';
import { createGatewayRouting, type GatewayRouting } from './routing.js';
import { prepareRouting, type PreparedRouting } from './routing-http.js';
import { createUpstreamClient, type UpstreamTimeouts } from './upstream-client.js';
import { loadUpstreamNetwork, type UpstreamNetwork } from './upstream-network.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A checked config and the gateway resolved from it: what can be served. */
export interface Servable {
  config: PlanoConfig;
  gateway: Gateway;
}

export interface GatewayServiceOptions {
  servable: Servable;
  host: string;
  /** 0 picks a free port. */
  port: number;
  env: Env;
  /** The config file's folder: a relative path in the config (the CA bundle) is read from it. */
  configDir: string;
  log: (entry: AccessLogEntry) => void;
  /** Warnings that arise while serving (a metrics source that could not be refreshed). */
  onWarning: (warning: string) => void;
  /** [ratelimits] Where token counts live: this process's memory by default; the primary's with --workers. */
  tokenCounts?: TokenCounts;
  /**
   * The live view (live-view.ts): the calls kept in memory and served at /_plano/ when the host
   * is a loopback address or `public`; `inspect` keeps their bodies. Absent: none.
   */
  liveView?: { inspect: boolean; public: boolean };
}

/** Where the live view is, or why it is not served. */
export type LiveViewState = { served: true; url: string; inspect: boolean; public: boolean } | { served: false; reason: string };

/**
 * Why a gateway did not start: its CA bundle or its state storage cannot be used, or it cannot
 * listen (`code`: EADDRINUSE, EACCES …).
 */
export type StartProblem = { kind: 'network' | 'state'; message: string; hint: string } | { kind: 'listen'; code: string | undefined; message: string };

export type StartResult = { ok: true; service: GatewayService; warnings: string[] } | { ok: false; problem: StartProblem };

export interface GatewayService {
  /** The URL clients use. */
  readonly url: string;
  readonly port: number;
  readonly network: UpstreamNetwork;
  /** [tracing] Where spans go, when they go anywhere. */
  readonly tracing: ExportTarget | undefined;
  /** [state_storage] Which store keeps conversations (`memory`, `postgres`), when one does. */
  readonly conversations: string | undefined;
  /** The live view, when one was asked for. */
  readonly liveView: LiveViewState | undefined;
  /** The configuration served now. */
  current(): Servable;
  routing(): PreparedRouting;
  /**
   * Serves `next` from the next request on (requests in flight finish on the configuration they
   * started with). Resolves with its routing's warnings; rejects, keeping the configuration in
   * service, when its routing cannot be prepared.
   */
  reload(next: Servable): Promise<string[]>;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then closes everything; resolves with how many were cut off. */
  stop(graceMs: number): Promise<number>;
  /** During `stop`: cut off what is still running now. */
  cutOff(): void;
  inFlight(): number;
}

export async function startGateway(options: GatewayServiceOptions): Promise<StartResult> {
  const { env } = options;
  let current = options.servable;
  // The price table (a 0.8 MB module) loads while the rest starts.
  const pricing = options.liveView ? loadCallPricer() : undefined;
  const network = await loadUpstreamNetwork(current.config.overrides, env, options.configDir);
  if (!network.ok) return { ok: false, problem: { kind: 'network', message: network.message, hint: network.hint } };
  // [state_storage] Kept for the process's life: a reload keeps the conversations (a changed
  // state_storage takes a restart).
  const opened = await conversationStoreFor(current.config);
  if (!opened.ok) return { ok: false, problem: { kind: 'state', message: opened.message, hint: opened.hint } };
  const conversations = opened.store;
  const shared = await sharedSessionsFor(current.config);
  if (!shared.ok) {
    await conversations?.close();
    return { ok: false, problem: { kind: 'state', message: shared.message, hint: shared.hint } };
  }
  const upstream = createUpstreamClient(upstreamTimeouts(current.config), network.network);
  // [tracing] Loaded only when the config has a tracing section with somewhere to send spans.
  const { tracing, warnings: tracingWarnings } = await openTracing(current.config, env);

  // [routing, issue 7] Preference routing for the config being served, its router model reached
  // through the same upstream client; rebuilt with the gateway on reloads.
  const startRouting = async (servable: Servable): Promise<{ prepared: PreparedRouting; routing: GatewayRouting }> => {
    const prepared = await prepareRouting(servable.config, servable.gateway, {
      client: upstream,
      env,
      onRefreshWarning: options.onWarning,
      ...(shared.store ? { sessions: shared.store } : {}),
    });
    return { prepared, routing: createGatewayRouting(prepared) };
  };
  let routing = await startRouting(current);
  // [ratelimits] Rebuilt from each configuration served, on counts kept for the process's life.
  const tokenCounts = options.tokenCounts ?? memoryTokenCounts();
  const limitsFor = (config: PlanoConfig): { limiter: RateLimiter; warnings: string[] } => {
    const { rules, warnings } = rateLimitRules(config);
    return { limiter: new RateLimiter(rules, tokenCounts), warnings };
  };
  let limits = limitsFor(current.config);
  // [live view] Every completed request is logged, and the model calls kept for the page. A cost
  // source in the config (model_metrics_sources) prices first; its latest answer is read per call.
  const price = pricing ? await pricing : undefined;
  const calls = price
    ? new CallLog({
        price: (entry) =>
          entry.model === null || entry.provider === null || entry.upstreamModel === null || entry.usage === null
            ? null
            : price({ model: entry.model, provider: entry.provider, upstreamModel: entry.upstreamModel, usage: entry.usage }, routing.prepared.metrics().prices),
      })
    : undefined;
  const log = calls
    ? (entry: AccessLogEntry): void => {
        options.log(entry);
        calls.add(entry);
      }
    : options.log;
  const app = createGatewayApp({
    gateway: () => current.gateway,
    env,
    upstream,
    log,
    ...(options.liveView?.inspect ? { inspect: true } : {}),
    routing: () => routing.routing,
    rateLimits: () => limits.limiter,
    ...(conversations ? { conversations } : {}),
    ...(tracing ? { tracing } : {}),
  });

  let liveView: LiveView | undefined;
  let liveViewState: LiveViewState | undefined;
  if (calls && options.liveView) {
    if (options.liveView.public || isLoopbackAddress(options.host)) {
      liveView = mountLiveView(app, { calls, public: options.liveView.public });
    } else {
      mountLiveViewRefusal(app, options.host);
      liveViewState = { served: false, reason: `the gateway listens on ${options.host}, not a loopback address (--live-view-public serves it there)` };
    }
  }

  let running: RunningGateway;
  try {
    running = await listenGateway(app, { host: options.host, port: options.port });
  } catch (error) {
    routing.prepared.close();
    await Promise.all([upstream.close(), conversations?.close(), shared.close(), tracing?.close()]);
    return { ok: false, problem: { kind: 'listen', code: (error as NodeJS.ErrnoException).code, message: (error as Error).message } };
  }

  const service: GatewayService = {
    url: running.url,
    port: running.port,
    network: network.network,
    tracing: tracing?.target,
    conversations: conversations?.kind,
    liveView: liveView && options.liveView ? { served: true, url: `${running.url}${LIVE_VIEW_PATH}`, ...options.liveView } : liveViewState,
    current: () => current,
    routing: () => routing.prepared,
    async reload(next) {
      const nextRouting = await startRouting(next);
      routing.prepared.close();
      routing = nextRouting;
      limits = limitsFor(next.config);
      current = next;
      return [...nextRouting.prepared.warnings, ...limits.warnings];
    },
    async stop(graceMs) {
      // Open live-view streams never end on their own: they would hold the stop for its whole grace.
      liveView?.close();
      const cutOff = await running.stop(graceMs);
      routing.prepared.close();
      // Spans still batched are exported before the process goes.
      await Promise.all([upstream.close(), conversations?.close(), shared.close(), tracing?.close()]);
      return cutOff;
    },
    cutOff: () => running.cutOff(),
    inFlight: () => running.inFlight(),
  };
  return { ok: true, service, warnings: [...routing.prepared.warnings, ...limits.warnings, ...shared.warnings, ...tracingWarnings] };
}

/** The store `state_storage` asks for (none without one), opened; or why it cannot be used. */
async function conversationStoreFor(config: PlanoConfig): Promise<{ ok: true; store: ConversationStore | undefined } | { ok: false; message: string; hint: string }> {
  const storage = config.raw['state_storage'];
  if (typeof storage !== 'object' || storage === null) return { ok: true, store: undefined };
  const { type, connection_string: connectionString } = storage as { type?: unknown; connection_string?: unknown };
  if (type === 'memory') return { ok: true, store: createMemoryStore() };
  if (type === 'postgres' && typeof connectionString === 'string') {
    const { openPostgresStore } = await import('./postgres-store.js');
    return openPostgresStore(connectionString);
  }
  return { ok: true, store: undefined };
}

/**
 * [routing] The session store `routing.session_cache: {type: redis, url}` asks for, opened (kept
 * for the process's life, as the conversations are); none for memory, which each routing context
 * keeps itself.
 */
async function sharedSessionsFor(
  config: PlanoConfig,
): Promise<{ ok: true; store: SessionStore<PinnedRoute> | undefined; close(): Promise<void>; warnings: string[] } | { ok: false; message: string; hint: string }> {
  const cache = config.routing['session_cache'];
  const { type, url, tenant_header: tenantHeader } = (typeof cache === 'object' && cache !== null ? cache : {}) as { type?: unknown; url?: unknown; tenant_header?: unknown };
  const warnings =
    typeof tenantHeader === 'string'
      ? [`routing.session_cache.tenant_header (${tenantHeader}) is not applied by plano up: sessions are not scoped by tenant`]
      : [];
  if (type !== 'redis' || typeof url !== 'string') return { ok: true, store: undefined, close: async () => {}, warnings };
  const { openRedisSessions } = await import('./redis-sessions.js');
  const opened = await openRedisSessions<PinnedRoute>(url, sessionCacheOptions(config.routing).ttlMs);
  return opened.ok ? { ok: true, store: opened.store, close: opened.close, warnings } : opened;
}


/**
 * The timeouts the config sets: the listener's `timeout` bounds the wait for headers and each
 * pause in a stream, `overrides.upstream_connect_timeout` the connect; the upstream client has
 * the defaults for what it leaves unset. (Read at start: a reload keeps the client.)
 */
function upstreamTimeouts(config: PlanoConfig): Partial<UpstreamTimeouts> {
  const request = parseDurationMs(modelListener(config)?.timeout);
  return {
    connectMs: parseDurationMs(config.overrides.upstream_connect_timeout),
    headersMs: request,
    bodyIdleMs: request,
  };
}
