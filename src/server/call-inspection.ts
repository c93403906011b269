/**
 * `plano up --inspect`: what one model call carried — the client's request, the upstream request
 * as planned (translated, with the credential plano adds), and the answer the client got — kept
 * for the live view. Bounded (each body to MAX_INSPECTED_BODY bytes) and redacted: a header whose
 * name or value says it authenticates shows `***`, and a URL's credentials are cut by redactUrl.
 * Without --inspect nothing here runs: the request path keeps no body.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { isCredentialKeyName, looksLikeCredential, REDACTED, redactUrl } from '../config/secret-values.js';
import { ForwardingSink, type ReplySink } from './reply.js';

/** Each kept body is cut here: enough for a long prompt, bounded for a gateway left running. */
export const MAX_INSPECTED_BODY = 64 * 1024;

export interface CapturedBody {
  /** The text (UTF-8), up to MAX_INSPECTED_BODY bytes of it. */
  text: string;
  /** The whole body's length in bytes. */
  bytes: number;
  truncated: boolean;
}

export interface CapturedMessage {
  headers: Record<string, string>;
  body: CapturedBody;
}

export interface CallInspection {
  clientRequest: CapturedMessage;
  /** Absent when the request never reached an upstream (refused before, or no model). */
  upstreamRequest?: CapturedMessage & { method: string; url: string };
  answer?: CapturedMessage & { status: number };
}

/** Headers that authenticate (by name, or a value that looks like a key), as `***`. */
export function redactedHeaders(headers: IncomingHttpHeaders | OutgoingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    out[name] = authenticates(name, text) ? REDACTED : text;
  }
  return out;
}

const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'x-goog-api-key']);

function authenticates(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  return AUTH_HEADERS.has(lower) || isCredentialKeyName(lower) || value.split(/[\s,]+/).some(looksLikeCredential);
}

export function captureBody(body: string | Uint8Array): CapturedBody {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const truncated = bytes.byteLength > MAX_INSPECTED_BODY;
  const decoder = new StringDecoder('utf8');
  // A character cut at the bound is left out, not shown as U+FFFD.
  const text = decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, MAX_INSPECTED_BODY)));
  return { text, bytes: bytes.byteLength, truncated };
}

export function inspectClientRequest(headers: IncomingHttpHeaders, body: Buffer): CallInspection {
  return { clientRequest: { headers: redactedHeaders(headers), body: captureBody(body) } };
}

export function inspectUpstreamRequest(inspection: CallInspection, url: string, headers: Record<string, string | string[]>, body: string | Buffer): void {
  inspection.upstreamRequest = { method: 'POST', url: redactUrl(url), headers: redactedHeaders(headers), body: captureBody(body) };
}

/** The answer as the client got it (status, headers, the first MAX_INSPECTED_BODY bytes), recorded on its way out. */
export class InspectingSink extends ForwardingSink {
  readonly #inspection: CallInspection;
  #chunks: Buffer[] = [];
  #kept = 0;
  #bytes = 0;

  constructor(sink: ReplySink, inspection: CallInspection) {
    super(sink);
    this.#inspection = inspection;
  }

  override send(status: number, headers: OutgoingHttpHeaders, body: string | Uint8Array): void {
    this.#inspection.answer = { status, headers: redactedHeaders(headers), body: captureBody(body) };
    this.sink.send(status, headers, body);
  }

  override head(status: number, headers: OutgoingHttpHeaders): void {
    this.#inspection.answer = { status, headers: redactedHeaders(headers), body: { text: '', bytes: 0, truncated: false } };
    this.sink.head(status, headers);
  }

  override write(chunk: string | Uint8Array): boolean {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#bytes += bytes.byteLength;
    if (this.#kept < MAX_INSPECTED_BODY) {
      const kept = bytes.subarray(0, MAX_INSPECTED_BODY - this.#kept);
      this.#chunks.push(Buffer.from(kept));
      this.#kept += kept.byteLength;
    }
    return this.sink.write(chunk);
  }

  override end(): void {
    this.#record();
    this.sink.end();
  }

  override destroy(error: Error): void {
    // A call cut off mid-stream still shows what went out.
    this.#record();
    this.sink.destroy(error);
  }

  #record(): void {
    const answer = this.#inspection.answer;
    if (!answer) return;
    const captured = captureBody(Buffer.concat(this.#chunks, this.#kept));
    answer.body = { text: captured.text, bytes: this.#bytes, truncated: this.#bytes > this.#kept };
  }
}
