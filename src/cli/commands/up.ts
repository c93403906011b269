/**
 * `plano up [file]`: serve the config as a local LLM gateway — POST /v1/chat/completions,
 * /v1/messages and /v1/responses, GET /v1/models and /healthz — on the model listener's port.
 *
 * Startup prints the URL and the model table to stdout, then nothing more goes there: warnings,
 * reload notices and the access log (one line per request) go to stderr. A config with errors is
 * reported as `validate` reports it, exit 1. An `access_key` variable that is not set is a
 * warning here, not an error: the gateway starts, and requests to that model get a 401 naming
 * the variable (set it and start plano again: a process's environment is fixed once it runs).
 *
 * SIGINT / SIGTERM: stop accepting connections, let in-flight requests and streams finish for up
 * to `--shutdown-timeout`, then exit 0; a second signal cuts them off at once.
 *
 * `--workers N` (N > 1) serves from N processes (node:cluster) sharing the port, to use more
 * cores. The primary process supervises: it reads the config file — at startup and on --watch
 * changes — and hands its text to the workers as messages (a worker never reads the file, so
 * none can catch a save half-written), forwards SIGINT/SIGTERM, replaces a worker that dies
 * while serving (starting it from the config the others serve), and exits when they have all
 * stopped (with the first failing worker's exit code). One worker prints the startup output,
 * findings and notices; every worker writes its own access-log lines.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Worker } from 'node:cluster';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { CheckResult } from '../../config/check.js';
import type { ListenerEntry, PlanoConfig } from '../../config/types.js';
import type { Gateway } from '../../resolve/types.js';
import { formatAccessLog, type AccessLogEntry, type AccessLogFormat } from '../../server/access-log.js';
import { parseDurationMs } from '../../config/duration.js';
import type { PreparedRouting } from '../../server/routing-http.js';
import type { UpstreamTimeouts } from '../../server/upstream-client.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from '../exit.js';
import { useColor, type CliIo, type OutputStream } from '../io.js';
import { watchFile } from '../watch-file.js';
import type { CommandModule } from './index.js';

export interface UpOptions {
  port?: number;
  host?: string;
  watch?: boolean;
  logFormat?: AccessLogFormat;
  shutdownTimeout?: string;
  workers?: number;
}

/** How the command learns it should stop: calls `stop` on each request to (SIGINT, SIGTERM); returns an unsubscribe. */
export type StopTrigger = (stop: () => void) => () => void;

const DEFAULT_PORT = 12000;
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_SHUTDOWN_TIMEOUT = '10s';
const MAX_WORKERS = 64;

export const upCommand: CommandModule = {
  register(program: Command, io: CliIo, setExitCode: (code: number) => void) {
    program
      .command('up')
      .description('serve the config as a local OpenAI- and Anthropic-compatible LLM gateway')
      .argument('[file]', 'config file or directory (default: plano_config.yaml, else config.yaml)')
      .option('-p, --port <port>', `port to listen on (default: the model listener's port, else ${DEFAULT_PORT}; 0 picks a free port)`, parsePort)
      .option('--host <address>', `address to bind (default: the model listener's address, else ${DEFAULT_HOST})`)
      .option('-w, --watch', 'reload the config when the file changes (a config with errors is reported and the running one kept)')
      .addOption(new Option('--log-format <format>', 'access log format (stderr)').choices(['text', 'json']).default('text'))
      .option('--shutdown-timeout <duration>', 'on SIGINT/SIGTERM, how long in-flight requests may take to finish', DEFAULT_SHUTDOWN_TIMEOUT)
      .option('--workers <n>', 'serve from N processes sharing the port (node:cluster), to use more cores', parseWorkers, 1)
      .addHelpText(
        'after',
        '\nThen point any OpenAI or Anthropic client at it:\n' +
          '  curl http://127.0.0.1:12000/v1/chat/completions -H "content-type: application/json" \\\n' +
          '    -d \'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}\'\n' +
          '  OpenAI SDK:     new OpenAI({ baseURL: "http://127.0.0.1:12000/v1", apiKey: "unused" })\n' +
          '  Anthropic SDK:  new Anthropic({ baseURL: "http://127.0.0.1:12000", apiKey: "unused" })',
      )
      .action(async (file: string | undefined, options: UpOptions) => {
        setExitCode(await upAction(file, options, io));
      });
  },
};

async function upAction(file: string | undefined, options: UpOptions, io: CliIo): Promise<number> {
  const { default: cluster } = await import('node:cluster');
  if (cluster.isWorker) return runUpWorker(options, io);
  if ((options.workers ?? 1) > 1) return runUpPrimary(file, options, io, processSignals);
  return runUp(file, options, io, processSignals);
}

/** `plano up` in this process alone. */
export function runUp(arg: string | undefined, options: UpOptions, io: CliIo, onStop: StopTrigger): Promise<number> {
  return serve(options, io, {
    onStop,
    config: () => readConfigFile(arg, io),
    watchConfig: (file, apply) => watchConfigFile(io, file, async (text) => void (await apply(text))),
    announce: true,
    speak: true,
    workers: 1,
  });
}

/** A config file as the user named it, and its text. */
interface ConfigSource {
  file: string;
  text: string;
}

/** How one serving process fits in: alone, or one of the `--workers` processes. */
interface ServeRole {
  /** When to stop: SIGINT/SIGTERM when alone, the primary's messages in a worker. */
  onStop: StopTrigger;
  /** The config to serve: read from the file when alone, the primary's copy in a worker. Undefined: told to stop before one came. */
  config: () => Promise<ConfigSource | undefined>;
  /**
   * (--watch) Calls `apply` with each new text of the config — from the file when alone, from
   * the primary in a worker — one call at a time; `apply` resolves whether that text is now
   * served (false: it had errors, which `apply` has reported). Returns a function that stops.
   */
  watchConfig: (file: string, apply: (text: string) => Promise<boolean>) => () => void;
  /** Print the startup output (URL, model table). */
  announce: boolean;
  /** Print findings, warnings and notices (one worker of a cluster does, the others stay quiet). */
  speak: boolean;
  workers: number;
}

const SILENT: OutputStream = { write: () => true };

async function serve(options: UpOptions, io: CliIo, role: ServeRole): Promise<number> {
  tuneHeapForServing(role.workers);
  // Findings, warnings and notices go to `talk`; the access log always goes to stderr.
  // process.env answers each read through a C++ interceptor (~1–2 µs, on every request for its
  // key variable); nothing outside this process can change its environment, so a copy taken now
  // says the same, at the cost of a property read.
  const env = { ...io.env };
  const talk: CliIo = role.speak ? { ...io, env } : { ...io, env, stdout: SILENT, stderr: SILENT };
  const [
    { createGatewayApp },
    { listenGateway },
    { createUpstreamClient },
    { renderModelTable },
    { prepareRouting },
    { createGatewayRouting },
  ] = await Promise.all([
    import('../../server/app.js'),
    import('../../server/listen.js'),
    import('../../server/upstream-client.js'),
    import('../render/model-table.js'),
    import('../../server/routing-http.js'),
    import('../../server/routing.js'),
  ]);
  const graceMs = parseDurationMs(options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT);
  if (graceMs === undefined) throw new CliError(`--shutdown-timeout ${options.shutdownTimeout} is not a duration`, 'Write it like 10s, 500ms or 1m.');

  const source = await role.config();
  if (source === undefined) return EXIT_OK;
  const { file } = source;
  const loaded = await loadForServing(source.text, file, talk);
  if (!loaded) return EXIT_FINDINGS;
  let current = loaded.gateway;

  const listener = modelListener(loaded.config);
  const host = options.host ?? listener?.address ?? DEFAULT_HOST;
  const port = options.port ?? listener?.port ?? DEFAULT_PORT;
  const upstream = createUpstreamClient(upstreamTimeouts(loaded.config));
  const log = accessLogWriter(io.stderr, options.logFormat ?? 'text');
  // [routing, issue 7] Preference routing for the config being served, its router model reached
  // through the same upstream client; rebuilt with the gateway on --watch reloads.
  const warn = (warning: string): void => void talk.stderr.write(`plano: warning: ${warning}\n`);
  const startRouting = async (servable: Servable) => {
    const prepared = await prepareRouting(servable.config, servable.gateway, { client: upstream, env, onRefreshWarning: warn });
    prepared.warnings.forEach(warn);
    return { prepared, routing: createGatewayRouting(prepared) };
  };
  let routing = await startRouting(loaded);
  const app = createGatewayApp({ gateway: () => current, env, upstream, log: log.write, routing: () => routing.routing });

  let running;
  try {
    running = await listenGateway(app, { host, port });
  } catch (error) {
    await upstream.close();
    throw listenError(error, host, port);
  }

  if (role.announce) {
    io.stdout.write(
      `plano gateway for ${file} listening on ${running.url}\n` +
        `  POST /v1/chat/completions · POST /v1/messages · POST /v1/responses · GET /v1/models\n` +
        (role.workers > 1 ? `  served by ${role.workers} worker processes sharing the port\n` : '') +
        '\n' +
        renderModelTable(current, { color: useColor(io), collapseExpansions: true }) +
        routingBanner(routing.prepared) +
        `\n${options.watch ? 'Watching the config for changes. ' : ''}Ctrl+C stops.\n`,
    );
  }

  let stopWatching = (): void => {};
  if (options.watch) {
    // The text in service, and the last one tried (a text with errors is reported once, not on
    // every save that leaves it as it was).
    let servedText = source.text;
    let triedText = source.text;
    const reloadFailed = reportReloadFailure(talk, file);
    const reload = async (next: string): Promise<boolean> => {
      if (next === servedText) {
        triedText = next;
        return true;
      }
      if (next === triedText) return false;
      triedText = next;
      // Whatever a reload throws, the gateway keeps serving the config it has: an unhandled
      // rejection would end the process (every worker, with --workers).
      try {
        const reloaded = await loadForServing(next, file, talk);
        if (!reloaded) {
          talk.stderr.write(`plano: ${file} has errors (above); still serving the previous config\n`);
          return false;
        }
        const nextRouting = await startRouting(reloaded);
        routing.prepared.close();
        routing = nextRouting;
        current = reloaded.gateway;
        servedText = next;
        talk.stderr.write(`plano: reloaded ${file}: ${current.models.length} models\n`);
        const nextListener = modelListener(reloaded.config);
        if (options.port === undefined && (nextListener?.port ?? DEFAULT_PORT) !== port) {
          talk.stderr.write('plano: the model listener’s port changed; restart `plano up` to listen there\n');
        }
        return true;
      } catch (error) {
        reloadFailed(error);
        return false;
      }
    };
    stopWatching = role.watchConfig(file, reload);
  }

  await new Promise<void>((stopped) => {
    let stopping = false;
    const unsubscribe = role.onStop(() => {
      if (stopping) {
        talk.stderr.write('plano: stopping now\n');
        running.cutOff();
        return;
      }
      stopping = true;
      stopWatching();
      const busy = running.inFlight();
      talk.stderr.write(
        busy > 0 ? `plano: shutting down; waiting up to ${graceMs / 1000}s for ${busy} in-flight request(s)\n` : 'plano: shutting down\n',
      );
      void running.stop(graceMs).then(async (cutOff) => {
        // Each worker cuts off its own requests: every one says so.
        if (cutOff > 0) io.stderr.write(`plano: cut off ${cutOff} request(s) still running after ${graceMs / 1000}s\n`);
        unsubscribe();
        routing.prepared.close();
        await upstream.close();
        log.flush();
        stopped();
      });
    });
  });
  return EXIT_OK;
}

/**
 * V8's heap sizing suits interactive programs; a gateway's heap is mostly requests that lived
 * through a couple of young-generation collections and then died. With the defaults, 256
 * concurrent streams took the process to ~185 MB RSS: the old generation may grow to up to 4×
 * what survived the last full collection before the next, and the young generation's semi-spaces
 * double up to 16 MB each. Growing the old generation by half at most, and stopping the
 * semi-spaces at 8 MB, holds it near 105 MB (bench/gateway.mjs, issue 6; doubling instead: 135
 * MB). The price is collection work — more frequent scavenges and full collections, some of it on
 * V8's helper threads: up to ~15% of CPU on non-streamed traffic on a busy 2-core machine, inside
 * the throughput targets.
 *
 * With `--workers N` each process allocates for 1/N of the traffic, so it gets 1/N of that young
 * generation (at least 2 MB a semi-space) and collects as often as one process alone would:
 * ~10 MB less for two workers at 256 streams.
 *
 * V8 reads both flags when it resizes the heap after a collection, so setting them in the running
 * process — before it serves anything — takes effect from the next one. There is no runtime flag
 * for the semi-space limit: growth is switched off once a collection finds them that large.
 */
function tuneHeapForServing(workers: number): void {
  v8.setFlagsFromString('--heap-growing-percent=50');
  const semiSpaceMb = Math.max(MIN_SEMI_SPACE_MB, SEMI_SPACE_LIMIT_MB / workers);
  const youngLimit = 2 * semiSpaceMb * 1024 * 1024;
  const stopYoungGrowthAtLimit = (): void => {
    const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (young === undefined || young.space_size < youngLimit) return;
    v8.setFlagsFromString('--semi-space-growth-factor=1');
    collections.disconnect();
  };
  const collections = new PerformanceObserver(stopYoungGrowthAtLimit);
  collections.observe({ entryTypes: ['gc'] });
}

const SEMI_SPACE_LIMIT_MB = 8;
const MIN_SEMI_SPACE_MB = 2;

/** The environment variable that tells a forked worker its part (`WorkerPart`). */
const WORKER_PART_ENV = 'PLANO_UP_WORKER';
/** announce: prints the startup output and speaks; speak: a replacement for it; quiet: access log only. */
type WorkerPart = 'announce' | 'speak' | 'quiet';
/**
 * The primary's messages. `config`: the config's text; the first a worker gets is the one to
 * start from, every later one a --watch change. Versions count the texts the primary has read.
 */
type PrimaryMessage = { plano: 'stop' } | ({ plano: 'config' } & VersionedConfig);
/** A worker's messages. `ready`: it listens for the primary's messages, send the config; `serving`: it now serves that version. */
type WorkerMessage = { plano: 'ready' } | { plano: 'serving'; version: number };

interface VersionedConfig extends ConfigSource {
  version: number;
}

/**
 * One of the `--workers` processes: serves as `runUp` does, from the config text the primary
 * sends, stopping and reloading when the primary says so. Signals are the primary's to handle:
 * Ctrl+C reaches the whole process group, and a worker acting on it too would count it twice
 * (the second signal cuts streams off).
 */
async function runUpWorker(options: UpOptions, io: CliIo): Promise<number> {
  const { default: cluster } = await import('node:cluster');
  const part = (io.env[WORKER_PART_ENV] ?? 'quiet') as WorkerPart;
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  const send = (message: WorkerMessage): void => void process.send?.(message);

  // Messages that arrive before serving starts (a stop during startup, a change of the config)
  // are kept, not lost.
  let stopRequests = 0;
  let onStopRequest: (() => void) | undefined;
  let startWith!: (config: ConfigSource | undefined) => void;
  const startupConfig = new Promise<ConfigSource | undefined>((resolve) => (startWith = resolve));
  let started = false;
  let apply: ((text: string) => Promise<boolean>) | undefined;
  let waitingChange: VersionedConfig | undefined;
  // Changes are applied one at a time, in the order sent: a slower older one must not win.
  let applying = Promise.resolve();
  const applyChange = (change: VersionedConfig): void => {
    applying = applying.then(async () => {
      if (apply && (await apply(change.text))) send({ plano: 'serving', version: change.version });
    });
  };
  const onMessage = (message: PrimaryMessage): void => {
    if (message?.plano === 'stop') {
      stopRequests++;
      onStopRequest?.();
      startWith(undefined);
    } else if (message?.plano === 'config') {
      if (!started) {
        started = true;
        startWith(message);
      } else if (apply) applyChange(message);
      else waitingChange = message;
    }
  };
  process.on('message', onMessage);
  const role: ServeRole = {
    onStop(stop) {
      onStopRequest = stop;
      for (let i = 0; i < stopRequests; i++) stop();
      return () => (onStopRequest = undefined);
    },
    config() {
      send({ plano: 'ready' });
      return startupConfig;
    },
    watchConfig(_file, applyText) {
      apply = applyText;
      if (waitingChange) applyChange(waitingChange);
      waitingChange = undefined;
      return () => (apply = undefined);
    },
    announce: part === 'announce',
    speak: part !== 'quiet',
    workers: options.workers ?? 1,
  };
  try {
    return await serve(options, io, role);
  } catch (error) {
    // The worker that speaks reports it; the others exit with the same code in silence.
    if (!role.speak && error instanceof CliError) return error.exitCode;
    throw error;
  } finally {
    process.off('message', onMessage);
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
    // The IPC channel would keep the process alive. (A worker whose primary disconnects first —
    // killed — is ended by node:cluster itself.)
    if (cluster.worker?.isConnected()) cluster.worker.disconnect();
  }
}

/**
 * The supervisor of `--workers N`: reads the config, forks the workers and hands them its text,
 * forwards stops and --watch changes, replaces a worker that dies while serving, and resolves
 * when all have exited — 0 when each stopped cleanly, else the first failing worker's code (a
 * config with errors: 1, a port in use: 2; the worker that speaks has said why).
 */
async function runUpPrimary(arg: string | undefined, options: UpOptions, io: CliIo, onStop: StopTrigger): Promise<number> {
  const { default: cluster } = await import('node:cluster');
  // A missing or unreadable file is reported once, here, rather than by every worker.
  const { file, text } = await readConfigFile(arg, io);
  const count = options.workers ?? 1;

  // The newest text read, and the newest a worker has said it serves: a replacement worker starts
  // from the one served (the newest may have errors), then gets the newest as a change.
  let newest: VersionedConfig = { file, text, version: 0 };
  let served = newest;
  const unconfirmed = new Map<number, VersionedConfig>();

  const parts = new Map<Worker, WorkerPart>();
  /** Workers that listen for messages (they said `ready`); the others get what they need when they do. */
  const ready = new Set<Worker>();
  const listening = new Set<Worker>();
  let serving = false;
  let stopping = false;
  let failure: number | undefined;
  const fork = (part: WorkerPart): void => {
    parts.set(cluster.fork({ [WORKER_PART_ENV]: part }), part);
  };
  const send = (worker: Worker, message: PrimaryMessage): void => {
    if (worker.isConnected()) worker.send(message);
  };
  const sendConfig = (worker: Worker, config: VersionedConfig): void => send(worker, { plano: 'config', ...config });

  return new Promise<number>((done) => {
    let stopWatching = (): void => {};
    const stopAll = (): void => {
      stopping = true;
      stopWatching();
      for (const worker of ready) send(worker, { plano: 'stop' });
    };
    const unsubscribe = onStop(stopAll);
    cluster.on('message', (worker, message: WorkerMessage) => {
      if (message?.plano === 'ready') {
        if (stopping) return send(worker, { plano: 'stop' });
        ready.add(worker);
        sendConfig(worker, served);
        if (newest !== served) sendConfig(worker, newest);
      } else if (message?.plano === 'serving' && message.version > served.version) {
        served = unconfirmed.get(message.version) ?? served;
        for (const version of unconfirmed.keys()) if (version <= served.version) unconfirmed.delete(version);
      }
    });
    cluster.on('listening', (worker) => {
      listening.add(worker);
      if (serving) io.stderr.write('plano: a new worker process serves in its place\n');
      if (listening.size >= count) serving = true;
    });
    cluster.on('exit', (worker, code, signal) => {
      const part = parts.get(worker) ?? 'quiet';
      parts.delete(worker);
      ready.delete(worker);
      const wasListening = listening.delete(worker);
      if (!stopping && serving && wasListening) {
        io.stderr.write(`plano: a worker process exited unexpectedly (${signal ?? `exit code ${code}`}); starting another\n`);
        fork(part === 'announce' ? 'speak' : part);
        return;
      }
      if (code !== 0 || signal !== null) failure ??= code || EXIT_USAGE;
      // A worker that could not start (its findings or error are printed): the others stop too.
      if (!stopping) stopAll();
      if (parts.size === 0) {
        unsubscribe();
        done(failure ?? EXIT_OK);
      }
    });
    for (let i = 0; i < count; i++) fork(i === 0 ? 'announce' : 'quiet');
    if (options.watch) {
      stopWatching = watchConfigFile(io, file, async (next) => {
        if (next === newest.text) return;
        newest = { file, text: next, version: newest.version + 1 };
        unconfirmed.set(newest.version, newest);
        for (const worker of ready) sendConfig(worker, newest);
      });
    }
  });
}

/** The config file `arg` names (or the default one in the working directory) and its text; a CliError when there is none or it cannot be read. */
async function readConfigFile(arg: string | undefined, io: CliIo): Promise<ConfigSource> {
  const { findConfigFile, readConfigText } = await import('../config-file.js');
  const file = await findConfigFile(arg, io.cwd);
  return { file, text: await readConfigText(file, io.cwd) };
}

/**
 * (--watch) Calls `changed` with the file's text each time it is saved (debounced, one call at a
 * time). A save that cannot be read is reported and the config in service kept.
 */
function watchConfigFile(io: CliIo, file: string, changed: (text: string) => Promise<void>): () => void {
  const readSaved = async (): Promise<void> => {
    const { decodeConfigText } = await import('../config-file.js');
    let text: string;
    try {
      text = decodeConfigText(await readFile(resolve(io.cwd, file)), file);
    } catch (error) {
      // Not UTF-8 (decodeConfigText's error, with its hint), or not readable (gone, permissions).
      const why =
        error instanceof CliError
          ? `${error.message}; still serving the previous config${error.hint ? `\n  ${error.hint}` : ''}`
          : `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); still serving the previous config`;
      io.stderr.write(`plano: ${why}\n`);
      return;
    }
    await changed(text);
  };
  return watchFile(resolve(io.cwd, file), readSaved, reportReloadFailure(io, file));
}

interface Servable {
  config: PlanoConfig;
  gateway: Gateway;
}

/**
 * Check and resolve a config for serving. Errors are printed as `validate` prints them and give
 * undefined; warnings are printed and serving goes ahead.
 */
async function loadForServing(text: string, file: string, io: CliIo): Promise<Servable | undefined> {
  const [{ checkConfigText }, { checkedFile, printFindings }, { resolveGateway }] = await Promise.all([
    import('../../config/check.js'),
    import('../render/findings.js'),
    import('../../resolve/resolve.js'),
  ]);
  const result = servingDiagnostics(checkConfigText(text, file, { env: io.env }));
  if (result.diagnostics.length > 0) printFindings(io, [checkedFile(result)]);
  if (result.config === undefined || result.diagnostics.some((d) => d.severity === 'error')) return undefined;
  return { config: result.config, gateway: resolveGateway(result.config, { env: io.env }) };
}

/**
 * `validate --env` treats an unset key variable as an error; a running gateway can live with it
 * (that model answers 401 until the variable is set), so here it is a warning that says so.
 */
function servingDiagnostics(result: CheckResult): CheckResult {
  return {
    ...result,
    diagnostics: result.diagnostics.map((d) =>
      d.code === 'access-key-not-set'
        ? { ...d, severity: 'warning', message: `${d.message} Requests to this model get a 401 naming it; set it and start plano again.` }
        : d,
    ),
  };
}

/** [routing] One line on the routes, when the config has preferences: requests without a model are routed. */
function routingBanner(prepared: PreparedRouting): string {
  const { preferences, router, routerSource } = prepared.settings;
  if (preferences.length === 0) return '';
  const by = router ? (routerSource.kind === 'hosted' ? `the hosted ${router.model}` : router.name) : 'no router (llm_routing_model is not configured)';
  return (
    `\nRouting ${preferences.length} route${preferences.length === 1 ? '' : 's'} (${preferences.map((p) => p.name).join(', ')}) with ${by}: ` +
    'requests that name no model are routed; POST /routing/v1/chat/completions (and /messages, /responses) shows the decision.\n'
  );
}

function modelListener(config: PlanoConfig): ListenerEntry | undefined {
  return config.listeners.find((l) => l.type === 'model');
}

/**
 * The timeouts the config sets: the listener's `timeout` bounds the wait for headers and each
 * pause in a stream, `overrides.upstream_connect_timeout` the connect; the upstream client has
 * the defaults for what it leaves unset.
 */
function upstreamTimeouts(config: PlanoConfig): Partial<UpstreamTimeouts> {
  const request = parseDurationMs(modelListener(config)?.timeout);
  return {
    connectMs: parseDurationMs(config.overrides.upstream_connect_timeout),
    headersMs: request,
    bodyIdleMs: request,
  };
}

function listenError(error: unknown, host: string, port: number): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new CliError(`cannot listen on ${host}:${port}: the port is in use`, 'Stop what is using it, or pass --port N (--port 0 picks a free port).');
  }
  if (code === 'EACCES') return new CliError(`cannot listen on ${host}:${port}: permission denied`, 'Use a port above 1023.');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new CliError(`cannot listen on ${host}:${port}: no such local address`, 'Pass --host 127.0.0.1, or an address of this machine.');
  }
  return new CliError(`cannot listen on ${host}:${port}: ${(error as Error).message}`, undefined, EXIT_USAGE);
}

function parseWorkers(value: string): number {
  const workers = Number(value);
  if (value.trim() === '' || !Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new InvalidArgumentError(`the number of worker processes is a whole number from 1 to ${MAX_WORKERS} (about one per core).`);
  }
  return workers;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535 (0 picks a free port).');
  }
  return port;
}

/**
 * Access-log lines, written in batches: a write(2) per request is a measurable share of a
 * proxied request, so lines wait up to ACCESS_LOG_DELAY_MS — under load many requests share a
 * write, at low traffic the line still shows at once to a person watching. A write holds whole
 * lines and at most PIPE_BUF bytes (4096 on Linux) when it can: POSIX makes such a write to a
 * pipe atomic, so the lines of `--workers` processes sharing stderr never interleave mid-line.
 */
function accessLogWriter(stream: OutputStream, format: AccessLogFormat): { write: (entry: AccessLogEntry) => void; flush: () => void } {
  let pending = '';
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (pending !== '') stream.write(pending);
    pending = '';
    pendingBytes = 0;
  };
  return {
    write(entry) {
      const line = `${formatAccessLog(entry, format)}\n`;
      const bytes = Buffer.byteLength(line);
      if (pendingBytes + bytes > ATOMIC_WRITE_BYTES) flush();
      pending += line;
      pendingBytes += bytes;
      timer ??= setTimeout(flush, ACCESS_LOG_DELAY_MS);
    },
    flush,
  };
}

const ACCESS_LOG_DELAY_MS = 50;
/** PIPE_BUF on Linux (POSIX requires at least 512). */
const ATOMIC_WRITE_BYTES = 4096;

/** What a failed reload says; the previous config stays in service. */
function reportReloadFailure(io: CliIo, file: string): (error: unknown) => void {
  return (error) =>
    void io.stderr.write(`plano: reloading ${file} failed (${error instanceof Error ? error.message : String(error)}); still serving the previous config\n`);
}

const processSignals: StopTrigger = (stop) => {
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
};
