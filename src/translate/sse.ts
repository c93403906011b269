/**
 * Server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html), both ways.
 * Decoding is eventsource-parser's; this module adds what it leaves to its caller: bytes in,
 * UTF-8 characters split across reads, and the end of the stream. Encoding writes the framing
 * every API here uses: an optional `event:` line, `data:` lines, a blank line.
 */
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { decodingTransducer } from './decoding-transducer.js';
import type { JsonObject, StreamTransducer } from './types.js';

/** One decoded event: `event` is undefined when the upstream sent no `event:` line. */
export interface SseMessage {
  event?: string | undefined;
  data: string;
}

export interface SseDecoder {
  /** Decode the next bytes (any boundaries); returns the events they completed, in order. */
  push(chunk: Uint8Array): SseMessage[];
  /** The stream ended: returns the last event if the upstream did not end it with a blank line. */
  end(): SseMessage[];
}

export function createSseDecoder(): SseDecoder {
  // A StringDecoder keeps a multi-byte character cut by a read boundary until its last byte
  // arrives, as TextDecoder's `stream: true` does, at a tenth of its cost per read (0.3 µs for
  // 4 KB where TextDecoder takes 2.4 µs: bench/RESULTS.md, issue 14). Unlike TextDecoder it
  // keeps a byte order mark, which the SSE spec says a stream may start with: dropped here.
  const text = new StringDecoder('utf8');
  // Whether the StringDecoder may hold the first bytes of a character cut by a read's end. While it
  // does not, a read ending in an ASCII byte (most do) holds only whole characters and is decoded
  // by Buffer's toString, as the StringDecoder would decode it, at half the cost (0.3 against 0.6 µs
  // for 3 KB in a loop; session 8).
  let partial = false;
  const decodeRead = (chunk: Uint8Array): string => {
    const read = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!partial && (read.length === 0 || read[read.length - 1]! < 0x80)) return read.toString('utf8');
    partial = read.length > 0 && read[read.length - 1]! >= 0x80;
    return text.write(read);
  };
  let started = false;
  const decode = (decoded: string): string => {
    if (started || decoded === '') return decoded;
    started = true;
    return decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  };
  let completed: SseMessage[] = [];
  const parser = createParser({
    // The parser's own message (it has `id` too): not copied, this runs for every event.
    onEvent: (message: EventSourceMessage) => void completed.push(message),
  });
  const take = (): SseMessage[] => {
    const out = completed;
    completed = [];
    return out;
  };
  return {
    push(chunk) {
      parser.feed(decode(decodeRead(chunk)));
      return take();
    },
    end() {
      // The spec drops an event not followed by a blank line at end of stream; upstreams that
      // close right after `data: [DONE]\n` are common enough that we dispatch it instead.
      parser.feed(`${decode(text.end())}\n\n`);
      return take();
    },
  };
}

/**
 * The JSON text of an event payload, already made by the stream machine that built the payload
 * (it makes many of one shape: a chat chunk per token) so that `sseEvent` does not stringify the
 * whole object again. A symbol key: JSON.stringify of the object itself does not see it.
 */
export const EVENT_JSON: unique symbol = Symbol('plano.eventJson');

/**
 * A seam for speed: `text` as a flat string. V8 keeps a concatenation as a tree of its pieces (a
 * cons string), and every later string made with it — and its writing to a socket, which first
 * flattens — walks that tree again. A piece of every event of a stream (a chat chunk's head) is
 * made flat once: writing a translated stream of 20 text deltas took ~0.9 µs less (session 8,
 * bench/RESULTS.md). A round trip through bytes is the one way JavaScript has to ask for it; `text`
 * must be well-formed UTF-16 (JSON text is: JSON.stringify escapes a lone surrogate).
 */
export function flatText(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** One `data:` event of JSON text (JSON has no raw line breaks: one line). */
const sseJsonEvent = (json: string): string => `data: ${json}\n\n`;

/**
 * One SSE event. Objects are written as compact JSON; a string is written as is (`[DONE]`), one
 * `data:` line per line of it, as the spec requires for multi-line data.
 */
export function sseEvent(data: unknown, eventName?: string): string {
  const head = eventName === undefined ? '' : `event: ${eventName}\n`;
  // JSON text has no raw line breaks (they are escaped inside strings): one `data:` line, no
  // split — this runs for every event of every translated stream.
  if (typeof data !== 'string') return head + sseJsonEvent((data as { [EVENT_JSON]?: string })[EVENT_JSON] ?? JSON.stringify(data));
  if (!data.includes('\n') && !data.includes('\r')) return `${head}data: ${data}\n\n`;
  return `${head}${data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('')}\n`;
}

/**
 * Events one after another, as one string — concatenated, not map+join: this runs for every read
 * of every translated stream. `nameOf` gives each event its `event:` line.
 */
export function sseEvents<T>(items: readonly T[], nameOf?: (item: T) => string): string {
  let out = '';
  for (const item of items) out += sseEvent(item, nameOf?.(item));
  return out;
}

/** An Anthropic event's `event:` name, its `type`: the Anthropic SDK dispatches on that line and skips events without one. */
export const anthropicEventName = (event: JsonObject): string => String(event['type']);

/** What a translating stream does with each decoded upstream event. */
export interface SseEventHandler {
  /** Returns the client bytes this event produces (maybe ''). */
  onEvent(message: SseMessage): string;
  /** The upstream ended (cleanly or not; `brokeOff`: StreamTransducer.end's): returns the closing client bytes. */
  onEnd(brokeOff?: string): string;
  usage(): { input_tokens?: number; output_tokens?: number } | undefined;
}

/** A `StreamTransducer` for an SSE upstream: decodes bytes and hands each event to `handler`. */
export function sseTransducer(handler: SseEventHandler): StreamTransducer {
  return decodingTransducer(createSseDecoder(), {
    onUnit: (unit: SseMessage) => handler.onEvent(unit),
    onEnd: (brokeOff) => handler.onEnd(brokeOff),
    usage: () => handler.usage(),
  });
}

/** Parses an event's JSON data; undefined for anything that is not a JSON object. */
export function parseEventJson(data: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
