/**
 * Traces from `plano up` (issue 16, the `tracing` section): the built binary in front of the mock
 * provider, exporting to OTLP receivers the test starts — gRPC (`opentracing_grpc_endpoint`) and
 * OTLP/HTTP with JSON (chosen by OTEL_EXPORTER_OTLP_PROTOCOL). What arrives is decoded and the
 * span tree read: a SERVER span per request with the GenAI attributes, a CLIENT child per upstream
 * attempt, the client's traceparent continued and the upstream given plano's own.
 */
import OpenAI from 'openai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamFixture } from '../server/gateway-harness.js';
import { CONFIGURED_KEYS } from './gateway-on-mock.js';
import { startGrpcReceiver, startHttpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { startMockUpstream, type MockUpstream } from './up-mock-upstream.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

let mock: MockUpstream;
let grpcReceiver: OtlpReceiver;
let httpReceiver: OtlpReceiver;
let dir: string;
const running: PlanoUp[] = [];

const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';

async function planoWith(tracing: string, env: Record<string, string> = {}): Promise<PlanoUp> {
  const folder = await mkdtemp(join(dir, 'plano-'));
  const config = `${upstreamFixture('gateway.yaml').replaceAll('http://127.0.0.1:1', mock.url)}\n${tracing}`;
  await writeFile(join(folder, 'plano_config.yaml'), config);
  const plano = await startPlanoUp([], { ...CONFIGURED_KEYS, ...env }, folder);
  running.push(plano);
  return plano;
}

beforeAll(async () => {
  [mock, grpcReceiver, httpReceiver] = await Promise.all([startMockUpstream(), startGrpcReceiver(), startHttpReceiver()]);
  dir = await mkdtemp(join(tmpdir(), 'plano-tracing-'));
});

afterAll(async () => {
  for (const plano of running) plano.kill();
  await Promise.all(running.map((plano) => plano.exited));
  await Promise.all([mock?.close(), grpcReceiver?.close(), httpReceiver?.close()]);
  await rm(dir, { recursive: true, force: true });
});

/** The request span of the trace and its attempt children. */
function tree(spans: ReceivedSpan[], traceId: string): { request: ReceivedSpan; attempts: ReceivedSpan[] } {
  const request = spans.find((s) => s.traceId === traceId && s.kind === 2)!;
  return { request, attempts: spans.filter((s) => s.traceId === traceId && s.kind === 3 && s.parentSpanId === request.spanId) };
}

describe('tracing over OTLP/gRPC (opentracing_grpc_endpoint)', () => {
  it('a SERVER span per request continuing the client’s traceparent, a CLIENT span per attempt, the upstream given plano’s span', async () => {
    const plano = await planoWith(`tracing:\n  random_sampling: 100\n  opentracing_grpc_endpoint: ${grpcReceiver.url}\n`);
    expect(plano.stdout()).toContain(`Tracing: spans to ${grpcReceiver.url} over OTLP/gRPC.`);
    const client = new OpenAI({ baseURL: `${plano.url}/v1`, apiKey: 'sk-client-secret-do-not-export', maxRetries: 0 });
    await client.chat.completions.create(
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'A prompt that must not be exported' }] },
      { headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` } },
    );
    const spans = await grpcReceiver.until((all) => tree(all, CLIENT_TRACE).attempts.length > 0);
    const { request, attempts } = tree(spans, CLIENT_TRACE);

    expect(request.parentSpanId).toBe(CLIENT_SPAN);
    expect(request.name).toBe('chat gpt-4o');
    expect(request.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 10,
      'plano.model': 'openai/gpt-4o',
      'plano.provider': 'openai',
      'plano.attempts': 1,
      'http.response.status_code': 200,
    });
    expect(request.resource['service.name']).toBe('plano');
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.attributes['http.response.status_code']).toBe(200);

    // The upstream got a traceparent of the same trace, naming plano's attempt span.
    const upstreamTraceparent = String(mock.received[mock.received.length - 1]!.headers.traceparent);
    expect(upstreamTraceparent).toBe(`00-${CLIENT_TRACE}-${attempts[0]!.spanId}-01`);

    const exported = Buffer.concat(grpcReceiver.raw).toString('latin1');
    expect(exported).not.toContain('sk-client-secret-do-not-export');
    expect(exported).not.toContain(CONFIGURED_KEYS.OPENAI_API_KEY);
    expect(exported).not.toContain('A prompt that must not be exported');
  });
});

describe('tracing over OTLP/HTTP, chosen the OpenTelemetry way', () => {
  it('OTEL_EXPORTER_OTLP_PROTOCOL=http/json with OTEL_EXPORTER_OTLP_ENDPOINT: a root span for a request without traceparent', async () => {
    const plano = await planoWith('tracing:\n  random_sampling: 100\n', {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: httpReceiver.url,
    });
    expect(plano.stdout()).toContain(`Tracing: spans to ${httpReceiver.url}/v1/traces over OTLP/HTTP (http/json).`);
    const client = new OpenAI({ baseURL: `${plano.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    await client.responses.create({ model: 'anthropic/claude-sonnet-4-20250514', input: 'Hello' });
    const spans = await httpReceiver.until((all) => all.some((s) => s.kind === 2));
    const request = spans.find((s) => s.kind === 2)!;
    expect(request.parentSpanId).toBe('');
    expect(request.attributes).toMatchObject({ 'gen_ai.operation.name': 'responses', 'plano.provider': 'anthropic', 'gen_ai.usage.input_tokens': 2095 });
    expect(tree(spans, request.traceId).attempts).toHaveLength(1);
  });

  it('spans still batched when plano up is stopped (Ctrl+C) are exported before it exits, and it exits 0', async () => {
    const receiver = await startHttpReceiver();
    try {
      const plano = await planoWith('tracing:\n  random_sampling: 100\n', {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      });
      const client = new OpenAI({ baseURL: `${plano.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
      // Well within the second a batch waits for: only the stop sends it.
      plano.child.kill('SIGINT');
      expect(await plano.exited).toBe(0);
      expect(plano.stderr()).not.toMatch(/unsettled|Error/);
      const spans = await receiver.until((all) => all.some((s) => s.kind === 2), 2_000);
      expect(spans.find((s) => s.kind === 2)!.name).toBe('chat gpt-4o');
    } finally {
      await receiver.close();
    }
  });
});
