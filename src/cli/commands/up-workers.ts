/**
 * `plano up --workers N` (N > 1): N processes (node:cluster) sharing the port, to use more cores.
 * The primary supervises: it reads the config file — at startup and on --watch changes — and
 * hands its text to the workers as messages (a worker never reads the file, so none can catch a
 * save half-written), forwards SIGINT/SIGTERM, replaces a worker that dies while serving
 * (starting it from the config the others serve), and exits when they have all stopped (with the
 * first failing worker's exit code). Each worker serves as `plano up` alone does (`serve`).
 */
import type { Worker } from 'node:cluster';
import { CliError, EXIT_OK, EXIT_USAGE } from '../exit.js';
import type { CliIo } from '../io.js';
import { readConfigFile, serve, watchConfigFile, type ConfigSource, type ServeRole, type StopTrigger, type UpOptions } from './up.js';

/** The environment variable that tells a forked worker its part (`WorkerPart`). */
const WORKER_PART_ENV = 'PLANO_UP_WORKER';
/** announce: prints the startup output and speaks; speak: a replacement for it; quiet: access log only. */
type WorkerPart = 'announce' | 'speak' | 'quiet';
/**
 * The primary's messages. `config`: the config's text; the first a worker gets is the one to
 * start from, every later one a --watch change. Versions count the texts the primary has read.
 */
type PrimaryMessage = { plano: 'stop' } | ({ plano: 'config' } & VersionedConfig);
/** A worker's messages. `ready`: it listens for the primary's messages now (send it the config); `serving`: it serves that version now. */
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
export async function runUpWorker(options: UpOptions, io: CliIo): Promise<number> {
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
  const onMessage = (message: PrimaryMessage): void => {
    if (message?.plano === 'stop') {
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
export async function runUpPrimary(arg: string | undefined, options: UpOptions, io: CliIo, onStop: StopTrigger): Promise<number> {
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

