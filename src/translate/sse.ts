/**
 * Server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html), both ways.
 * Decoding is eventsource-parser's; this module adds what it leaves to its caller: bytes in,
 * UTF-8 characters split across reads, and the end of the stream. Encoding writes the framing
 * every API here uses: an optional `event:` line, `data:` lines, a blank line.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { decodingTransducer } from './decoding-transducer.js';
import type { JsonObject, StreamTransducer } from './types.js';

/** One decoded event: `event` is undefined when the upstream sent no `event:` line. */
export interface SseMessage {
  event: string | undefined;
  data: string;
}

export interface SseDecoder {
  /** Decode the next bytes (any boundaries); returns the events they completed, in order. */
  push(chunk: Uint8Array): SseMessage[];
  /** The stream ended: returns the last event if the upstream did not end it with a blank line. */
  end(): SseMessage[];
}

const STREAM = { stream: true } as const;

export function createSseDecoder(): SseDecoder {
  // `stream: true` keeps a multi-byte character cut by a read boundary until its last byte arrives.
  const text = new TextDecoder('utf-8');
  let completed: SseMessage[] = [];
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      completed.push({ event: message.event, data: message.data });
    },
  });
  const take = (): SseMessage[] => {
    const out = completed;
    completed = [];
    return out;
  };
  return {
    push(chunk) {
      parser.feed(text.decode(chunk, STREAM));
      return take();
    },
    end() {
      // The spec drops an event not followed by a blank line at end of stream; upstreams that
      // close right after `data: [DONE]\n` are common enough that we dispatch it instead.
      parser.feed(`${text.decode()}\n\n`);
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
 * One SSE event. Objects are written as compact JSON; a string is written as is (`[DONE]`), one
 * `data:` line per line of it, as the spec requires for multi-line data.
 */
export function sseEvent(data: unknown, eventName?: string): string {
  const head = eventName === undefined ? '' : `event: ${eventName}\n`;
  // JSON text has no raw line breaks (they are escaped inside strings): one `data:` line, no
  // split — this runs for every event of every translated stream.
  if (typeof data !== 'string') return `${head}data: ${(data as { [EVENT_JSON]?: string })[EVENT_JSON] ?? JSON.stringify(data)}\n\n`;
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
