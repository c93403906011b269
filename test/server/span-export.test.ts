/**
 * plano's OTLP encoding of its spans (src/server/span-export.ts, a seam for speed) against
 * OpenTelemetry's own serializers given the same spans as ReadableSpans: the same bytes for
 * protobuf (OTLP/HTTP and gRPC), the same document for JSON.
 */
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import {
  attributeKey,
  encodeExportRequest,
  exportRequest,
  RECURRING_RUNS,
  RECURRING_VALUES,
  RecurringRun,
  SpanName,
  SPAN_KIND_CLIENT,
  SPAN_KIND_INTERNAL,
  SPAN_KIND_SERVER,
  STATUS_ERROR,
  STATUS_UNSET,
  type AttributeValue,
  type AttributeWriter,
  type SpanAttributes,
  type SpanRecord,
} from '../../src/server/span-export.js';
import { randomSpanId, SpanId } from '../../src/server/span-id.js';

const id = SpanId.fromHex;

const resource = { 'service.name': 'plano', 'deployment.environment': 'dev' };

const spans: SpanRecord[] = [
  {
    traceId: id('0af7651916cd43dd8448eb211c80319c'),
    spanId: id('b7ad6b7169203331'),
    parentSpanId: id('00f067aa0ba902b7'),
    parentRemote: true,
    name: 'chat gpt-4o',
    kind: SPAN_KIND_SERVER,
    startMs: 1_796_600_000_123.456789,
    endMs: 1_796_600_000_456.5,
    attributes: {
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 19,
      'plano.stream': false,
      'plano.ttfb_ms': 12.75,
      'plano.note': 'ünïcode ✓ and a long value '.repeat(12),
      'big.int': 2 ** 40,
      'neg.int': -3,
      'zero.int': 0,
      'short.unicode': 'é',
      // Around the longest KeyValue written in one pass (its lengths one byte each).
      'edge.a': 'a'.repeat(112),
      'edge.b': 'b'.repeat(113),
      'edge.c': 'c'.repeat(114),
      'edge.d': 'd'.repeat(115),
      'edge.e': 1.5e300,
      'last.one': 'via all',
    },
    status: { code: STATUS_ERROR, message: 'upstream answered 503' },
  },
  {
    traceId: id('0af7651916cd43dd8448eb211c80319c'),
    spanId: id('c8be7c8270314442'),
    parentSpanId: id('b7ad6b7169203331'),
    parentRemote: false,
    // A name encoded once, as the request's and attempts' spans have it.
    name: new SpanName('POST https://api.openai.com'),
    kind: SPAN_KIND_CLIENT,
    startMs: 1_796_600_000_200,
    endMs: 1_796_600_000_300.000001,
    attributes: { 'url.full': 'https://api.openai.com/v1/chat/completions', 'plano.attempt': 1 },
    status: { code: STATUS_UNSET },
  },
  {
    traceId: id('4bf92f3577b34da6a3ce929d0e0e4736'),
    spanId: id('00f067aa0ba902b7'),
    name: 'chat (default)',
    kind: SPAN_KIND_SERVER,
    startMs: 1_796_600_001_000,
    endMs: 1_796_600_001_001,
    // A span this long moves its length prefix by more than one byte.
    attributes: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`attr.${i}`, `value ${i}`])),
    status: { code: STATUS_UNSET },
  },
  {
    traceId: id('4bf92f3577b34da6a3ce929d0e0e4736'),
    spanId: id('00f067aa0ba902b8'),
    parentSpanId: id('00f067aa0ba902b7'),
    // Shorter than 128 bytes: its length is one byte, not the two kept for it.
    name: 's',
    kind: SPAN_KIND_INTERNAL,
    startMs: 1_796_600_001_000,
    endMs: 1_796_600_001_000,
    attributes: {},
    status: { code: STATUS_UNSET },
  },
  {
    traceId: id('4bf92f3577b34da6a3ce929d0e0e4736'),
    spanId: id('00f067aa0ba902b9'),
    name: 'long',
    kind: SPAN_KIND_INTERNAL,
    startMs: 1_796_600_001_000,
    endMs: 1_796_600_001_002,
    // Longer than 16 KB: its length is three bytes, one more than kept for it.
    attributes: { 'plano.long': 'x'.repeat(20_000) },
    status: { code: STATUS_UNSET },
  },
];

/** The same spans as the ReadableSpans OpenTelemetry's serializers read (one resource and scope object for all, as the SDK has). */
function readableSpans(records: SpanRecord[]): unknown[] {
  const sdkResource = { attributes: resource };
  const scope = { name: 'plano' };
  const hrTime = (ms: number): [number, number] => {
    const seconds = Math.floor(ms / 1000);
    return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
  };
  return records.map((r) => ({
    name: typeof r.name === 'string' ? r.name : r.name.text,
    kind: r.kind,
    spanContext: () => ({ traceId: r.traceId.hex, spanId: r.spanId.hex, traceFlags: 1 }),
    parentSpanContext: r.parentSpanId ? { traceId: r.traceId.hex, spanId: r.parentSpanId.hex, traceFlags: 1, isRemote: r.parentRemote === true } : undefined,
    startTime: hrTime(r.startMs),
    endTime: hrTime(r.endMs),
    duration: hrTime(r.endMs - r.startMs),
    ended: true,
    status: r.status,
    attributes: r.attributes,
    links: [],
    events: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    resource: sdkResource,
    instrumentationScope: scope,
  }));
}

describe('OTLP encoding of plano’s spans', () => {
  it('writes the bytes OpenTelemetry’s protobuf serializer writes', () => {
    const ours = Buffer.from(encodeExportRequest('http/protobuf', resource, spans)!);
    const sdk = Buffer.from(ProtobufTraceSerializer.serializeRequest(readableSpans(spans) as never)!);
    expect(ours.toString('hex')).toBe(sdk.toString('hex'));
    expect(encodeExportRequest('grpc', resource, spans)).toEqual(encodeExportRequest('http/protobuf', resource, spans));
  });

  it('writes the document OpenTelemetry’s JSON serializer writes', () => {
    const ours = JSON.parse(Buffer.from(encodeExportRequest('http/json', resource, spans)!).toString('utf8')) as unknown;
    const sdk = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(readableSpans(spans) as never)!).toString('utf8')) as unknown;
    expect(ours).toEqual(sdk);
  });

  it('writes attributes given as a function, keys encoded once, exactly as the same attributes given as an object', () => {
    // Each value goes through the writer's method for its type or, every other one, `recurring`;
    // the last through `all` (as header attributes do).
    const written = (attributes: SpanAttributes): SpanRecord['attributes'] => {
      const entries = Object.entries(attributes);
      const keys = entries.map(([key]) => attributeKey(key));
      return (writer) => {
        entries.slice(0, -1).forEach(([, value], i) => writeTyped(writer, keys[i]!, value, i % 2 === 1));
        writer.all(Object.fromEntries(entries.slice(-1)));
      };
    };
    const viaWriter = spans.map((span) => ({ ...span, attributes: written(span.attributes as SpanAttributes) }));
    for (const protocol of ['http/protobuf', 'http/json'] as const) {
      const expected = Buffer.from(encodeExportRequest(protocol, resource, spans)!).toString('hex');
      // Twice: the second time, recurring values are written from the bytes kept the first time.
      expect(Buffer.from(encodeExportRequest(protocol, resource, viaWriter)!).toString('hex')).toBe(expected);
      expect(Buffer.from(encodeExportRequest(protocol, resource, viaWriter)!).toString('hex')).toBe(expected);
    }
  });

  it('writes a recurring value right when one key has more values than it keeps', () => {
    const key = attributeKey('plano.many');
    // Forty values, each seen again; a hundred more than it keeps (forgotten); the forty again, twice.
    const values = [...range(40), ...range(40), ...range(100).map((i) => i + 1000), ...range(40), ...range(40)].map((i) => `model-${i}`);
    const many = values.map((value, i): SpanRecord => ({ ...spans[1]!, spanId: id((0x1000 + i).toString(16).padStart(16, '0')), attributes: { 'plano.many': value } }));
    const viaWriter = many.map((span) => ({ ...span, attributes: (writer: AttributeWriter) => writer.recurring(key, (span.attributes as SpanAttributes)['plano.many']!) }));
    expect(Buffer.from(encodeExportRequest('http/protobuf', resource, viaWriter)).toString('hex')).toBe(Buffer.from(encodeExportRequest('http/protobuf', resource, many)).toString('hex'));
    // What a key keeps is bounded (a client may name a new model in every request).
    expect(key.recurring.size).toBeGreaterThan(0);
    expect(key.recurring.size).toBeLessThanOrEqual(RECURRING_VALUES);
  });

  it('writes a run of values that recur together as the same values given one by one, kept per combination', () => {
    const keys = ['gen_ai.request.model', 'plano.route', 'http.response.status_code', 'plano.stream'];
    const run = new RecurringRun(keys.map(attributeKey));
    // Combinations seen again, differing from a kept one in the last value only, leaving a value
    // out (null), and more of them than are kept (the first ones then forgotten, then seen again).
    const combinations: (AttributeValue | null)[][] = [
      ['gpt-4o', 'code', 200, false],
      ['gpt-4o', 'code', 200, true],
      ['gpt-4o', null, 200, false],
      ['gpt-4o', 'code', 200, false],
      ...range(RECURRING_RUNS + 4).map((i) => [`model-${i}`, 'code', 200 + i, i % 2 === 0]),
      ['gpt-4o', 'code', 200, true],
      ['gpt-4o', null, 200, false],
    ];
    const asObjects = combinations.map(
      (values, i): SpanRecord => ({
        ...spans[1]!,
        spanId: id((0x2000 + i).toString(16).padStart(16, '0')),
        attributes: Object.fromEntries(keys.flatMap((key, k) => (values[k] === null ? [] : [[key, values[k]!]]))),
      }),
    );
    const viaRun = asObjects.map((span, i): SpanRecord => ({ ...span, attributes: (writer) => writer.recurringRun(run, combinations[i]!) }));
    for (const protocol of ['http/protobuf', 'http/json'] as const) {
      const expected = Buffer.from(encodeExportRequest(protocol, resource, asObjects)).toString('hex');
      expect(Buffer.from(encodeExportRequest(protocol, resource, viaRun)).toString('hex')).toBe(expected);
      expect(Buffer.from(encodeExportRequest(protocol, resource, viaRun)).toString('hex')).toBe(expected);
    }
    expect(run.kept.length).toBe(RECURRING_RUNS);
  });

  it('writes start and end times as the exact nanoseconds the SDK writes, past 2^53 and across 2^32-second edges', () => {
    // Epoch milliseconds with fractions, from 1970 to past 2100, and around where a 32-bit half carries.
    const edges = [0, 0.000001, 999.999999, 4_294_967_296, 4_294_967_295.5, 65_536_000, 1_796_600_000_123.456789, 4_102_444_800_000.25];
    const random = range(300).map((i) => Math.floor(((i * 7919) % 4_200_000) * 1_000_003) + ((i * 104729) % 1_000_000) / 1e6);
    const timed = [...edges, ...random].map((ms): SpanRecord => ({ ...spans[3]!, startMs: ms, endMs: ms + 0.5 }));
    const ours = Buffer.from(encodeExportRequest('http/protobuf', resource, timed));
    const sdk = Buffer.from(ProtobufTraceSerializer.serializeRequest(readableSpans(timed) as never)!);
    expect(ours.toString('hex')).toBe(sdk.toString('hex'));
  });

  it('writes ids made from the shared pool as the bytes their hex spells, across pools, never all zeros', () => {
    // 1,200 spans of three ids each: 38 KB of ids, several pools, encoded after all were made
    // (as spans wait for their batch while new ids are cut).
    const made = range(1200).map((i): SpanRecord => ({ ...spans[1]!, traceId: randomSpanId(16), spanId: randomSpanId(8), parentSpanId: randomSpanId(8), name: `s${i}` }));
    const ids = made.flatMap((span) => [span.traceId, span.spanId, span.parentSpanId!]);
    for (const made of ids) {
      expect(made.hex).toMatch(made.length === 16 ? /^[0-9a-f]{32}$/ : /^[0-9a-f]{16}$/);
      expect(made.hex).not.toMatch(/^0+$/);
    }
    expect(new Set(ids.map((made) => made.hex)).size).toBe(ids.length);
    const ours = Buffer.from(encodeExportRequest('http/protobuf', resource, made));
    const sdk = Buffer.from(ProtobufTraceSerializer.serializeRequest(readableSpans(made) as never)!);
    expect(ours.toString('hex')).toBe(sdk.toString('hex'));
  });

  it('writes batch after batch into bodies of their own: an earlier body is unchanged by the next', () => {
    for (const protocol of ['http/protobuf', 'http/json'] as const) {
      const request = exportRequest(protocol, resource);
      const bodies = [spans.slice(0, 2), spans.slice(2), spans.slice(1, 3)].map((batch) => {
        for (const span of batch) request.add(span);
        return request.body();
      });
      expect(bodies.map((body) => Buffer.from(body).toString('hex'))).toEqual(
        [spans.slice(0, 2), spans.slice(2), spans.slice(1, 3)].map((batch) => Buffer.from(encodeExportRequest(protocol, resource, batch)).toString('hex')),
      );
      if (protocol === 'http/protobuf') {
        expect(Buffer.from(bodies[0]!).toString('hex')).toBe(Buffer.from(ProtobufTraceSerializer.serializeRequest(readableSpans(spans.slice(0, 2)) as never)!).toString('hex'));
      }
    }
  });
});

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** `value` through the writer's method for its type, or `recurring`. */
function writeTyped(writer: AttributeWriter, key: ReturnType<typeof attributeKey>, value: string | number | boolean, recurring: boolean): void {
  if (recurring) writer.recurring(key, value);
  else if (typeof value === 'string') writer.string(key, value);
  else if (typeof value === 'number') writer.number(key, value);
  else writer.boolean(key, value);
}
