/**
 * OTLP receivers for the tracing tests, started and stopped by them: OTLP/HTTP (JSON and
 * protobuf, `POST /v1/traces`) and OTLP/gRPC (`opentelemetry.proto.collector.trace.v1.
 * TraceService/Export`, served by @grpc/grpc-js). What arrives is decoded — the protobuf by a
 * small reader of the wire format for the fields the tests look at — into one span shape.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 2 SERVER, 3 CLIENT. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** The resource's attributes. */
  resource: Record<string, string | number | boolean>;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  /** Every byte received, for the tests that look for what must not be there. */
  raw: Buffer[];
  /** Resolves once `test` holds for the spans received (polled). */
  until(test: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

function receiver(spans: ReceivedSpan[], raw: Buffer[], url: string, close: () => Promise<void>): OtlpReceiver {
  return {
    url,
    spans,
    raw,
    async until(test, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!test(spans)) {
        if (Date.now() > deadline) throw new Error(`the receiver has ${spans.length} spans, not what was waited for: ${JSON.stringify(spans.map((s) => s.name))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return spans;
    },
    close,
  };
}

/** OTLP/HTTP on `POST /v1/traces`, JSON or protobuf as the content type says. */
export async function startHttpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const raw: Buffer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      raw.push(body);
      if (String(req.headers['content-type']).includes('json')) spans.push(...fromJson(JSON.parse(body.toString('utf8'))));
      else spans.push(...fromProtobuf(body));
      res.writeHead(200, { 'content-type': String(req.headers['content-type'] ?? 'application/json') });
      res.end(String(req.headers['content-type']).includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver(spans, raw, url, () => new Promise((resolve) => server.close(() => resolve())));
}

/** OTLP/gRPC: the TraceService's Export, requests taken as bytes and decoded here. */
export async function startGrpcReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const raw: Buffer[] = [];
  const server = new grpc.Server();
  const bytes = { serialize: (value: Buffer) => value, deserialize: (value: Buffer) => value };
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: bytes.serialize,
        requestDeserialize: bytes.deserialize,
        responseSerialize: bytes.serialize,
        responseDeserialize: bytes.deserialize,
      },
    },
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        raw.push(call.request);
        spans.push(...fromProtobuf(call.request));
        callback(null, Buffer.alloc(0));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return receiver(spans, raw, `http://127.0.0.1:${port}`, () => new Promise((resolve) => server.tryShutdown(() => resolve())));
}

type JsonValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };

function attributesOf(list: Array<{ key: string; value: JsonValue }> | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.boolValue ?? value.doubleValue ?? '';
  }
  return out;
}

function fromJson(body: { resourceSpans?: Array<{ resource?: { attributes?: [] }; scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }> }): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((span) => ({
        traceId: String(span['traceId']),
        spanId: String(span['spanId']),
        parentSpanId: String(span['parentSpanId'] ?? ''),
        name: String(span['name']),
        kind: Number(span['kind']),
        attributes: attributesOf(span['attributes'] as Array<{ key: string; value: JsonValue }>),
        resource: attributesOf(rs.resource?.attributes),
      })),
    ),
  );
}

// ─── protobuf wire format: just what the tests read ───────────────────────────────────────────

type Field = { number: number; value: bigint | Buffer };

function fields(buffer: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[at++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (at < buffer.length) {
    const key = Number(varint());
    const number = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ number, value: varint() });
    else if (wire === 1) {
      out.push({ number, value: buffer.readBigUInt64LE(at) });
      at += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      out.push({ number, value: buffer.subarray(at, at + length) });
      at += length;
    } else if (wire === 5) {
      out.push({ number, value: BigInt(buffer.readUInt32LE(at)) });
      at += 4;
    } else throw new Error(`protobuf wire type ${wire} is not read here`);
  }
  return out;
}

const bytesOf = (list: Field[], number: number): Buffer[] => list.filter((f) => f.number === number && Buffer.isBuffer(f.value)).map((f) => f.value as Buffer);
const numberOf = (list: Field[], number: number): bigint | undefined => list.find((f) => f.number === number && typeof f.value === 'bigint')?.value as bigint | undefined;

/** KeyValue { key = 1; AnyValue value = 2 { string 1, bool 2, int 3, double 4 } } */
function protobufAttributes(list: Buffer[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of list) {
    const kvFields = fields(kv);
    const key = bytesOf(kvFields, 1)[0]?.toString('utf8') ?? '';
    const value = fields(bytesOf(kvFields, 2)[0] ?? Buffer.alloc(0));
    const text = bytesOf(value, 1)[0];
    if (text) out[key] = text.toString('utf8');
    else if (numberOf(value, 2) !== undefined) out[key] = numberOf(value, 2) === 1n;
    else if (numberOf(value, 3) !== undefined) out[key] = Number(BigInt.asIntN(64, numberOf(value, 3)!));
    else if (numberOf(value, 4) !== undefined) out[key] = Buffer.from(new BigUint64Array([numberOf(value, 4)!]).buffer).readDoubleLE(0);
  }
  return out;
}

/** ExportTraceServiceRequest { ResourceSpans 1 { Resource 1 { attributes 1 }, ScopeSpans 2 { Span 2 } } } */
function fromProtobuf(body: Buffer): ReceivedSpan[] {
  return bytesOf(fields(body), 1).flatMap((resourceSpans) => {
    const rs = fields(resourceSpans);
    const resource = protobufAttributes(bytesOf(fields(bytesOf(rs, 1)[0] ?? Buffer.alloc(0)), 1));
    return bytesOf(rs, 2).flatMap((scopeSpans) =>
      bytesOf(fields(scopeSpans), 2).map((spanBytes) => {
        // Span { trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, attributes 9 }
        const span = fields(spanBytes);
        return {
          traceId: bytesOf(span, 1)[0]?.toString('hex') ?? '',
          spanId: bytesOf(span, 2)[0]?.toString('hex') ?? '',
          parentSpanId: bytesOf(span, 4)[0]?.toString('hex') ?? '',
          name: bytesOf(span, 5)[0]?.toString('utf8') ?? '',
          kind: Number(numberOf(span, 6) ?? 0n),
          attributes: protobufAttributes(bytesOf(span, 9)),
          resource,
        };
      }),
    );
  });
}
