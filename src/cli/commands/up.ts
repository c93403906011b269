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
 * `--workers N` (N > 1) serves from N processes (node:cluster) sharing the port (src/server/worker-cluster.ts, through up-workers.ts).
 * One worker prints the startup output, findings and notices; every worker writes its own
 * access-log lines.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { dirname, resolve } from 'node:path';
import type { CheckResult } from '../../config/check.js';
import { parseDurationMs } from '../../config/duration.js';
import { redactUrl } from '../../config/secret-values.js';
import type { AccessLogFormat } from '../../server/access-log.js';
import type { LiveViewState, Servable } from '../../server/gateway-service.js';
import type { ConfigSource, ServeRole, StopTrigger } from '../../server/worker-cluster.js';
import type { PreparedRouting } from '../../server/routing-http.js';
import { accessLogWriter } from '../access-log-writer.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from '../exit.js';
import { tuneHeapForServing } from '../heap-tuning.js';
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
  /** False with --no-live-view. */
  liveView?: boolean;
  liveViewPublic?: boolean;
  inspect?: boolean;
  detach?: boolean;
}

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
      .option('--no-live-view', 'do not keep calls for the live view (/_plano/) or serve it')
      .option('--inspect', 'keep each call\'s bodies (client request, upstream request, answer; redacted, 64 KiB each) for the live view')
      .option('--live-view-public', 'serve the live view on a non-loopback --host too (anyone who reaches the port sees every call)')
      .option('-d, --detach', 'start in the background and return once it answers (prints its URL); `plano logs`, `plano down`')
      .addHelpText(
        'after',
        '\nThen point any OpenAI or Anthropic client at it:\n' +
          '  curl http://127.0.0.1:12000/v1/chat/completions -H "content-type: application/json" \\\n' +
          '    -d \'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}\'\n' +
          '  OpenAI SDK:     new OpenAI({ baseURL: "http://127.0.0.1:12000/v1", apiKey: "unused" })\n' +
          '  Anthropic SDK:  new Anthropic({ baseURL: "http://127.0.0.1:12000", apiKey: "unused" })',
      )
      .action(async (file: string | undefined, options: UpOptions, command: Command) => {
        if (options.detach) {
          // The gateway gets the arguments `up` was given, less --detach.
          // (commander keeps the arguments it parsed as `rawArgs`, which its typings leave out.)
          const given = (command.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? [];
          const upArgs = given.slice(given.indexOf('up') + 1).filter((a: string) => a !== '--detach' && a !== '-d');
          const { runDetached } = await import('./background.js');
          setExitCode(await runDetached(file, upArgs, io));
          return;
        }
        setExitCode(await upAction(file, options, io));
      });
  },
};

async function upAction(file: string | undefined, options: UpOptions, io: CliIo): Promise<number> {
  const { default: cluster } = await import('node:cluster');
  if (!cluster.isWorker && (options.workers ?? 1) === 1) return runUp(file, options, io, processSignals);
  const { runUpPrimary, runUpWorker } = await import('./up-workers.js');
  return cluster.isWorker ? runUpWorker(options, io) : runUpPrimary(file, options, io, processSignals);
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

const SILENT: OutputStream = { write: () => true };

/**
 * Serves the config until told to stop, alone or as one of the `--workers` processes (`role`).
 * The gateway itself — listen, reload, graceful stop — is src/server/gateway-service.ts; this
 * reads and checks the config, prints, and says when to reload and when to stop.
 */
export async function serve(options: UpOptions, io: CliIo, role: ServeRole): Promise<number> {
  tuneHeapForServing(role.workers);
  // Findings, warnings and notices go to `talk`; the access log always goes to stderr.
  // process.env answers each read through a C++ interceptor (~1–2 µs, on every request for its
  // key variable); nothing outside this process can change its environment, so a copy taken now
  // says the same, at the cost of a property read.
  const env = { ...io.env };
  const talk: CliIo = role.speak ? { ...io, env } : { ...io, env, stdout: SILENT, stderr: SILENT };
  const [{ startGateway }, { modelListener }, { renderModelTable }, { notServedNotice }, { describeProxy }, { isLoopbackAddress }] = await Promise.all([
    import('../../server/gateway-service.js'),
    import('../../config/normalize.js'),
    import('../render/model-table.js'),
    import('../../server/not-served.js'),
    import('../../server/upstream-network.js'),
    import('../../server/live-view.js'),
  ]);
  const graceMs = parseDurationMs(options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT);
  if (graceMs === undefined) throw new CliError(`--shutdown-timeout ${options.shutdownTimeout} is not a duration`, 'Write it like 10s, 500ms or 1m.');

  const source = await role.config();
  const { file } = source;
  const loaded = await loadForServing(source.text, file, talk);
  if (!loaded) return EXIT_FINDINGS;

  const listener = modelListener(loaded.config);
  const host = options.host ?? listener?.address ?? DEFAULT_HOST;
  const port = options.port ?? listener?.port ?? DEFAULT_PORT;
  const log = accessLogWriter(io.stderr, options.logFormat ?? 'text');
  const warn = (warning: string): void => void talk.stderr.write(`plano: warning: ${warning}\n`);
  const started = await startGateway({
    servable: loaded,
    host,
    port,
    env,
    configDir: dirname(resolve(io.cwd, file)),
    log: log.write,
    onWarning: warn,
    ...(role.tokenCounts ? { tokenCounts: role.tokenCounts } : {}),
    // Each --workers process would keep its own calls: a page would show whichever answered it.
    ...(options.liveView !== false && role.workers === 1 ? { liveView: { inspect: options.inspect === true, public: options.liveViewPublic === true } } : {}),
  });
  if (!started.ok) {
    const { problem } = started;
    throw problem.kind === 'listen' ? listenError(problem, host, port) : new CliError(problem.message, problem.hint);
  }
  const { service } = started;
  started.warnings.forEach(warn);
  if (service.liveView?.served && service.liveView.public && !isLoopbackAddress(host)) {
    warn(`--live-view-public: the live view at ${service.liveView.url} shows every call made through this gateway to anyone who can reach ${host}:${service.port}`);
  }
  if (role.workers > 1 && service.conversations === 'memory') {
    warn(
      `state_storage: memory keeps each worker's conversations in that worker: with --workers ${role.workers} a turn that reaches another worker gets a 404 for its previous_response_id. Serve with one process, or use a shared store.`,
    );
  }

  if (role.announce) {
    io.stdout.write(
      `plano gateway for ${file} listening on ${service.url}\n` +
        `  POST /v1/chat/completions · POST /v1/messages · POST /v1/responses · POST /v1/embeddings · GET /v1/models\n` +
        (role.workers > 1 ? `  served by ${role.workers} worker processes sharing the port\n` : '') +
        '\n' +
        renderModelTable(loaded.gateway, { color: useColor(io), collapseExpansions: true }) +
        routingBanner(service.routing()) +
        (service.network.proxy ? `\n${describeProxy(service.network.proxy)}\n` : '') +
        liveViewBanner(service.liveView, options, role.workers) +
        (service.tracing ? `\nTracing: spans to ${redactUrl(service.tracing.url)} over ${service.tracing.protocol === 'grpc' ? 'OTLP/gRPC' : `OTLP/HTTP (${service.tracing.protocol})`}.\n` : '') +
        notServedNotice(loaded.config) +
        `\n${options.watch ? 'Watching the config for changes. ' : ''}Ctrl+C stops.\n`,
    );
  }

  let stopWatching = (): void => {};
  const { FROM_ENVIRONMENT } = await import('../config-file.js');
  if (options.watch && file === FROM_ENVIRONMENT) warn('--watch: there is no config file to watch (the config comes from the environment)');
  else if (options.watch) {
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
        (await service.reload(reloaded)).forEach(warn);
        servedText = next;
        talk.stderr.write(`plano: reloaded ${file}: ${reloaded.gateway.models.length} models\n`);
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
        service.cutOff();
        return;
      }
      stopping = true;
      stopWatching();
      const busy = service.inFlight();
      talk.stderr.write(
        busy > 0 ? `plano: shutting down; waiting up to ${graceMs / 1000}s for ${busy} in-flight request(s)\n` : 'plano: shutting down\n',
      );
      void service.stop(graceMs).then((cutOff) => {
        // Each worker cuts off its own requests: every one says so.
        if (cutOff > 0) io.stderr.write(`plano: cut off ${cutOff} request(s) still running after ${graceMs / 1000}s\n`);
        unsubscribe();
        log.flush();
        stopped();
      });
    });
  });
  return EXIT_OK;
}

/**
 * The config file `arg` names (or the default one in the working directory) and its text, else the
 * config synthesised from the environment; a CliError when a named file cannot be read.
 */
export async function readConfigFile(arg: string | undefined, io: CliIo): Promise<ConfigSource> {
  const { readConfigOrEnvironment } = await import('../config-file.js');
  return readConfigOrEnvironment(arg, io, 'up');
}

/**
 * (--watch) Calls `changed` with the file's text each time it is saved (debounced, one call at a
 * time). A save that cannot be read is reported and the config in service kept.
 */
export function watchConfigFile(io: CliIo, file: string, changed: (text: string) => Promise<void>): () => void {
  const readSaved = async (): Promise<void> => {
    const { readConfigText } = await import('../config-file.js');
    let text: string;
    try {
      text = await readConfigText(file, io.cwd);
    } catch (error) {
      // Not readable (gone, permissions) or not UTF-8: said as at startup, with the hint.
      if (!(error instanceof CliError)) throw error;
      io.stderr.write(`plano: ${error.message}; still serving the previous config\n${error.hint ? `  ${error.hint}\n` : ''}`);
      return;
    }
    await changed(text);
  };
  return watchFile(resolve(io.cwd, file), readSaved, reportReloadFailure(io, file));
}

/**
 * Check and resolve a config for serving. Errors are printed as `validate` prints them and give
 * undefined; warnings are printed and serving goes ahead.
 */
async function loadForServing(text: string, file: string, io: CliIo): Promise<Servable | undefined> {
  const [{ checkConfig }, { checkedFile, printFindings }, { resolveGateway }] = await Promise.all([
    import('../../resolve/check.js'),
    import('../render/findings.js'),
    import('../../resolve/resolve.js'),
  ]);
  const result = servingDiagnostics(checkConfig(text, file, { env: io.env, requireEnv: true }));
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
        ? { ...d, severity: 'warning', message: `${d.message} Requests to this model get a 401 naming it; set it and start plano up again (the environment is read once, at start).` }
        : d,
    ),
  };
}

/** Where the live view is (or why it is not served), and what it keeps. */
function liveViewBanner(state: LiveViewState | undefined, options: UpOptions, workers: number): string {
  if (options.liveView === false) return '';
  if (workers > 1) return `\nLive view: off with --workers ${workers} (each process would show only its own calls); serve with one process to use it.\n`;
  if (!state) return '';
  if (!state.served) return `\nLive view: not served: ${state.reason}.\n`;
  return `\nLive view: ${state.url} (the last 500 calls, kept in memory${state.inspect ? '; with their bodies, redacted' : '; --inspect keeps their bodies'}); \`plano obs\` shows it in the terminal.\n`;
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

function listenError(problem: { code: string | undefined; message: string }, host: string, port: number): CliError {
  const { code } = problem;
  if (code === 'EADDRINUSE') {
    return new CliError(`cannot listen on ${host}:${port}: the port is in use`, 'Stop what is using it, or pass --port N (--port 0 picks a free port).');
  }
  if (code === 'EACCES') return new CliError(`cannot listen on ${host}:${port}: permission denied`, 'Use a port above 1023.');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new CliError(`cannot listen on ${host}:${port}: no such local address`, 'Pass --host 127.0.0.1, or an address of this machine.');
  }
  return new CliError(`cannot listen on ${host}:${port}: ${problem.message}`, undefined, EXIT_USAGE);
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
