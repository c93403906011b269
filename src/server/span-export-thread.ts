/**
 * A seam for speed: encoded span batches are sent from a worker thread of their own, by
 * OpenTelemetry's exporter transport (@opentelemetry/otlp-exporter-base over HTTP,
 * -otlp-grpc-exporter-base over gRPC: their timeouts, retries and concurrency limit) — not from
 * the event loop that serves requests. The event loop encodes a batch (span-export.ts) and hands
 * its bytes over without a copy (a transferred ArrayBuffer); the thread only sends them.
 *
 * Measured (bench/RESULTS.md, issue 16, session 9): an export — an HTTP request of ~150 KB every
 * ~25 ms under load then; batches are four times larger since session 10 — costs several hundred
 * µs of CPU on a path too rarely run to stay in the caches. Sent from here (and with the attempt span told by the upstream call, not a promise
 * around it), a traced request's cost to the event loop fell from +13.8 to +11.1 µs
 * (`npm run bench:trace-alternating`, its main thread, medians of six runs), and bench:gateway's
 * traced throughput at 32 connections rose from 0.77× to 0.90× of untraced (five runs each,
 * interleaved). The process as a whole spends no less (+16.9 → +19.8 µs: the hand-over and the
 * thread's own event loop): the gain is for a gateway with a core to spare, as one `plano up`
 * worker on a machine of two or more cores has. An idle thread is ~9 MB of RSS; the traced
 * gateway under load holds ~20–30 MB more.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How spans are exported: the protocol and where. */
export interface ExportTarget {
  protocol: 'grpc' | 'http/protobuf' | 'http/json';
  url: string;
}

/** Sends encoded batches, each a whole OTLP export request's body. */
export interface BatchSender {
  /**
   * Resolves when the exporter is done with the batch: delivered, or given up (its failures are
   * OpenTelemetry's diag logs). The body's ArrayBuffer is transferred to the thread whole: the
   * caller gives it up, and it must hold nothing else of use — but for a Buffer that is a view of
   * a larger one (Node's pool of small Buffers), which is copied first.
   */
  send(count: number, body: Uint8Array): Promise<void>;
  /** Waits for what was sent, then stops the thread. */
  close(): Promise<void>;
  /** How many threads were started: one, unless one died. */
  readonly threadsStarted: number;
}

const require = createRequire(import.meta.url);

/**
 * Runs in the worker: OpenTelemetry's exporter, as its OTLPTraceExporter classes build it, with a
 * serializer that passes the encoded body through; each batch answered by id once exported.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { target, modules } = workerData;
const { OTLPExporterBase } = require(modules.base);
const json = target.protocol === 'http/json';
const serializer = {
  serializeRequest: (batch) => Buffer.from(batch.body.buffer, batch.body.byteOffset, batch.body.byteLength),
  // The response may report a partial success; the exporter only logs it (at debug).
  deserializeResponse: (data) => (json ? JSON.parse(Buffer.from(data).toString('utf8')) : {}),
};
const metrics = { name: 'span', countItems: (batch) => batch.count };
let delegate;
if (target.protocol === 'grpc') {
  const grpc = require(modules.grpc);
  delegate = grpc.createOtlpGrpcExportDelegate(
    grpc.convertLegacyOtlpGrpcOptions({ url: target.url }, 'TRACES'),
    serializer, 'otlp_grpc_span_exporter', metrics, undefined,
    'TraceExportService', '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  );
} else {
  const http = require(modules.http);
  delegate = http.createOtlpHttpExportDelegate(
    http.convertLegacyHttpOptions({ url: target.url }, 'TRACES', 'v1/traces', { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' }),
    serializer, 'otlp_http_span_exporter', metrics, undefined,
  );
}
const exporter = new OTLPExporterBase(delegate);
parentPort.on('message', (message) => {
  if (message.close) {
    exporter.shutdown().then(() => parentPort.postMessage({ closed: true }));
    return;
  }
  exporter.export({ count: message.count, body: message.body }, () => parentPort.postMessage({ id: message.id }));
});
`;

/**
 * The thread's heap: batches in flight only (OpenTelemetry's exporter holds at most a few dozen
 * of a few hundred KB). Without a cap, V8 sized it like the main thread's: ~40 MB more RSS.
 */
const THREAD_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 4 };

/**
 * After a thread dies, batches are dropped for this long before another is started: a thread that
 * cannot live (an endpoint OpenTelemetry refuses, say) is not started again for every batch.
 */
const RESTART_DELAY_MS = 10_000;

/** A sender on its own thread, started with the first batch (a gateway that never traces starts none). */
export function startExportThread(target: ExportTarget): BatchSender {
  const modules = {
    base: require.resolve('@opentelemetry/otlp-exporter-base'),
    http: require.resolve('@opentelemetry/otlp-exporter-base/node-http'),
    grpc: target.protocol === 'grpc' ? require.resolve('@opentelemetry/otlp-grpc-exporter-base') : undefined,
  };
  let worker: Worker | undefined;
  let nextId = 0;
  /** Batches sent and not yet answered, by id. */
  const pending = new Map<number, () => void>();
  let closed: (() => void) | undefined;
  /** When the last thread died (Date.now()). */
  let lostAt = -Infinity;
  let threadsStarted = 0;

  const start = (): Worker => {
    threadsStarted++;
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { target, modules }, resourceLimits: THREAD_LIMITS });
    started.on('message', (message: { id?: number; closed?: true }) => {
      if (message.closed) return void closed?.();
      const done = pending.get(message.id!);
      pending.delete(message.id!);
      done?.();
    });
    // A thread that failed (out of its heap, say) loses the batches it held — spans are best
    // effort, as the exporter's own failures are — and a batch after RESTART_DELAY_MS starts another.
    const lost = (): void => {
      if (worker === started) {
        worker = undefined;
        lostAt = Date.now();
      }
      for (const done of pending.values()) done();
      pending.clear();
      closed?.();
    };
    started.on('error', lost);
    started.on('exit', lost);
    // An idle thread must not keep `plano up` (or a test) alive; close() sends what is pending.
    // After the listeners: adding a 'message' listener refs the worker's port again.
    started.unref();
    return started;
  };

  return {
    get threadsStarted() {
      return threadsStarted;
    },
    send(count, body) {
      if (worker === undefined && Date.now() - lostAt < RESTART_DELAY_MS) return Promise.resolve();
      // Transferred, the body's ArrayBuffer leaves this thread whole: a Buffer smaller than its
      // ArrayBuffer may be a slice of the pool every small Buffer shares.
      if (Buffer.isBuffer(body) && body.byteLength !== body.buffer.byteLength) body = new Uint8Array(body);
      const id = nextId++;
      return new Promise<void>((resolve) => {
        pending.set(id, resolve);
        (worker ??= start()).postMessage({ id, count, body }, [body.buffer as ArrayBuffer]);
      });
    },
    async close() {
      const running = worker;
      if (!running) return;
      // The exporter's shutdown waits for its exports in flight (each bounded by its timeout).
      // The thread is referenced again until it answers: unreferenced, nothing else may be left
      // to keep the process alive while it sends (plano up's stop), and the process would end
      // without the last batch.
      running.ref();
      await new Promise<void>((resolve) => {
        closed = resolve;
        running.postMessage({ close: true });
      });
      worker = undefined;
      await running.terminate();
    },
  };
}
