/**
 * Serving from several processes (`plano up --workers N`, node:cluster) sharing one port, to use
 * more cores: the supervisor (the primary process) and the role each worker plays. The primary
 * hands the config's text to the workers as messages — at startup and on --watch changes — so no
 * worker reads the file (none can catch a save half-written); it forwards stops, replaces a worker
 * that dies while serving (starting it from the config the others serve), and resolves when they
 * have all stopped. Nothing here prints: what the primary has to say goes to `notice`.
 */
import type { Worker } from 'node:cluster';
import { memoryTokenCounts, type TokenCounts } from './rate-limits.js';

/** How a serving process learns it should stop: calls `stop` on each request to; returns an unsubscribe. */
export type StopTrigger = (stop: () => void) => () => void;

/** A config file as the user named it, and its text. */
export interface ConfigSource {
  file: string;
  text: string;
}

/** How one serving process fits in: alone, or one of the `--workers` processes. */
export interface ServeRole {
  /** When to stop: SIGINT/SIGTERM when alone, the primary's messages in a worker. */
  onStop: StopTrigger;
  /** The config to serve: read from the file when alone, the primary's copy in a worker. */
  config: () => Promise<ConfigSource>;
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
  /** [ratelimits] Where token counts live when not in this process (a worker's are the primary's). */
  tokenCounts?: TokenCounts;
}

/** The environment variable that tells a forked worker its part (`WorkerPart`). */
const WORKER_PART_ENV = 'PLANO_UP_WORKER';
/** announce: prints the startup output and speaks; speak: a replacement for it; quiet: access log only. */
type WorkerPart = 'announce' | 'speak' | 'quiet';
/**
 * The primary's messages. `config`: the config's text; the first a worker gets is the one to
 * start from, every later one a --watch change. Versions count the texts the primary has read.
 */
type PrimaryMessage = { plano: 'stop' } | ({ plano: 'config' } & VersionedConfig) | { plano: 'tokens-used'; id: number; used: number };
/**
 * A worker's messages. `ready`: it listens for the primary's messages now (send it the config);
 * `serving`: it serves that version now. `tokens-*`: the rate-limit counts, kept by the primary
 * so that every worker counts in the same budgets.
 */
type WorkerMessage =
  | { plano: 'ready' }
  | { plano: 'serving'; version: number }
  | { plano: 'tokens-ask'; id: number; bucket: string; windowStart: number }
  | { plano: 'tokens-add'; bucket: string; windowStart: number; tokens: number };

interface VersionedConfig extends ConfigSource {
  version: number;
}

/**
 * The role of one `--workers` process: the config the primary sends, stopping and reloading when
 * the primary says so. Signals are the primary's to handle: Ctrl+C reaches the whole process
 * group, and a worker acting on it too would count it twice (the second signal cuts streams off).
 * `dispose` lets go of the process's messages and signals once serving is over.
 */
export function workerRole(env: Readonly<Record<string, string | undefined>>, workers: number): { role: ServeRole; dispose(): void } {
  const part = (env[WORKER_PART_ENV] ?? 'quiet') as WorkerPart;
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  const send = (message: WorkerMessage): void => void process.send?.(message);

  // Messages that arrive before serving starts (a stop during startup, a change of the config)
  // are kept, not lost.
  let stopRequests = 0;
  let onStopRequest: (() => void) | undefined;
  let startWith!: (config: ConfigSource) => void;
  const startupConfig = new Promise<ConfigSource>((resolve) => (startWith = resolve));
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
  // [ratelimits] Counts asked of the primary, answered by id.
  let asked = 0;
  const waiting = new Map<number, (used: number) => void>();
  const tokenCounts: TokenCounts = {
    used(bucket, windowStart) {
      const id = ++asked;
      return new Promise<number>((resolve) => {
        waiting.set(id, resolve);
        send({ plano: 'tokens-ask', id, bucket, windowStart });
      });
    },
    add: (bucket, windowStart, tokens) => send({ plano: 'tokens-add', bucket, windowStart, tokens }),
  };
  const onMessage = (message: PrimaryMessage): void => {
    if (message?.plano === 'tokens-used') {
      waiting.get(message.id)?.(message.used);
      waiting.delete(message.id);
    } else if (message?.plano === 'stop') {
      stopRequests++;
      onStopRequest?.();
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
    workers,
    tokenCounts,
  };
  return {
    role,
    dispose() {
      // A count still asked for when serving ends has nothing left to wait for it.
      for (const resolve of waiting.values()) resolve(0);
      waiting.clear();
      process.off('message', onMessage);
      process.off('SIGINT', ignore);
      process.off('SIGTERM', ignore);
    },
  };
}

export interface SuperviseOptions {
  /** The config as the primary read it. */
  source: ConfigSource;
  /** How many workers. */
  count: number;
  /** (--watch) Calls `changed` with each new text of the config; returns a function that stops. */
  watch?: (changed: (text: string) => void) => () => void;
  onStop: StopTrigger;
  /** What the primary has to say (a worker replaced), one line each. */
  notice: (line: string) => void;
  /** The exit code for a worker that ended by a signal, or that failed without a code. */
  failureExitCode: number;
}

/**
 * The supervisor of `--workers N`: reads the config, forks the workers and hands them its text,
 * forwards stops and --watch changes, replaces a worker that dies while serving, and resolves
 * when all have exited — 0 when each stopped cleanly, else the first failing worker's code (a
 * config with errors: 1, a port in use: 2; the worker that speaks has said why).
 */
export async function superviseWorkers(options: SuperviseOptions): Promise<number> {
  const { default: cluster } = await import('node:cluster');
  const { source, count, onStop } = options;
  const { file, text } = source;

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
  // [ratelimits] The one count every worker asks and adds to.
  const counts = memoryTokenCounts();

  return new Promise<number>((done) => {
    let stopWatching = (): void => {};
    const stopAll = (): void => {
      stopping = true;
      stopWatching();
      for (const worker of ready) send(worker, { plano: 'stop' });
    };
    const unsubscribe = onStop(stopAll);
    cluster.on('message', (worker, message: WorkerMessage) => {
      if (message?.plano === 'tokens-ask') {
        send(worker, { plano: 'tokens-used', id: message.id, used: counts.used(message.bucket, message.windowStart) });
      } else if (message?.plano === 'tokens-add') {
        counts.add(message.bucket, message.windowStart, message.tokens);
      } else if (message?.plano === 'ready') {
        // Even when the group is stopping: a worker that started anyway checks the config first,
        // so the findings that made another worker fail are printed by the one that speaks.
        ready.add(worker);
        sendConfig(worker, served);
        if (newest !== served) sendConfig(worker, newest);
        if (stopping) send(worker, { plano: 'stop' });
      } else if (message?.plano === 'serving' && message.version > served.version) {
        served = unconfirmed.get(message.version) ?? served;
        for (const version of unconfirmed.keys()) if (version <= served.version) unconfirmed.delete(version);
      }
    });
    cluster.on('listening', (worker) => {
      listening.add(worker);
      if (serving) options.notice('a new worker process serves in its place');
      if (listening.size >= count) serving = true;
    });
    cluster.on('exit', (worker, code, signal) => {
      const part = parts.get(worker) ?? 'quiet';
      parts.delete(worker);
      ready.delete(worker);
      const wasListening = listening.delete(worker);
      if (!stopping && serving && wasListening) {
        options.notice(`a worker process exited unexpectedly (${signal ?? `exit code ${code}`}); starting another`);
        fork(part === 'announce' ? 'speak' : part);
        return;
      }
      if (code !== 0 || signal !== null) failure ??= code || options.failureExitCode;
      // A worker that could not start (its findings or error are printed): the others stop too.
      if (!stopping) stopAll();
      if (parts.size === 0) {
        unsubscribe();
        done(failure ?? 0);
      }
    });
    for (let i = 0; i < count; i++) fork(i === 0 ? 'announce' : 'quiet');
    if (options.watch) {
      stopWatching = options.watch((next) => {
        if (next === newest.text) return;
        newest = { file, text: next, version: newest.version + 1 };
        unconfirmed.set(newest.version, newest);
        for (const worker of ready) sendConfig(worker, newest);
      });
    }
  });
}

