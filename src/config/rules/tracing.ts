/**
 * Rules about `tracing`: the OpenTelemetry collector is reached over gRPC at
 * `http://host:port` — the reference accepts only the http scheme and no path.
 */
import { finding } from '../finding.js';
import type { Rule } from './types.js';

export const tracingEndpoint: Rule = (config, ctx) => {
  const tracing = config.raw.tracing;
  const value = typeof tracing === 'object' && tracing !== null ? (tracing as Record<string, unknown>).opentracing_grpc_endpoint : undefined;
  if (typeof value !== 'string') return [];
  const problem = grpcEndpointProblem(value);
  if (!problem) return [];
  return [finding(ctx.document, {
    severity: 'error',
    code: 'invalid-tracing-endpoint',
    message: `tracing.opentracing_grpc_endpoint "${value}" ${problem}: it must be http://<host>:<port> with no path.`,
    path: '/tracing/opentracing_grpc_endpoint',
    suggestion: `opentracing_grpc_endpoint: ${fixed(value) ?? 'http://localhost:4317'}`,
  })];
};

function grpcEndpointProblem(value: string): string | undefined {
  const url = parse(value);
  if (!value.includes('://')) return 'has no http:// scheme';
  if (!url) return 'is not a URL';
  if (url.protocol !== 'http:') return `uses ${url.protocol}//, not http://`;
  if (url.pathname !== '/' && url.pathname !== '') return `has a path (${url.pathname})`;
  if (url.search !== '' || url.hash !== '') return 'has a query or fragment';
  return undefined;
}

/** The same host and port as an http:// URL without a path, when the value has a host at all. */
function fixed(value: string): string | undefined {
  const url = value.includes('://') ? parse(value) : parse(`http://${value}`);
  return url && url.host !== '' ? `http://${url.host}` : undefined;
}

function parse(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
