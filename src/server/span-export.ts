/**
 * A seam for speed: spans are written into their OTLP encoding (a few dozen at a time, within
 * milliseconds of their end), and each batch, framed as a whole export request, is sent from a
 * thread of its own by OpenTelemetry's exporter transport (span-export-thread.ts).
 *
 * Measured (bench/RESULTS.md, issue 16): the SDK's own path — Span objects, the BatchSpanProcessor,
 * the OTLP transformer's intermediate objects and protobufjs — cost a request whose spans were
 * exported ~55 µs of CPU (40% of the gateway's throughput at 32 connections), and moved whole to
 * a worker thread it only took that much from the other core, which the load generator needed.
 * Written directly, a request's two spans take a few µs; what is left on a thread is the sending.
 * test/server/span-export.test.ts decodes what this writes with the SDK's generated protobuf
 * types and checks it equals what the SDK's own serializers make of the same spans, for protobuf
 * and JSON.
 */
import { remember } from '../config/remember.js';
import { startExportThread, type ExportTarget } from './span-export-thread.js';
import type { SpanId } from './span-id.js';

export type { ExportTarget } from './span-export-thread.js';

export type AttributeValue = string | number | boolean;
export type SpanAttributes = Record<string, AttributeValue>;

/** An attribute's key, encoded once for either OTLP encoding: the request's and attempts' spans' keys are constants. */
export interface AttributeKey {
  /** KeyValue's field 1 (the key), tag and length included. */
  readonly protobuf: Uint8Array;
  /** `{"key":"…","value":` */
  readonly json: string;
  /** Whole KeyValues (span attributes, protobuf) of this key with values written `recurring`, by value. */
  readonly recurring: Map<AttributeValue, Uint8Array>;
}

export function attributeKey(name: string): AttributeKey {
  const writer = new ProtoWriter();
  writer.string(1, name);
  return { protobuf: new Uint8Array(writer.take()), json: `{"key":${JSON.stringify(name)},"value":`, recurring: new Map() };
}

/**
 * How many values of one key `recurring` keeps the encoding of; past it they are forgotten and
 * kept again as they come (a client naming a new model in every request costs a copy each, not
 * memory).
 */
export const RECURRING_VALUES = 64;

/**
 * Attributes whose values recur together — a request's models, provider, path, status, route:
 * written `recurringRun`, the whole run of KeyValues is kept for each combination of values seen
 * lately and copied at once. One lookup and one copy in place of one of each a value: ~0.3 µs of
 * a traced request's ~2.1 µs in a loop of the stage's own work (session 11).
 */
export class RecurringRun {
  /** The latest combinations and their protobuf, the latest first; at most RECURRING_RUNS. */
  readonly kept: { values: readonly (AttributeValue | null)[]; protobuf: Uint8Array }[] = [];

  constructor(readonly keys: readonly AttributeKey[]) {}

  /** The protobuf kept for these values, or undefined. */
  find(values: readonly (AttributeValue | null)[]): Uint8Array | undefined {
    const { kept } = this;
    const count = values.length;
    search: for (let k = 0; k < kept.length; k++) {
      const candidate = kept[k]!.values;
      for (let i = 0; i < count; i++) if (candidate[i] !== values[i]) continue search;
      return kept[k]!.protobuf;
    }
    return undefined;
  }

  keep(values: readonly (AttributeValue | null)[], protobuf: Uint8Array): void {
    if (this.kept.length >= RECURRING_RUNS) this.kept.pop();
    this.kept.unshift({ values, protobuf });
  }
}

/**
 * How many combinations a RecurringRun keeps. A lookup compares values with each kept one until
 * one differs, so a miss costs a few comparisons a combination; past this many, the oldest goes.
 */
export const RECURRING_RUNS = 16;

/**
 * Where a span's attributes go as they are read, in the order given: the request's and the
 * attempts' spans write theirs straight into the encoding, with no object of them built per
 * request and read back.
 */
export interface AttributeWriter {
  string(key: AttributeKey, value: string): void;
  /** An integer becomes OTLP's intValue, any other number its doubleValue (as the SDK does). */
  number(key: AttributeKey, value: number): void;
  boolean(key: AttributeKey, value: boolean): void;
  /**
   * A value that recurs from span to span — a model name, a status code, not a token count or a
   * time: the same bytes as `string`, `number` or `boolean` write, copied from the first time this
   * key and value were encoded.
   */
  recurring(key: AttributeKey, value: AttributeValue): void;
  /**
   * Values that recur together, one for each of `run`'s keys, in its order; an attribute whose
   * value is null is left out. The same bytes as `recurring` writes for each. `values` may be kept
   * by the run: a new array each call, not changed after.
   */
  recurringRun(run: RecurringRun, values: readonly (AttributeValue | null)[]): void;
  /** Attributes held in an object (their keys encoded as they come). */
  all(attributes: SpanAttributes): void;
}

/** A span's attributes: an object, or a function writing them — called as the span's method (a span may be a class with an `attributes` method). */
export type SpanAttributeSource = SpanAttributes | ((writer: AttributeWriter) => void);

/** OpenTelemetry's SpanStatusCode: UNSET 0, ERROR 2. */
export const STATUS_UNSET = 0;
export const STATUS_ERROR = 2;
export interface SpanStatus {
  code: typeof STATUS_UNSET | typeof STATUS_ERROR;
  message?: string;
}

/** OpenTelemetry's SpanKind, the API's numbering (INTERNAL 0, SERVER 1, CLIENT 2); OTLP's is one more. */
export const SPAN_KIND_INTERNAL = 0;
export const SPAN_KIND_SERVER = 1;
export const SPAN_KIND_CLIENT = 2;

/**
 * A span name that recurs — a request's `chat gpt-4o`, an attempt's `POST https://api.openai.com`
 * — with its protobuf field encoded once: written a character at a time, the two names of a
 * traced request were ~2 k instructions (V8 checks the string and the buffer on every character).
 */
export class SpanName {
  /** Span.name (field 5), tag and length included. */
  readonly protobuf: Uint8Array;

  constructor(readonly text: string) {
    const writer = new ProtoWriter();
    writer.string(SPAN_NAME_FIELD, text);
    this.protobuf = new Uint8Array(writer.take());
  }
}

/** One finished, sampled span. Times in epoch milliseconds (fractions kept). */
export interface SpanRecord {
  traceId: SpanId;
  spanId: SpanId;
  parentSpanId?: SpanId | undefined;
  /** Whether the parent is the client's span (from its traceparent). */
  parentRemote?: boolean;
  name: string | SpanName;
  kind: typeof SPAN_KIND_INTERNAL | typeof SPAN_KIND_SERVER | typeof SPAN_KIND_CLIENT;
  startMs: number;
  endMs: number;
  attributes: SpanAttributeSource;
  status: SpanStatus;
}

export interface SpanExport {
  add(span: SpanRecord): void;
  /** Sends what is pending and waits for the exporter to deliver it (bounded by its timeout). */
  close(): Promise<void>;
}

/** Spans wait at most this long for their batch (the contract: exported within 10 s). */
const BATCH_DELAY_MS = 1_000;
/**
 * A batch is sent at this many spans or this many bytes, whichever comes first (or after
 * BATCH_DELAY_MS). Each batch costs a fixed ~200 µs of the event loop to hand over (waking the
 * export thread) and ~700 µs of the thread's CPU to send: at 512 spans, OpenTelemetry's batch
 * size, that was ~0.8 and ~2.7 µs a traced request under load (session 10). The byte bound keeps
 * a batch well under the 4 MiB an OTLP/gRPC receiver accepts by default (OpenTelemetry
 * Collector's max_recv_msg_size_mib) when spans carry long header attributes.
 */
const BATCH_SIZE = 2048;
const BATCH_BYTES = 1 << 20;
/**
 * Ended spans are encoded this many at a time, or after this long: the encoder then runs over a
 * run of spans rather than once between each request's other work. Short enough that what a span
 * holds dies young (most span records are garbage before a collection of the young generation
 * has to move them). Measured with the rest of this change (bench/RESULTS.md, issue 16, session
 * 7): 1.5–2.5% more throughput with traces on.
 */
const ENCODE_BATCH = 64;
const ENCODE_DELAY_MS = 10;
/** The instrumentation scope plano's spans are reported under. */
const SCOPE_NAME = 'plano';

export function startSpanExport(target: ExportTarget, resource: SpanAttributes): SpanExport {
  const request = exportRequest(target.protocol, resource);
  const sender = startExportThread(target);
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (count === 0) return;
    void sender.send(count, request.body());
    count = 0;
  };
  const encode = (span: SpanRecord): void => {
    request.add(span);
    count++;
    if (count >= BATCH_SIZE || request.bytes >= BATCH_BYTES) flush();
    else if (!timer) {
      timer = setTimeout(flush, BATCH_DELAY_MS);
      // A batch waiting for its second does not keep the process alive: close() sends it.
      timer.unref();
    }
  };
  // Spans ended and not yet encoded (ENCODE_BATCH). A span's attributes may be a function of the
  // request's access-log entry, complete by then and not changed after.
  let ended: SpanRecord[] = [];
  let encodeTimer: NodeJS.Timeout | undefined;
  const encodeEnded = (): void => {
    clearTimeout(encodeTimer);
    encodeTimer = undefined;
    const spans = ended;
    ended = [];
    for (const span of spans) encode(span);
  };
  return {
    add(span) {
      ended.push(span);
      if (ended.length >= ENCODE_BATCH) encodeEnded();
      else if (!encodeTimer) {
        encodeTimer = setTimeout(encodeEnded, ENCODE_DELAY_MS);
        encodeTimer.unref();
      }
    },
    async close() {
      encodeEnded();
      flush();
      // The thread sends what it was given before it stops.
      await sender.close();
    },
  };
}

/** The request body a batch of `spans` is sent as (the path `add` and the exporter take, in one call: for tests). */
export function encodeExportRequest(protocol: ExportTarget['protocol'], resource: SpanAttributes, spans: readonly SpanRecord[]): Uint8Array {
  const request = exportRequest(protocol, resource);
  for (const span of spans) request.add(span);
  return request.body();
}

/** Export requests' bodies in `protocol`'s encoding, one batch after another. */
export function exportRequest(protocol: ExportTarget['protocol'], resource: SpanAttributes): ExportRequest {
  return protocol === 'http/json' ? jsonRequest(resource) : protobufRequest(resource);
}

/** One export request's body in the making, in one OTLP encoding: spans added as they are encoded. */
export interface ExportRequest {
  add(span: SpanRecord): void;
  /** About how long the body is so far (exactly, for protobuf; in UTF-16 units, for JSON). */
  readonly bytes: number;
  /** The whole request around the spans added since the last body: a view of an ArrayBuffer that holds nothing else (transferable to the export thread whole). */
  body(): Uint8Array;
}

// ─── protobuf (opentelemetry/proto/collector/trace/v1/trace_service.proto) ─────────────────────

/** ExportTraceServiceRequest { resource_spans: [ResourceSpans { resource, scope_spans: [ScopeSpans { scope, spans }] }] }. */
function protobufRequest(resource: SpanAttributes): ExportRequest {
  // The resource and scope are the same for every batch: encoded once.
  const head = new ProtoWriter();
  const at = head.begin(1);
  writeAttributes(head, 1, resource);
  head.tag(2, 0); // dropped_attributes_count
  head.varint(0);
  head.end(at);
  const resourceField = head.take();
  const scope = new ProtoWriter();
  const scopeAt = scope.begin(1);
  scope.string(1, SCOPE_NAME);
  scope.end(scopeAt);
  const scopeField = scope.take();
  // The spans are written after room for what precedes them in the request (two tags and lengths,
  // the resource and the scope), filled in as the batch is sent: the body is then a view of the
  // writer's own buffer, handed over whole (a copy of the batch into a new, zeroed body was ~90
  // µs a batch of 512 spans on the event loop, in place).
  const headRoom = 2 * MAX_LENGTH_PREFIX + resourceField.length + scopeField.length;
  const spans = new ProtoWriter();
  spans.skip(headRoom);
  return {
    add: (span) => writeProtobufSpan(spans, span),
    get bytes() {
      return spans.length;
    },
    body() {
      // ResourceSpans (field 1) holds the resource and one ScopeSpans (field 2), which holds the scope and the spans.
      const scopeSpansLength = scopeField.length + spans.length - headRoom;
      const scopeSpansHeader = lengthPrefix(2, scopeSpansLength);
      const head = [lengthPrefix(1, resourceField.length + scopeSpansHeader.length + scopeSpansLength), resourceField, scopeSpansHeader, scopeField];
      let start = headRoom - head.reduce((length, part) => length + part.length, 0);
      const bodyStart = start;
      for (const part of head) {
        spans.writeAt(start, part);
        start += part.length;
      }
      const body = spans.handOver(bodyStart);
      spans.skip(headRoom);
      return body;
    },
  };
}

/** A length's varint is at most this long (up to 2^35). */
const MAX_LENGTH_PREFIX = 1 + 5;

/** The tag and length of a length-delimited field. */
function lengthPrefix(field: number, length: number): Buffer {
  const writer = new ProtoWriter();
  writer.tag(field, 2);
  writer.varint(length);
  return writer.take();
}

/** One Span as ScopeSpans' field 2, appended to `w`. Fields as OpenTelemetry's serializer writes them, in field order. */
function writeProtobufSpan(w: ProtoWriter, span: SpanRecord): void {
  const at = w.begin(2, SPAN_LENGTH_RESERVE);
  w.id(1, span.traceId);
  w.id(2, span.spanId);
  if (span.parentSpanId !== undefined) w.id(4, span.parentSpanId);
  if (typeof span.name === 'string') w.string(SPAN_NAME_FIELD, span.name);
  else w.bytes(span.name.protobuf);
  w.tag(6, 0);
  w.varint(span.kind + 1);
  w.fixed64Nanos(7, span.startMs);
  w.fixed64Nanos(8, span.endMs);
  if (typeof span.attributes === 'function') span.attributes(w.spanAttributes);
  else writeAttributes(w, SPAN_ATTRIBUTES_FIELD, span.attributes);
  // dropped_attributes_count, dropped_events_count, dropped_links_count: none, written as zeros.
  for (const field of DROPPED_COUNT_FIELDS) {
    w.tag(field, 0);
    w.varint(0);
  }
  const statusAt = w.begin(15);
  if (span.status.message) w.string(2, span.status.message);
  w.tag(3, 0);
  w.varint(span.status.code);
  w.end(statusAt);
  w.tag(16, 5);
  w.fixed32(spanFlags(span));
  w.end(at, SPAN_LENGTH_RESERVE);
}

/** Span.name in opentelemetry/proto/trace/v1/trace.proto. */
const SPAN_NAME_FIELD = 5;

/** A span is 128 bytes to 16 KB long: its length is two bytes, reserved as it starts (one would move every span along as it ends). */
const SPAN_LENGTH_RESERVE = 2;

function writeAttributes(w: ProtoWriter, field: number, attributes: SpanAttributes): void {
  for (const key in attributes) {
    const kv = w.begin(field);
    w.string(1, key);
    writeAnyValue(w, attributes[key]!);
    w.end(kv);
  }
}

/** KeyValue's field 2, an AnyValue. */
function writeAnyValue(w: ProtoWriter, value: AttributeValue): void {
  const any = w.begin(2);
  if (typeof value === 'string') w.string(1, value);
  else if (typeof value === 'boolean') {
    w.tag(2, 0);
    w.varint(value ? 1 : 0);
  } else if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64_EXCLUSIVE) {
    w.tag(3, 0);
    w.int64(value);
  } else {
    // Not an integer, or one outside int64 (1e300 is an integer to JavaScript): a double, as the SDK writes it.
    w.tag(4, 1);
    w.double(value);
  }
  w.end(any);
}

/** int64's range, both bounds exact doubles. */
const MIN_INT64 = -(2 ** 63);
const MAX_INT64_EXCLUSIVE = 2 ** 63;

/** Span.attributes in opentelemetry/proto/trace/v1/trace.proto. */
const SPAN_ATTRIBUTES_FIELD = 9;

/** A span's attributes written as KeyValues with their keys encoded beforehand. */
class ProtobufSpanAttributes implements AttributeWriter {
  constructor(private readonly w: ProtoWriter) {}

  string(key: AttributeKey, value: string): void {
    this.#keyValue(key, value);
  }

  number(key: AttributeKey, value: number): void {
    this.#keyValue(key, value);
  }

  boolean(key: AttributeKey, value: boolean): void {
    this.#keyValue(key, value);
  }

  recurring(key: AttributeKey, value: AttributeValue): void {
    const encoded = key.recurring.get(value);
    if (encoded !== undefined) return this.w.bytes(encoded);
    const start = this.w.length;
    this.#keyValue(key, value);
    remember(key.recurring, value, this.w.copy(start), RECURRING_VALUES);
  }

  recurringRun(run: RecurringRun, values: readonly (AttributeValue | null)[]): void {
    const encoded = run.find(values);
    if (encoded !== undefined) return this.w.bytes(encoded);
    const start = this.w.length;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value !== null && value !== undefined) this.recurring(run.keys[i]!, value);
    }
    run.keep(values, this.w.copy(start));
  }

  all(attributes: SpanAttributes): void {
    writeAttributes(this.w, SPAN_ATTRIBUTES_FIELD, attributes);
  }

  #keyValue(key: AttributeKey, value: AttributeValue): void {
    if (this.w.shortKeyValue(SPAN_ATTRIBUTES_TAG, key.protobuf, value)) return;
    const kv = this.w.begin(SPAN_ATTRIBUTES_FIELD);
    this.w.bytes(key.protobuf);
    writeAnyValue(this.w, value);
    this.w.end(kv);
  }
}

/** Span.attributes' tag (field 9, length-delimited): one byte. */
const SPAN_ATTRIBUTES_TAG = (SPAN_ATTRIBUTES_FIELD << 3) | 2;
/** AnyValue's fields as tags: string_value (1, length-delimited), bool_value (2, varint), int_value (3, varint), double_value (4, fixed64). */
const ANY_VALUE_TAG = (2 << 3) | 2;
const STRING_VALUE_TAG = (1 << 3) | 2;
const BOOL_VALUE_TAG = (2 << 3) | 0;
const INT_VALUE_TAG = (3 << 3) | 0;
const DOUBLE_VALUE_TAG = (4 << 3) | 1;
/** The longest KeyValue shortKeyValue writes: its length, and its AnyValue's, fit in one byte. */
const SHORT_KEY_VALUE = 127;

const DROPPED_COUNT_FIELDS = [10, 12, 14] as const;

/** W3C trace flags (always sampled here) and OTLP's bits saying whether the parent is remote. */
function spanFlags(span: SpanRecord): number {
  return 0x01 | 0x100 | (span.parentRemote ? 0x200 : 0);
}

/**
 * A protobuf writer for the shapes above, in one growing buffer. A nested message's length is
 * reserved as one byte (two for a span) and the message moved along when it turns out to need
 * another number of bytes (rare).
 */
class ProtoWriter {
  // Never a slice of Node's Buffer pool: a buffer handed over is transferred to the export thread whole.
  #buffer = Buffer.allocUnsafeSlow(4096);
  /** The same bytes as #buffer, for 32-bit words (ids, times, flags) and doubles; made with each new buffer. */
  #words = wordsOf(this.#buffer);
  #at = 0;
  /** Writes the attributes of the span being written here. */
  readonly spanAttributes: AttributeWriter = new ProtobufSpanAttributes(this);

  /** The bytes written, as a new Buffer; the writer starts again empty. */
  take(): Buffer {
    const out = Buffer.from(this.#buffer.subarray(0, this.#at));
    this.#at = 0;
    return out;
  }

  /** Leaves `bytes` to be written later (writeAt). */
  skip(bytes: number): void {
    this.#room(bytes);
    this.#at += bytes;
  }

  /** Writes over bytes already written or skipped, at `offset`. */
  writeAt(offset: number, bytes: Uint8Array): void {
    this.#copyAt(offset, bytes);
  }

  /**
   * The bytes from `start` on, a view of the writer's buffer, which it gives up (to be transferred
   * whole): it goes on empty, in a new buffer of the same size.
   */
  handOver(start: number): Uint8Array {
    const out = new Uint8Array(this.#buffer.buffer, this.#buffer.byteOffset + start, this.#at - start);
    this.#buffer = Buffer.allocUnsafeSlow(this.#buffer.length);
    this.#words = wordsOf(this.#buffer);
    this.#at = 0;
    return out;
  }

  /** How many bytes are written. */
  get length(): number {
    return this.#at;
  }

  /** A copy of the bytes written from `start` on. */
  copy(start: number): Uint8Array {
    return new Uint8Array(this.#buffer.subarray(start, this.#at));
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  varint(value: number): void {
    this.#room(10);
    while (value > 0x7f) {
      this.#buffer[this.#at++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    this.#buffer[this.#at++] = value;
  }

  /** A non-negative int64 (larger than 2^31 included). */
  int64(value: number): void {
    if (value < 0) {
      // Two's complement over 64 bits, as protobuf writes negative int64s: ten bytes.
      this.#room(10);
      let rest = BigInt.asUintN(64, BigInt(value));
      for (let i = 0; i < 9; i++) {
        this.#buffer[this.#at++] = Number(rest & 0x7fn) | 0x80;
        rest >>= 7n;
      }
      this.#buffer[this.#at++] = Number(rest);
      return;
    }
    this.varint(value);
  }

  string(field: number, value: string): void {
    this.tag(field, 2);
    // Short ASCII (keys, model names, URLs: nearly every string here) is copied a character at a
    // time: cheaper than asking Buffer for its UTF-8 length and then to write it.
    const length = value.length;
    if (length < 128) {
      this.#room(length + 1);
      const buffer = this.#buffer;
      let at = this.#at + 1;
      let ascii = true;
      for (let i = 0; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) {
          ascii = false;
          break;
        }
        buffer[at++] = code;
      }
      if (ascii) {
        buffer[this.#at] = length;
        this.#at = at;
        return;
      }
    }
    const bytes = Buffer.byteLength(value);
    this.varint(bytes);
    this.#room(bytes);
    this.#at += this.#buffer.write(value, this.#at, 'utf8');
  }

  /**
   * A KeyValue (tag `tag`) with its key field already encoded, in one pass, when it is short — all
   * of the request's and attempts' attributes but a long URL — its lengths then one byte each.
   * Returns false, having written nothing, for one that is not (a long or non-ASCII string, a
   * negative integer or one past 2^53): the general path writes it. Bytes as begin/bytes/writeAnyValue/end write
   * them (test/server/span-export.test.ts compares the SDK's encoding).
   */
  shortKeyValue(tag: number, key: Uint8Array, value: AttributeValue): boolean {
    const keyLength = key.length;
    let valueLength: number;
    if (typeof value === 'string') valueLength = value.length + 2;
    else if (typeof value === 'boolean') valueLength = 2;
    else if (Number.isInteger(value)) {
      if (value < 0 || value > Number.MAX_SAFE_INTEGER) return false;
      valueLength = 11;
    } else valueLength = 9;
    // tag, length, key, AnyValue's tag and length, the value (at most).
    if (keyLength + valueLength + 4 > SHORT_KEY_VALUE) return false;
    this.#room(keyLength + valueLength + 4);
    const buffer = this.#buffer;
    const start = this.#at;
    buffer[start] = tag;
    this.#copyAt(start + 2, key);
    let at = start + 2 + keyLength;
    buffer[at] = ANY_VALUE_TAG;
    const anyAt = at + 1;
    at += 2;
    if (typeof value === 'string') {
      buffer[at] = STRING_VALUE_TAG;
      buffer[at + 1] = value.length;
      at += 2;
      for (let i = 0; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) return false;
        buffer[at++] = code;
      }
    } else if (typeof value === 'boolean') {
      buffer[at++] = BOOL_VALUE_TAG;
      buffer[at++] = value ? 1 : 0;
    } else if (Number.isInteger(value)) {
      buffer[at++] = INT_VALUE_TAG;
      let rest = value;
      while (rest > 0x7f) {
        buffer[at++] = (rest & 0x7f) | 0x80;
        rest = Math.floor(rest / 128);
      }
      buffer[at++] = rest;
    } else {
      buffer[at++] = DOUBLE_VALUE_TAG;
      this.#words.setFloat64(at, value, true);
      at += 8;
    }
    buffer[anyAt] = at - anyAt - 1;
    buffer[start + 1] = at - start - 2;
    this.#at = at;
    return true;
  }

  /** Bytes already encoded. */
  bytes(bytes: Uint8Array): void {
    const length = bytes.length;
    this.#room(length);
    this.#copyAt(this.#at, bytes);
    this.#at += length;
  }

  /**
   * `bytes` over room already made at `at`. A byte at a time costs ~2.5 ns a byte (V8 checks both
   * arrays' maps and bounds on every byte: ~30 instructions), a set() ~16 ns whatever the length:
   * set from 8 bytes on (session 11, a loop of copies). Called as TypedArray's own method: read
   * off a Buffer, `set` was an inline-cache miss each time (~200 instructions).
   */
  #copyAt(at: number, bytes: Uint8Array): void {
    const length = bytes.length;
    const buffer = this.#buffer;
    if (length >= 8) typedArraySet.call(buffer, bytes, at);
    else for (let i = 0; i < length; i++) buffer[at + i] = bytes[i]!;
  }

  /**
   * A trace or span id, its bytes copied from where they are kept four at a time: a byte at a
   * time, the five ids of a traced request were ~2.7 k instructions (~30 a byte), a DataView's
   * words a fifth of that (session 11).
   */
  id(field: number, id: SpanId): void {
    // An id's field (1, 2 or 4) and length (8 or 16 bytes) are a byte each.
    const { words, at: from, length } = id;
    this.#room(length + 2);
    const buffer = this.#buffer;
    let at = this.#at;
    buffer[at++] = (field << 3) | 2;
    buffer[at++] = length;
    const out = this.#words;
    for (let i = 0; i < length; i += 4) out.setUint32(at + i, words.getUint32(from + i, true), true);
    this.#at = at + length;
  }

  fixed32(value: number): void {
    this.#room(4);
    this.#words.setUint32(this.#at, value >>> 0, true);
    this.#at += 4;
  }

  /** Epoch milliseconds (with fractions) as fixed64 nanoseconds, exact past 2^53 (in two 32-bit halves, no BigInt). */
  fixed64Nanos(field: number, ms: number): void {
    this.tag(field, 1);
    this.#room(8);
    const seconds = Math.floor(ms / 1000);
    const nanos = Math.round((ms - seconds * 1000) * 1e6);
    // seconds × 1e9 + nanos with every intermediate below 2^53 (as OpenTelemetry's serializer
    // does): seconds = sHigh·2^16 + sLow, so the total is (sHigh·1e9)·2^16 + (sLow·1e9 + nanos).
    // Remainders are taken as x − floor(x / 2^k)·2^k: `%` on doubles is a call to fmod, and this
    // ran twelve of them a traced request (~8% of the encoding's time in a loop, session 11).
    const sHigh = Math.floor(seconds / 0x10000);
    const lowPart = (seconds - sHigh * 0x10000) * 1e9 + nanos;
    const highPart = sHigh * 1e9;
    const highHigh = Math.floor(highPart / 0x10000);
    const sum = (highPart - highHigh * 0x10000) * 0x10000 + lowPart;
    const sumHigh = Math.floor(sum / 0x100000000);
    // Through the DataView: Buffer's writeUInt32LE checks its arguments first.
    this.#words.setUint32(this.#at, sum - sumHigh * 0x100000000, true);
    this.#words.setUint32(this.#at + 4, (highHigh + sumHigh) >>> 0, true);
    this.#at += 8;
  }

  double(value: number): void {
    this.#room(8);
    this.#words.setFloat64(this.#at, value, true);
    this.#at += 8;
  }

  /**
   * Starts a length-delimited field, `reserve` bytes kept for its length; `end` with what it
   * returns (and the same `reserve`) closes it. A message whose length needs another number of
   * bytes is moved along when it ends: reserve what it most likely needs.
   */
  begin(field: number, reserve = 1): number {
    this.tag(field, 2);
    this.#room(reserve);
    const lengthAt = this.#at;
    this.#at += reserve;
    return lengthAt;
  }

  end(lengthAt: number, reserve = 1): void {
    const length = this.#at - lengthAt - reserve;
    if (length < 0x80 && reserve === 1) {
      this.#buffer[lengthAt] = length;
      return;
    }
    let size = 1;
    for (let rest = length; rest > 0x7f; rest = Math.floor(rest / 128)) size++;
    if (size !== reserve) {
      this.#room(size - reserve);
      this.#buffer.copyWithin(lengthAt + size, lengthAt + reserve, this.#at);
      this.#at += size - reserve;
    }
    let value = length;
    let i = lengthAt;
    while (value > 0x7f) {
      this.#buffer[i++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    this.#buffer[i] = value;
  }

  #room(bytes: number): void {
    if (this.#at + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.#buffer.length * 2, this.#at + bytes));
    this.#buffer.copy(grown, 0, 0, this.#at);
    this.#buffer = grown;
    this.#words = wordsOf(grown);
  }
}

const typedArraySet = Uint8Array.prototype.set;

function wordsOf(buffer: Buffer): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
}

// ─── JSON (OTLP/JSON: ids as hex, 64-bit integers as strings) ──────────────────────────────────

function jsonRequest(resource: SpanAttributes): ExportRequest {
  const head = `{"resourceSpans":[{"resource":{"attributes":${jsonAttributes(resource)},"droppedAttributesCount":0},"scopeSpans":[{"scope":{"name":${JSON.stringify(SCOPE_NAME)}},"spans":[`;
  let spans: string[] = [];
  let length = head.length;
  return {
    add(span) {
      const json = jsonSpan(span);
      spans.push(json);
      length += json.length + 1;
    },
    get bytes() {
      return length;
    },
    body() {
      const text = `${head}${spans.join(',')}]}]}]}`;
      spans = [];
      length = head.length;
      // TextEncoder's bytes are an ArrayBuffer of their own (Buffer.from's may be a pool's).
      return UTF8.encode(text);
    },
  };
}

const UTF8 = new TextEncoder();

function jsonSpan(span: SpanRecord): string {
  return (
    `{"traceId":"${span.traceId.hex}","spanId":"${span.spanId.hex}"` +
    (span.parentSpanId !== undefined ? `,"parentSpanId":"${span.parentSpanId.hex}"` : '') +
    `,"name":${JSON.stringify(typeof span.name === 'string' ? span.name : span.name.text)},"kind":${span.kind + 1}` +
    `,"startTimeUnixNano":"${nanosText(span.startMs)}","endTimeUnixNano":"${nanosText(span.endMs)}"` +
    `,"attributes":${typeof span.attributes === 'function' ? writtenJsonAttributes(span as WrittenSpan) : jsonAttributes(span.attributes)},"droppedAttributesCount":0,"events":[],"droppedEventsCount":0` +
    `,"status":{"code":${span.status.code}${span.status.message !== undefined ? `,"message":${JSON.stringify(span.status.message)}` : ''}}` +
    `,"links":[],"droppedLinksCount":0,"flags":${spanFlags(span)}}`
  );
}

function jsonAttributes(attributes: SpanAttributes): string {
  const parts: string[] = [];
  pushJsonKeyValues(parts, attributes);
  return `[${parts.join(',')}]`;
}

type WrittenSpan = SpanRecord & { attributes: (writer: AttributeWriter) => void };

function writtenJsonAttributes(span: WrittenSpan): string {
  const parts: string[] = [];
  const keyValue = (key: AttributeKey, value: AttributeValue): void => void parts.push(`${key.json}${jsonAnyValue(value)}}`);
  span.attributes({
    string: keyValue,
    number: keyValue,
    boolean: keyValue,
    recurring: keyValue,
    recurringRun: (run, values) => values.forEach((value, i) => value !== null && keyValue(run.keys[i]!, value)),
    all: (attributes) => pushJsonKeyValues(parts, attributes),
  });
  return `[${parts.join(',')}]`;
}

/** Each attribute of `attributes` as an OTLP/JSON KeyValue, onto `parts`. */
function pushJsonKeyValues(parts: string[], attributes: SpanAttributes): void {
  for (const key in attributes) parts.push(`{"key":${JSON.stringify(key)},"value":${jsonAnyValue(attributes[key]!)}}`);
}

function jsonAnyValue(value: AttributeValue): string {
  return typeof value === 'string'
    ? `{"stringValue":${JSON.stringify(value)}}`
    : typeof value === 'boolean'
      ? `{"boolValue":${value}}`
      : Number.isInteger(value)
        ? `{"intValue":${value}}`
        : `{"doubleValue":${value}}`;
}

/** Epoch milliseconds as a decimal string of nanoseconds, exact. */
function nanosText(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return `${seconds}${String(nanos).padStart(9, '0')}`;
}
