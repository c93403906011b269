/**
 * The export thread (src/server/span-export-thread.ts): encoded batches handed over and sent by
 * OpenTelemetry's exporter from a worker thread, to an OTLP/HTTP receiver the test starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExportThread } from '../../src/server/span-export-thread.js';
import { encodeExportRequest, SPAN_KIND_SERVER, startSpanExport, STATUS_UNSET, type SpanRecord } from '../../src/server/span-export.js';
import { SpanId } from '../../src/server/span-id.js';
import { startHttpReceiver, type OtlpReceiver } from '../e2e/otlp-receiver.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(() => receiver?.close());

function span(name: string): SpanRecord {
  return {
    traceId: SpanId.fromHex('0af7651916cd43dd8448eb211c80319c'),
    spanId: SpanId.fromHex('b7ad6b7169203331'),
    name,
    kind: SPAN_KIND_SERVER,
    startMs: 1_796_600_000_000,
    endMs: 1_796_600_000_001,
    attributes: { 'gen_ai.request.model': 'gpt-4o' },
    status: { code: STATUS_UNSET },
  };
}

describe('the export thread', () => {
  it('sends each body as it is, and close waits for what was sent', async () => {
    const sender = startExportThread({ protocol: 'http/protobuf', url: `${receiver.url}/v1/traces` });
    const body = encodeExportRequest('http/protobuf', { 'service.name': 'plano' }, [span('chat thread-one')]);
    // The premise: a body is a view of its encoder's larger buffer (span-export.ts hands that over whole).
    expect(body.buffer.byteLength).toBeGreaterThan(body.byteLength);
    const expected = Buffer.from(body);
    const sent = sender.send(1, body);
    // Transferred: the body's bytes now belong to the thread, which sends the view's bytes only.
    expect(body.byteLength).toBe(0);
    await sent;
    await sender.send(1, encodeExportRequest('http/protobuf', { 'service.name': 'plano' }, [span('chat thread-two')]));
    expect(sender.threadsStarted).toBe(1);
    await sender.close();
    expect(receiver.raw.some((raw) => raw.equals(expected))).toBe(true);
    expect(receiver.spans.map((s) => s.name)).toContain('chat thread-one');
  });

  it('copies a body that shares its memory (a small Buffer is a slice of a pool) rather than taking the others with it', async () => {
    const sender = startExportThread({ protocol: 'http/protobuf', url: `${receiver.url}/v1/traces` });
    const pooled = Buffer.from(encodeExportRequest('http/protobuf', { 'service.name': 'plano' }, [span('chat pooled')]));
    const neighbour = Buffer.from('a neighbour in the same pool');
    // The premise: both are slices of one larger ArrayBuffer.
    expect(pooled.buffer).toBe(neighbour.buffer);
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength);
    await sender.send(1, pooled);
    await sender.close();
    expect(neighbour.toString()).toBe('a neighbour in the same pool');
    expect(pooled.byteLength).toBeGreaterThan(0);
    expect(receiver.spans.map((s) => s.name)).toContain('chat pooled');
  });

  it('a thread that dies (here: OpenTelemetry refuses its endpoint as it starts) loses its batches, never the caller, and is not started again at once', async () => {
    const sender = startExportThread({ protocol: 'http/protobuf', url: 'not a url' });
    await sender.send(1, encodeExportRequest('http/protobuf', { 'service.name': 'plano' }, [span('chat lost')]));
    // Within the restart delay the next batch is dropped at once rather than starting another thread to die.
    await sender.send(1, encodeExportRequest('http/protobuf', { 'service.name': 'plano' }, [span('chat lost again')]));
    expect(sender.threadsStarted).toBe(1);
    await sender.close();
    expect(receiver.spans.map((s) => s.name)).not.toContain('chat lost');
    expect(receiver.spans.map((s) => s.name)).not.toContain('chat lost again');
  });
});

describe('batches', () => {
  it('are sent at 2048 spans or 1 MiB, whichever comes first, and close sends the rest', async () => {
    const own = await startHttpReceiver();
    try {
      const exporter = startSpanExport({ protocol: 'http/protobuf', url: `${own.url}/v1/traces` }, { 'service.name': 'plano' });
      for (let i = 0; i < 2048 + 10; i++) exporter.add(span(`small ${i}`));
      // Spans of ~100 KB each (a long header attribute, say): a batch of them stops at 1 MiB.
      const long = 'x'.repeat(100_000);
      for (let i = 0; i < 14; i++) exporter.add({ ...span(`long ${i}`), attributes: { 'http.request.header.x-long': long } });
      await exporter.close();
      expect(own.spans).toHaveLength(2048 + 10 + 14);
      // 2048 small spans; 10 small and 10 or 11 long ones (past 1 MiB); the rest, as it closed.
      expect(own.raw).toHaveLength(3);
      expect(own.raw[0]!.length).toBeLessThan(300_000);
      expect(Math.max(...own.raw.map((raw) => raw.length))).toBeLessThan(2 ** 20 + 110_000);
    } finally {
      await own.close();
    }
  });
});
