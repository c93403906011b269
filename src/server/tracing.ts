/**
 * The tracing stage (`tracing:` in the config): an OpenTelemetry span per model request, with a
 * CLIENT child per upstream attempt, exported over OTLP. Loaded only when the config has a
 * `tracing` section — without one no exporter is loaded and a request pays a property read.
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
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import { isCredentialKeyName, redactUrl } from '../config/secret-values.js';
import type { PlanoConfig } from '../config/types.js';
import type { AccessLogEntry } from './access-log.js';

type Env = Readonly<Record<string, string | undefined>>;

/** How spans are exported: the protocol and where. */
export interface ExportTarget {
  protocol: 'grpc' | 'http/protobuf' | 'http/json';
  url: string;
}

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
  /** The request is complete: the span gets what the access log knows, and ends. */
  end(entry: AccessLogEntry): void;
}

export interface AttemptTrace {
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

  const [api, { TracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler }, { W3CTraceContextPropagator }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ]);
  const exporter = await createExporter(target);
  const sampling = typeof tracing['random_sampling'] === 'number' ? Math.min(100, Math.max(0, tracing['random_sampling'])) : 100;
  const spanAttributes = (tracing['span_attributes'] ?? {}) as { header_prefixes?: unknown; static?: unknown };
  const staticAttributes = isStringRecord(spanAttributes.static) ? spanAttributes.static : {};
  const headerPrefixes = Array.isArray(spanAttributes.header_prefixes) ? spanAttributes.header_prefixes.filter((p): p is string => typeof p === 'string').map((p) => p.toLowerCase()) : [];
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'plano', ...staticAttributes }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampling / 100) }),
    // Exported within a second or two of the request (the contract is 10 s).
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 1_000 })],
  });
  const tracer: Tracer = provider.getTracer('plano');
  const propagator = new W3CTraceContextPropagator();
  const headerGetter = {
    keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
    get: (carrier: IncomingHttpHeaders, key: string) => carrier[key],
  };
  // performance.now() → epoch milliseconds, for spans started at a request's arrival.
  const epochOf = (now: number): number => performance.timeOrigin + now;

  const opened: Tracing = {
    target,
    startRequest(headers, startedAt) {
      const parent: Context = propagator.extract(api.ROOT_CONTEXT, headers, headerGetter);
      const attributes: Attributes = { ...headerAttributes(headers, headerPrefixes) };
      const span: Span = tracer.startSpan('plano request', { kind: api.SpanKind.SERVER, startTime: epochOf(startedAt), attributes }, parent);
      // A span the sampler left out records nothing: no attribute is worth building for it.
      const recording = span.isRecording();
      const within = api.trace.setSpan(parent, span);
      let attempts = 0;
      return {
        attempt(origin, path) {
          attempts++;
          const attemptSpan = tracer.startSpan(
            `POST ${origin}`,
            recording
              ? { kind: api.SpanKind.CLIENT, attributes: { 'url.full': redactUrl(`${origin}${path}`), 'server.address': hostOf(origin), 'plano.attempt': attempts } }
              : { kind: api.SpanKind.CLIENT },
            within,
          );
          const carrier: Record<string, string> = {};
          propagator.inject(api.trace.setSpan(within, attemptSpan), carrier, { set: (c, k, v) => void (c[k] = v) });
          return {
            traceparent: carrier['traceparent'] ?? '',
            end(status) {
              attemptSpan.setAttribute('http.response.status_code', status);
              if (status >= 400) attemptSpan.setStatus({ code: api.SpanStatusCode.ERROR });
              attemptSpan.end();
            },
            fail(error) {
              attemptSpan.setAttribute('error.type', (error as { kind?: string }).kind ?? 'error');
              attemptSpan.setStatus({ code: api.SpanStatusCode.ERROR, message: (error as Error).message });
              attemptSpan.end();
            },
          };
        },
        end(entry) {
          if (!recording) return span.end();
          const operation = entry.api === 'messages' ? 'chat' : entry.api === 'responses' ? 'responses' : 'chat';
          span.updateName(`${operation} ${entry.requested ?? entry.model ?? ''}`.trim());
          span.setAttributes(
            definedAttributes({
              'gen_ai.operation.name': operation,
              'gen_ai.request.model': entry.requested ?? entry.model ?? undefined,
              'gen_ai.response.model': entry.upstreamModel ?? undefined,
              'gen_ai.provider.name': entry.provider ?? undefined,
              'gen_ai.usage.input_tokens': entry.usage?.input_tokens,
              'gen_ai.usage.output_tokens': entry.usage?.output_tokens,
              'http.request.method': entry.method,
              'url.path': entry.path,
              'http.response.status_code': entry.status,
              'plano.model': entry.model ?? undefined,
              'plano.provider': entry.provider ?? undefined,
              'plano.route': entry.route ?? undefined,
              'plano.attempts': entry.attempts,
              'plano.stream': entry.stream,
              'plano.ttfb_ms': entry.ttfbMs ?? undefined,
            }),
          );
          if (entry.status >= 500 || entry.error !== null) span.setStatus({ code: api.SpanStatusCode.ERROR, ...(entry.status >= 500 && entry.error ? { message: entry.error } : {}) });
          span.end(epochOf(entry.totalMs + startedAt));
        },
      };
    },
    async close() {
      await provider.shutdown();
    },
  };
  return { tracing: opened, warnings };
}

async function createExporter(target: ExportTarget) {
  if (target.protocol === 'grpc') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
    return new OTLPTraceExporter({ url: target.url });
  }
  if (target.protocol === 'http/protobuf') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    return new OTLPTraceExporter({ url: target.url });
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({ url: target.url });
}

/** `span_attributes.header_prefixes`: the request's headers with those prefixes — never one that authenticates. */
function headerAttributes(headers: IncomingHttpHeaders, prefixes: readonly string[]): Attributes {
  if (prefixes.length === 0) return {};
  const out: Attributes = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !prefixes.some((prefix) => name.startsWith(prefix)) || isCredentialKeyName(name)) continue;
    out[`http.request.header.${name}`] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function definedAttributes(values: Record<string, string | number | boolean | undefined>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = value;
  return out;
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return origin;
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}
