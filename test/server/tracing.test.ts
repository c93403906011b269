/**
 * The tracing stage on its own (src/server/tracing.ts, span-export.ts): opened from a config,
 * driven as the pipeline drives it, its spans exported from the worker thread to an OTLP/HTTP
 * receiver (protobuf) the test starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../src/config/normalize.js';
import { newAccessLogEntry } from '../../src/server/access-log.js';
import { openTracing, parseTraceparent, type Tracing } from '../../src/server/tracing.js';
import { createMemoryStore } from '../../src/server/conversation-store.js';
import { startHttpReceiver, type OtlpReceiver } from '../e2e/otlp-receiver.js';
import { harness, jsonAnswer, logged, testGateway } from './gateway-harness.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(() => receiver?.close());

async function tracingWith(section: Record<string, unknown>): Promise<Tracing> {
  const config = normalizeConfig({ version: 'v0.3.0', listeners: [{ type: 'model', name: 'llm', port: 12000 }], model_providers: [], tracing: section });
  const { tracing } = await openTracing(config, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` });
  return tracing!;
}

/** One request as the pipeline runs it: an attempt, then the end with what the access log knows. */
function serveOne(tracing: Tracing, headers: Record<string, string> = {}): string {
  const trace = tracing.startRequest(headers, performance.now());
  const attempt = trace.attempt('https://api.openai.com', '/v1/chat/completions?key=secret');
  attempt.end(200);
  trace.end({ ...newAccessLogEntry('POST', '/v1/chat/completions', 'chat_completions'), requested: 'gpt-4o', model: 'openai/gpt-4o', status: 200, attempts: 1, usage: { input_tokens: 3, output_tokens: 4 } });
  return attempt.traceparent;
}

describe('parseTraceparent', () => {
  it('reads valid W3C headers and refuses the rest, as OpenTelemetry’s propagator does', () => {
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', sampled: true });
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00')?.sampled).toBe(false);
    // A later version may carry more after the flags.
    expect(parseTraceparent('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03-more')?.sampled).toBe(true);
    for (const bad of [
      undefined,
      '',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-more',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01',
    ]) {
      expect(parseTraceparent(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('where spans go', () => {
  it.each([
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, {}, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }, {}, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'],
    [{}, { opentracing_grpc_endpoint: 'ftp://collector:4317' }, 'tracing.opentracing_grpc_endpoint'],
  ])('an endpoint that is not an http(s) URL is said at startup, naming the setting, and nothing is exported (%j %j)', async (env, section, setting) => {
    const config = normalizeConfig({ version: 'v0.3.0', listeners: [{ type: 'model', name: 'llm', port: 12000 }], model_providers: [], tracing: { random_sampling: 100, ...section } });
    const { tracing, warnings } = await openTracing(config, env);
    expect(tracing).toBeUndefined();
    expect(warnings.join('\n')).toMatch(new RegExp(`tracing: no spans are exported — ${setting.replace(/\./g, '\\.')} \\(.+\\) is not an http:// or https:// URL`));
  });
});

describe('the tracing stage', () => {
  it('exports a sampled request’s spans, with the URL’s credentials cut', async () => {
    const tracing = await tracingWith({ random_sampling: 100 });
    const traceparent = serveOne(tracing);
    const [, traceId, attemptId, flags] = traceparent.split('-');
    expect(flags).toBe('01');
    await tracing.close();
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    expect(spans.map((s) => [s.kind, s.name]).sort()).toEqual([[2, 'chat gpt-4o'], [3, 'POST https://api.openai.com']]);
    const attempt = spans.find((s) => s.kind === 3)!;
    expect(attempt.spanId).toBe(attemptId);
    expect(attempt.attributes['url.full']).toBe('https://api.openai.com/v1/chat/completions?key=***');
    expect(spans.find((s) => s.kind === 2)!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 4 });
  });

  it('gives each attempt its own CLIENT span: its number, host, and the upstream’s status or the kind of failure', async () => {
    const tracing = await tracingWith({ random_sampling: 100 });
    const trace = tracing.startRequest({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, performance.now());
    trace.attempt('http://127.0.0.1:9', '/v1/messages').fail(Object.assign(new Error('connect ECONNREFUSED'), { kind: 'connect' }));
    trace.attempt('https://api.anthropic.com', '/v1/messages').end(503);
    trace.attempt('https://api.anthropic.com', '/v1/messages').end(200);
    trace.end({ ...newAccessLogEntry('POST', '/v1/chat/completions', 'chat_completions'), requested: 'claude', status: 200, attempts: 3 });
    await tracing.close();
    const spans = receiver.spans.filter((s) => s.traceId === '4bf92f3577b34da6a3ce929d0e0e4736');
    const request = spans.find((s) => s.kind === 2)!;
    expect(request.parentSpanId).toBe('00f067aa0ba902b7');
    expect(request.attributes).toMatchObject({ 'gen_ai.request.model': 'claude', 'plano.attempts': 3, 'http.response.status_code': 200 });
    const attempts = spans.filter((s) => s.kind === 3).sort((a, b) => Number(a.attributes['plano.attempt']) - Number(b.attributes['plano.attempt']));
    expect(attempts.map((s) => s.parentSpanId)).toEqual([request.spanId, request.spanId, request.spanId]);
    expect(attempts.map((s) => [s.name, s.attributes])).toEqual([
      ['POST http://127.0.0.1:9', { 'url.full': 'http://127.0.0.1:9/v1/messages', 'server.address': '127.0.0.1', 'plano.attempt': 1, 'error.type': 'connect' }],
      ['POST https://api.anthropic.com', { 'url.full': 'https://api.anthropic.com/v1/messages', 'server.address': 'api.anthropic.com', 'plano.attempt': 2, 'http.response.status_code': 503 }],
      ['POST https://api.anthropic.com', { 'url.full': 'https://api.anthropic.com/v1/messages', 'server.address': 'api.anthropic.com', 'plano.attempt': 3, 'http.response.status_code': 200 }],
    ]);
  });

  it('exports nothing for a trace the sampler leaves out, and says so to the upstream (flags 00)', async () => {
    const before = receiver.spans.length;
    const never = await tracingWith({ random_sampling: 0 });
    expect(serveOne(never).endsWith('-00')).toBe(true);
    await never.close();
    // A client's unsampled trace is not sampled here either, whatever random_sampling says.
    const always = await tracingWith({ random_sampling: 100 });
    const traceparent = serveOne(always, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' });
    expect(traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-00$/);
    await always.close();
    expect(receiver.spans.length).toBe(before);
  });
});

describe('the request’s own steps', () => {
  it('a routing decision and a conversation read are INTERNAL children of the request span', async () => {
    const tracing = await tracingWith({ random_sampling: 100 });
    const model = testGateway().models.find((m) => m.name === 'openai/gpt-4o')!;
    const { post, log } = harness(() => jsonAnswer('openai-response.json'), {
      tracing,
      conversations: createMemoryStore(),
      // Routing stands in: every request goes to the `coding` route's model.
      selectModel: async () => ({ found: true, requested: model.name, model, via: 'default', routing: { route: 'coding', candidates: [model], notes: [] } }),
    });
    const first = await post('/v1/responses', { input: 'hi' });
    const { id } = (await first.json()) as { id: string };
    const second = await post('/v1/responses', { input: 'again', previous_response_id: id });
    expect(second.status).toBe(200);
    // The request spans end when their log entries are written (after the response).
    await logged(log, 2);
    await tracing.close();
    const steps = receiver.spans.filter((s) => s.kind === 1);
    expect(steps.map((s) => s.name).sort()).toEqual(['conversation read', 'routing', 'routing']);
    const read = steps.find((s) => s.name === 'conversation read')!;
    expect(read.attributes).toMatchObject({ 'plano.state.store': 'memory', 'plano.state.previous_response_id': id, 'plano.state.found': true });
    expect(steps.find((s) => s.name === 'routing')!.attributes).toMatchObject({ 'plano.route': 'coding', 'plano.routing.models': 'openai/gpt-4o' });
    // Each is a child of its request's SERVER span.
    const requests = receiver.spans.filter((s) => s.kind === 2);
    for (const step of steps) expect(requests.some((r) => r.spanId === step.parentSpanId && r.traceId === step.traceId)).toBe(true);
  });
});
