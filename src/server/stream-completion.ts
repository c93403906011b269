/**
 * Whether a passed-through stream reached its API's final event, judged at its end from the last
 * bytes it sent. An upstream that closes early without an error (a proxy's timeout, a crashed
 * worker behind a load balancer) leaves the client with a truncated answer that looks finished:
 * the OpenAI SDK returns partial text with `finish_reason: null`. Knowing it lets the gateway add
 * the format's error event instead.
 *
 * The relay keeps references to the last chunks it passed (no copies, nothing parsed per chunk:
 * this is the pass-through hot path) and searches them once, when the stream ends.
 */
import type { ClientApi } from '../providers/types.js';
import { skipWhitespace } from './json-members.js';

interface FinalEvent {
  /** How many trailing bytes are kept: enough to hold the final event's marker. */
  window: number;
  /** Whether the text of the stream's tail shows that the stream finished. */
  finished(tail: string): boolean;
}

/**
 * Chat: `data: [DONE]`, or a choice with a finish reason (servers that omit `[DONE]`). Anthropic:
 * `message_stop`, or a `message_delta` carrying the stop reason (servers that close right after
 * it). Responses: a terminal event, whose `type` opens its data — that event holds the whole
 * response, hence the larger window.
 */
const FINAL_EVENTS: Readonly<Record<ClientApi, FinalEvent>> = {
  chat_completions: { window: 16 * 1024, finished: (tail) => tail.includes('[DONE]') || hasStringMember(tail, '"finish_reason"') },
  messages: { window: 16 * 1024, finished: (tail) => tail.includes('"message_stop"') || hasStringMember(tail, '"stop_reason"') },
  responses: {
    window: 1024 * 1024,
    finished: (tail) => tail.includes('"response.completed"') || tail.includes('"response.incomplete"') || tail.includes('"response.failed"'),
  },
};

export class StreamTail {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private readonly final: FinalEvent;

  constructor(api: ClientApi) {
    this.final = FINAL_EVENTS[api];
  }

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    while (this.chunks.length > 1 && this.length - this.chunks[0]!.length >= this.final.window) this.length -= this.chunks.shift()!.length;
  }

  /** Whether the stream's last bytes hold its API's final event. */
  finished(): boolean {
    const tail = Buffer.concat(this.chunks, this.length).toString('utf8');
    return this.final.finished(tail);
  }
}

/** Whether `"key"` appears with a string value (`"finish_reason": "stop"`, not `null`). */
function hasStringMember(text: string, quotedKey: string): boolean {
  for (let at = text.indexOf(quotedKey); at !== -1; at = text.indexOf(quotedKey, at + 1)) {
    const colon = skipWhitespace(text, at + quotedKey.length);
    if (text[colon] === ':' && text[skipWhitespace(text, colon + 1)] === '"') return true;
  }
  return false;
}
