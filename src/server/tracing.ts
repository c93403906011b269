/**
 * The tracing stage (`tracing:` in the config): an OpenTelemetry span per model request, with a
 * CLIENT child per upstream attempt and INTERNAL children for its own steps (a routing decision, a
 * stored conversation read), written into OTLP as they end and exported in batches
 * (span-export.ts). Only a config with a `tracing` section loads an exporter — without one a
 * request pays a property read.
 *
 * Where spans go, the OpenTelemetry way: `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` (else
 * `OTEL_EXPORTER_OTLP_PROTOCOL`) = `http/protobuf` or `http/json` sends OTLP/HTTP to
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`); otherwise
 * `tracing.opentracing_grpc_endpoint` (an `http://host:port`, as the reference has it) gets OTLP
 * over gRPC. `random_sampling` (0–100, default 100) samples traces plano starts; a client's
 * `traceparent` is continued, its sampled flag followed.
 *
 * Attributes follow OpenTelemetry's GenAI conventions (`gen_ai.request.model`,
 * `gen_ai.response.model`, `gen_ai.usage.input_tokens` …) plus plano's own (`plano.model`,
 * `plano.provider`, `plano.route`, `plano.attempts`). Never a credential, a prompt or an answer:
 * upstream URLs are redacted, and of `span_attributes.header_prefixes` no header whose name says
 * it authenticates is taken.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { remember } from '../config/remember.js';
import { isCredentialKeyName, redactUrlCached } from '../config/secret-values.js';
import type { PlanoConfig } from '../config/types.js';
import { EMBEDDINGS_PATH } from '../providers/types.js';
import { parseBaseUrl } from '../providers/upstream-url.js';
import type { AccessLogEntry } from './access-log.js';
import { randomSpanId, SpanId } from './span-id.js';
import {
  attributeKey,
  RecurringRun,
  SpanName,
  SPAN_KIND_CLIENT,
  SPAN_KIND_INTERNAL,
  SPAN_KIND_SERVER,
  startSpanExport,
  STATUS_ERROR,
  STATUS_UNSET,
  type AttributeWriter,
  type ExportTarget,
  type SpanAttributes,
  type SpanExport,
  type SpanRecord,
  type SpanStatus,
} from './span-export.js';

export type { ExportTarget, SpanAttributes } from './span-export.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Where `tracing` and the environment say spans go, and the setting that said it; undefined when nowhere is named. */
export function exportTarget(tracing: Readonly<Record<string, unknown>>, env: Env): (ExportTarget & { setting: string }) | undefined {
  const protocol = env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'];
  if (protocol === 'http/protobuf' || protocol === 'http/json') {
    const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
    if (traces !== undefined) return { protocol, url: traces, setting: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' };
    const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
    if (base) return { protocol, url: `${base.replace(/\/+$/, '')}/v1/traces`, setting: 'OTEL_EXPORTER_OTLP_ENDPOINT' };
    return { protocol, url: 'http://localhost:4318/v1/traces', setting: "OpenTelemetry's default" };
  }
  const grpc = tracing['opentracing_grpc_endpoint'];
  return typeof grpc === 'string' && grpc !== '' ? { protocol: 'grpc', url: grpc, setting: 'tracing.opentracing_grpc_endpoint' } : undefined;
}

/** One model request's trace: its span, the attempts' spans, and the end that fills in what happened. */
export interface RequestTrace {
  /** An upstream attempt starts: its span, and the `traceparent` the upstream gets (naming that span). */
  attempt(origin: string, path: string): AttemptTrace;
  /**
   * A step of the request's own (a routing decision, a stored conversation read), as an INTERNAL
   * child span from `startedAt` (epoch ms) until now.
   */
  step(name: string, startedAt: number, attributes: SpanAttributes): void;
  /** The request is complete: the span gets what the access log knows, and ends. */
  end(entry: AccessLogEntry): void;
}

export interface AttemptTrace {
  /** Naming the attempt's span (a client's `tracestate` goes on with its other headers). */
  traceparent: string;
  end(status: number): void;
  fail(error: unknown): void;
}

export interface Tracing {
  readonly target: ExportTarget;
  /** A request arrived (`startedAt`: performance.now()): its span, continuing the client's `traceparent`. */
  startRequest(headers: IncomingHttpHeaders, startedAt: number): RequestTrace;
  /** Exports what is pending, then stops. */
  close(): Promise<void>;
}

/**
 * The tracing the config asks for, loaded (undefined without a `tracing` section or a place to
 * send spans), and what of the section is not served, for startup to say.
 */
export async function openTracing(config: PlanoConfig, env: Env): Promise<{ tracing: Tracing | undefined; warnings: string[] }> {
  const section = config.raw['tracing'];
  if (typeof section !== 'object' || section === null) return { tracing: undefined, warnings: [] };
  const tracing = section as Record<string, unknown>;
  const warnings = Array.isArray(tracing['exporters']) ? ['tracing.exporters (PostHog) are not served by plano up: spans go only to the OTLP endpoint'] : [];
  const named = exportTarget(tracing, env);
  if (!named) {
    warnings.unshift('tracing: no spans are exported — set opentracing_grpc_endpoint, or OTEL_EXPORTER_OTLP_PROTOCOL and OTEL_EXPORTER_OTLP_ENDPOINT for OTLP/HTTP');
    return { tracing: undefined, warnings };
  }
  // OpenTelemetry's exporter refuses such a URL as it starts (on the export thread): said here instead.
  if (parseBaseUrl(named.url) === null) {
    warnings.unshift(`tracing: no spans are exported — ${named.setting} (${JSON.stringify(named.url)}) is not an http:// or https:// URL; give one such as http://localhost:4318`);
    return { tracing: undefined, warnings };
  }
  const target: ExportTarget = { protocol: named.protocol, url: named.url };

  const sampling = typeof tracing['random_sampling'] === 'number' ? Math.min(100, Math.max(0, tracing['random_sampling'])) : 100;
  const spanAttributes = (tracing['span_attributes'] ?? {}) as { header_prefixes?: unknown; static?: unknown };
  const staticAttributes = isStringRecord(spanAttributes.static) ? spanAttributes.static : {};
  const headerPrefixes = Array.isArray(spanAttributes.header_prefixes) ? spanAttributes.header_prefixes.filter((p): p is string => typeof p === 'string').map((p) => p.toLowerCase()) : [];
  const exporter = startSpanExport(target, { 'service.name': 'plano', ...staticAttributes });

  const tracer: Tracer = { exporter, sampling, headerPrefixes };
  const opened: Tracing = {
    target,
    startRequest: (headers, startedAt) => new RequestSpan(tracer, headers, startedAt),
    close: () => exporter.close(),
  };
  return { tracing: opened, warnings };
}

/** What every span of an opened tracing shares. */
interface Tracer {
  exporter: SpanExport;
  /** `random_sampling`, 0–100. */
  sampling: number;
  headerPrefixes: readonly string[];
}

// A request's span and its attempts' spans are objects of their own classes — each both the trace
// handle the pipeline holds and the record the exporter encodes, attributes written by a method —
// rather than closures and a record built at the end: fewer objects per traced request (the
// stage's own work in a loop 5.4 → 4.8 µs a request, session 8).

/** A model request's SERVER span: its trace continues the client's `traceparent`, or starts here. */
class RequestSpan implements RequestTrace, SpanRecord {
  readonly traceId: SpanId;
  readonly spanId = randomSpanId(8);
  readonly parentSpanId: SpanId | undefined;
  readonly parentRemote: boolean;
  readonly kind = SPAN_KIND_SERVER;
  /** Parent-based, then `random_sampling` for the traces plano starts (OpenTelemetry's ParentBased(TraceIdRatio)). */
  readonly sampled: boolean;
  name = NO_NAME;
  startMs = 0;
  endMs = 0;
  status: SpanStatus = UNSET_STATUS;
  attempts = 0;
  #entry: AccessLogEntry | undefined;
  #operation = '';

  constructor(
    readonly tracer: Tracer,
    readonly headers: IncomingHttpHeaders,
    /** performance.now() at the request's arrival. */
    readonly startedAt: number,
  ) {
    const parent = parseTraceparent(headers.traceparent);
    this.traceId = parent ? SpanId.fromHex(parent.traceId) : randomSpanId(16);
    this.parentSpanId = parent ? SpanId.fromHex(parent.spanId) : undefined;
    this.parentRemote = parent !== undefined;
    const { sampling } = tracer;
    this.sampled = parent ? parent.sampled : sampling >= 100 || (sampling > 0 && Math.random() * 100 < sampling);
  }

  attempt(origin: string, path: string): AttemptTrace {
    return new AttemptSpan(this, upstreamOf(origin), path, ++this.attempts);
  }

  step(name: string, stepStart: number, attributes: SpanAttributes): void {
    if (!this.sampled) return;
    this.tracer.exporter.add({
      traceId: this.traceId,
      spanId: randomSpanId(8),
      parentSpanId: this.spanId,
      parentRemote: false,
      name,
      kind: SPAN_KIND_INTERNAL,
      startMs: stepStart,
      endMs: Date.now(),
      attributes,
      status: UNSET_STATUS,
    });
  }

  end(entry: AccessLogEntry): void {
    // A trace the sampler left out records nothing: no attribute is worth building for it.
    if (!this.sampled) return;
    // OpenTelemetry's GenAI operation names.
    const operation = entry.path === EMBEDDINGS_PATH ? 'embeddings' : entry.api === 'responses' ? 'responses' : 'chat';
    this.#entry = entry;
    this.#operation = operation;
    this.name = requestSpanName(operation, entry.requested ?? entry.model ?? '');
    // performance.now() → epoch milliseconds.
    this.startMs = performance.timeOrigin + this.startedAt;
    this.endMs = performance.timeOrigin + (this.startedAt + entry.totalMs);
    this.status =
      entry.status >= 500 || entry.error !== null
        ? entry.status >= 500 && entry.error
          ? { code: STATUS_ERROR, message: entry.error }
          : ERROR_STATUS
        : UNSET_STATUS;
    this.tracer.exporter.add(this);
  }

  /** Read by the exporter once the span has ended (the entry is complete then and not changed after). */
  attributes(writer: AttributeWriter): void {
    writeRequestAttributes(writer, this.#entry!, this.#operation);
    const { headerPrefixes } = this.tracer;
    if (headerPrefixes.length > 0) writer.all(headerAttributes(this.headers, headerPrefixes));
  }
}

/** One upstream attempt's CLIENT span, child of the request's; the upstream's `traceparent` names it. */
class AttemptSpan implements AttemptTrace, SpanRecord {
  readonly spanId = randomSpanId(8);
  readonly startMs = Date.now();
  // The request's ids, held as fields of the attempt's own (getters would make every span's id
  // read in the encoder a call).
  readonly traceId: SpanId;
  readonly parentSpanId: SpanId;
  readonly name: SpanName;
  readonly parentRemote = false;
  readonly kind = SPAN_KIND_CLIENT;
  endMs = 0;
  status: SpanStatus = UNSET_STATUS;
  /** How the attempt ended: the upstream's status, or else the kind of failure (upstream-client.ts). */
  #responseStatus: number | undefined;
  #errorType = 'error';

  constructor(
    readonly request: RequestSpan,
    readonly upstream: Upstream,
    readonly path: string,
    readonly number: number,
  ) {
    this.traceId = request.traceId;
    this.parentSpanId = request.spanId;
    this.name = upstream.spanName;
  }

  get traceparent(): string {
    return `00-${this.traceId.hex}-${this.spanId.hex}-${this.request.sampled ? '01' : '00'}`;
  }

  end(status: number): void {
    this.#responseStatus = status;
    this.#finish(status >= 400 ? ERROR_STATUS : UNSET_STATUS);
  }

  fail(error: unknown): void {
    this.#errorType = (error as { kind?: string }).kind ?? 'error';
    this.#finish({ code: STATUS_ERROR, message: (error as Error).message });
  }

  attributes(writer: AttributeWriter): void {
    const ended = this.#responseStatus !== undefined;
    // In ATTEMPT_RUN's order.
    writer.recurringRun(ATTEMPT_RUN, [this.upstream.url(this.path), this.upstream.host, this.number, ended ? this.#responseStatus! : null, ended ? null : this.#errorType]);
  }

  #finish(status: SpanStatus): void {
    if (!this.request.sampled) return;
    this.endMs = Date.now();
    this.status = status;
    this.request.tracer.exporter.add(this);
  }
}

/** A W3C `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header), as OpenTelemetry's propagator reads it; undefined when absent or invalid. */
export function parseTraceparent(header: string | string[] | undefined): { traceId: string; spanId: string; sampled: boolean } | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  // Version ff is invalid; version 00 has nothing after the flags; later versions may.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

const ALL_ZEROS = /^0+$/;

/** `span_attributes.header_prefixes`: the request's headers with those prefixes — never one that authenticates. */
function headerAttributes(headers: IncomingHttpHeaders, prefixes: readonly string[]): SpanAttributes {
  const out: SpanAttributes = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !prefixes.some((prefix) => name.startsWith(prefix)) || isCredentialKeyName(name)) continue;
    out[`http.request.header.${name}`] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The keys of the request's and the attempts' spans, encoded once. */
const KEY = {
  operation: attributeKey('gen_ai.operation.name'),
  requestModel: attributeKey('gen_ai.request.model'),
  responseModel: attributeKey('gen_ai.response.model'),
  providerName: attributeKey('gen_ai.provider.name'),
  inputTokens: attributeKey('gen_ai.usage.input_tokens'),
  outputTokens: attributeKey('gen_ai.usage.output_tokens'),
  method: attributeKey('http.request.method'),
  urlPath: attributeKey('url.path'),
  responseStatus: attributeKey('http.response.status_code'),
  model: attributeKey('plano.model'),
  provider: attributeKey('plano.provider'),
  route: attributeKey('plano.route'),
  attempts: attributeKey('plano.attempts'),
  stream: attributeKey('plano.stream'),
  ttfb: attributeKey('plano.ttfb_ms'),
  urlFull: attributeKey('url.full'),
  serverAddress: attributeKey('server.address'),
  attempt: attributeKey('plano.attempt'),
  errorType: attributeKey('error.type'),
};

/**
 * The request span's attributes: OpenTelemetry's GenAI conventions, then plano's; what the entry
 * does not know is left out. All but the token counts and the time to first byte recur from
 * request to request, together: one run.
 */
function writeRequestAttributes(writer: AttributeWriter, entry: AccessLogEntry, operation: string): void {
  // In REQUEST_RUN's order.
  writer.recurringRun(REQUEST_RUN, [
    operation,
    (entry.requested ?? entry.model) || null,
    entry.upstreamModel,
    entry.provider,
    entry.method,
    entry.path,
    entry.status,
    entry.model,
    entry.provider,
    entry.route,
    entry.attempts,
    entry.stream,
  ]);
  if (entry.usage?.input_tokens !== undefined) writer.number(KEY.inputTokens, entry.usage.input_tokens);
  if (entry.usage?.output_tokens !== undefined) writer.number(KEY.outputTokens, entry.usage.output_tokens);
  if (entry.ttfbMs !== null) writer.number(KEY.ttfb, entry.ttfbMs);
}

const REQUEST_RUN = new RecurringRun([
  KEY.operation,
  KEY.requestModel,
  KEY.responseModel,
  KEY.providerName,
  KEY.method,
  KEY.urlPath,
  KEY.responseStatus,
  KEY.model,
  KEY.provider,
  KEY.route,
  KEY.attempts,
  KEY.stream,
]);

/** An attempt's attributes, all of which recur: where it went, which attempt, how it ended. */
const ATTEMPT_RUN = new RecurringRun([KEY.urlFull, KEY.serverAddress, KEY.attempt, KEY.responseStatus, KEY.errorType]);

/**
 * A request span's name, OpenTelemetry's GenAI way (`{operation} {model}`), made once for each
 * operation and model named lately. Bounded: a client may name a new model every request.
 */
function requestSpanName(operation: string, model: string): SpanName {
  let names = requestSpanNames.get(operation);
  if (names === undefined) requestSpanNames.set(operation, (names = new Map()));
  return names.get(model) ?? remember(names, model, new SpanName(`${operation} ${model}`.trim()), REQUEST_SPAN_NAMES);
}

const REQUEST_SPAN_NAMES = 256;
const requestSpanNames = new Map<string, Map<string, SpanName>>();
const NO_NAME = new SpanName('');

/** Span statuses without a message, shared by every span that has one. */
const UNSET_STATUS: SpanStatus = Object.freeze({ code: STATUS_UNSET });
const ERROR_STATUS: SpanStatus = Object.freeze({ code: STATUS_ERROR });

/**
 * An upstream's origin as its attempts' spans show it. Origins and paths repeat from request to
 * request: the host, the span name and each path's redacted URL are made once, not concatenated,
 * flattened and looked up again for every attempt. Bounded, as the URLs are (redactUrlCached).
 */
class Upstream {
  readonly host: string;
  readonly spanName: SpanName;
  readonly #urls = new Map<string, string>();

  constructor(readonly origin: string) {
    let host: string;
    try {
      host = new URL(origin).hostname;
    } catch {
      host = origin;
    }
    this.host = host;
    this.spanName = new SpanName(`POST ${origin}`);
  }

  /** `url.full` of a call to `path` here, credentials redacted. */
  url(path: string): string {
    return this.#urls.get(path) ?? remember(this.#urls, path, redactUrlCached(this.origin + path), UPSTREAM_PATHS);
  }
}

const UPSTREAMS = 1024;
const UPSTREAM_PATHS = 64;
const upstreams = new Map<string, Upstream>();

function upstreamOf(origin: string): Upstream {
  return upstreams.get(origin) ?? remember(upstreams, origin, new Upstream(origin), UPSTREAMS);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}
