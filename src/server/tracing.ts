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
import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isCredentialKeyName, redactUrlCached } from '../config/secret-values.js';
import type { PlanoConfig } from '../config/types.js';
import { EMBEDDINGS_PATH } from '../providers/types.js';
import type { AccessLogEntry } from './access-log.js';
import {
  SPAN_KIND_CLIENT,
  SPAN_KIND_INTERNAL,
  SPAN_KIND_SERVER,
  startSpanExport,
  STATUS_ERROR,
  STATUS_UNSET,
  type ExportTarget,
  type SpanAttributes,
  type SpanStatus,
} from './span-export.js';

export type { ExportTarget, SpanAttributes } from './span-export.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Where `tracing` and the environment say spans go; undefined when nowhere is named. */
export function exportTarget(tracing: Readonly<Record<string, unknown>>, env: Env): ExportTarget | undefined {
  const protocol = env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'];
  if (protocol === 'http/protobuf' || protocol === 'http/json') {
    const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
    const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
    const url = traces ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : 'http://localhost:4318/v1/traces');
    return { protocol, url };
  }
  const grpc = tracing['opentracing_grpc_endpoint'];
  return typeof grpc === 'string' && grpc !== '' ? { protocol: 'grpc', url: grpc } : undefined;
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
  const target = exportTarget(tracing, env);
  if (!target) {
    warnings.unshift('tracing: no spans are exported — set opentracing_grpc_endpoint, or OTEL_EXPORTER_OTLP_PROTOCOL and OTEL_EXPORTER_OTLP_ENDPOINT for OTLP/HTTP');
    return { tracing: undefined, warnings };
  }

  const sampling = typeof tracing['random_sampling'] === 'number' ? Math.min(100, Math.max(0, tracing['random_sampling'])) : 100;
  const spanAttributes = (tracing['span_attributes'] ?? {}) as { header_prefixes?: unknown; static?: unknown };
  const staticAttributes = isStringRecord(spanAttributes.static) ? spanAttributes.static : {};
  const headerPrefixes = Array.isArray(spanAttributes.header_prefixes) ? spanAttributes.header_prefixes.filter((p): p is string => typeof p === 'string').map((p) => p.toLowerCase()) : [];
  const exporter = startSpanExport(target, { 'service.name': 'plano', ...staticAttributes });
  // performance.now() → epoch milliseconds, for spans started at a request's arrival.
  const epochOf = (now: number): number => performance.timeOrigin + now;

  const opened: Tracing = {
    target,
    startRequest(headers, startedAt) {
      const parent = parseTraceparent(headers.traceparent);
      const traceId = parent?.traceId ?? randomId(16);
      const spanId = randomId(8);
      // Parent-based, then `random_sampling` for the traces plano starts (OpenTelemetry's ParentBased(TraceIdRatio)).
      const sampled = parent ? parent.sampled : sampling >= 100 || (sampling > 0 && Math.random() * 100 < sampling);
      const flags = sampled ? '01' : '00';
      let attempts = 0;
      return {
        attempt(origin, path) {
          attempts++;
          const attemptId = randomId(8);
          const attemptStart = Date.now();
          const attemptNumber = attempts;
          const finish = (status: SpanStatus, attributes: SpanAttributes): void => {
            if (!sampled) return;
            exporter.add({
              traceId,
              spanId: attemptId,
              parentSpanId: spanId,
              parentRemote: false,
              name: `POST ${origin}`,
              kind: SPAN_KIND_CLIENT,
              start: attemptStart,
              end: Date.now(),
              attributes: { 'url.full': redactUrlCached(origin + path), 'server.address': hostOf(origin), 'plano.attempt': attemptNumber, ...attributes },
              status,
            });
          };
          return {
            traceparent: `00-${traceId}-${attemptId}-${flags}`,
            end: (status) => finish(status >= 400 ? { code: STATUS_ERROR } : { code: STATUS_UNSET }, { 'http.response.status_code': status }),
            fail: (error) => finish({ code: STATUS_ERROR, message: (error as Error).message }, { 'error.type': (error as { kind?: string }).kind ?? 'error' }),
          };
        },
        step(name, stepStart, attributes) {
          if (!sampled) return;
          exporter.add({
            traceId,
            spanId: randomId(8),
            parentSpanId: spanId,
            parentRemote: false,
            name,
            kind: SPAN_KIND_INTERNAL,
            start: stepStart,
            end: Date.now(),
            attributes,
            status: { code: STATUS_UNSET },
          });
        },
        end(entry) {
          // A trace the sampler left out records nothing: no attribute is worth building for it.
          if (!sampled) return;
          // OpenTelemetry's GenAI operation names.
          const operation = entry.path === EMBEDDINGS_PATH ? 'embeddings' : entry.api === 'responses' ? 'responses' : 'chat';
          exporter.add({
            traceId,
            spanId,
            ...(parent ? { parentSpanId: parent.spanId, parentRemote: true } : {}),
            name: `${operation} ${entry.requested ?? entry.model ?? ''}`.trim(),
            kind: SPAN_KIND_SERVER,
            start: epochOf(startedAt),
            end: epochOf(startedAt + entry.totalMs),
            attributes: requestAttributes(entry, operation, headerAttributes(headers, headerPrefixes)),
            status:
              entry.status >= 500 || entry.error !== null
                ? { code: STATUS_ERROR, ...(entry.status >= 500 && entry.error ? { message: entry.error } : {}) }
                : { code: STATUS_UNSET },
          });
        },
      };
    },
    close: () => exporter.close(),
  };
  return { tracing: opened, warnings };
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

/**
 * A random id of `bytes` bytes in lower-case hex, never all zeros. Cut from a pool that
 * crypto.randomFillSync refills: one call to the system for hundreds of ids (formatting ids a
 * piece at a time was a quarter of what a traced request cost the tracing stage).
 */
const idPool = Buffer.alloc(4096);
let idPoolOffset = idPool.length;
function randomId(bytes: 8 | 16): string {
  if (idPoolOffset + bytes > idPool.length) {
    randomFillSync(idPool);
    idPoolOffset = 0;
  }
  const id = idPool.toString('hex', idPoolOffset, idPoolOffset + bytes);
  idPoolOffset += bytes;
  // All zeros is not a valid id (W3C Trace Context): vanishingly rare, and never sent.
  return ALL_ZEROS.test(id) ? randomId(bytes) : id;
}

const ALL_ZEROS = /^0+$/;

/** `span_attributes.header_prefixes`: the request's headers with those prefixes — never one that authenticates. */
function headerAttributes(headers: IncomingHttpHeaders, prefixes: readonly string[]): SpanAttributes {
  if (prefixes.length === 0) return {};
  const out: SpanAttributes = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !prefixes.some((prefix) => name.startsWith(prefix)) || isCredentialKeyName(name)) continue;
    out[`http.request.header.${name}`] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The request span's attributes: OpenTelemetry's GenAI conventions, then plano's; what the entry does not know is left out. */
function requestAttributes(entry: AccessLogEntry, operation: string, attributes: SpanAttributes): SpanAttributes {
  attributes['gen_ai.operation.name'] = operation;
  const requested = entry.requested ?? entry.model;
  if (requested) attributes['gen_ai.request.model'] = requested;
  if (entry.upstreamModel !== null) attributes['gen_ai.response.model'] = entry.upstreamModel;
  if (entry.provider !== null) attributes['gen_ai.provider.name'] = entry.provider;
  if (entry.usage?.input_tokens !== undefined) attributes['gen_ai.usage.input_tokens'] = entry.usage.input_tokens;
  if (entry.usage?.output_tokens !== undefined) attributes['gen_ai.usage.output_tokens'] = entry.usage.output_tokens;
  attributes['http.request.method'] = entry.method;
  attributes['url.path'] = entry.path;
  attributes['http.response.status_code'] = entry.status;
  if (entry.model !== null) attributes['plano.model'] = entry.model;
  if (entry.provider !== null) attributes['plano.provider'] = entry.provider;
  if (entry.route !== null) attributes['plano.route'] = entry.route;
  attributes['plano.attempts'] = entry.attempts;
  attributes['plano.stream'] = entry.stream;
  if (entry.ttfbMs !== null) attributes['plano.ttfb_ms'] = entry.ttfbMs;
  return attributes;
}

// An upstream's origin repeats from request to request: its host is read once. Bounded, as the
// URLs are (redactUrlCached).
const hosts = new Map<string, string>();

function hostOf(origin: string): string {
  let host = hosts.get(origin);
  if (host === undefined) {
    try {
      host = new URL(origin).hostname;
    } catch {
      host = origin;
    }
    if (hosts.size >= 1024) hosts.clear();
    hosts.set(origin, host);
  }
  return host;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}
