/**
 * A seam for speed: the events of an Anthropic stream read without JSON.parse. Anthropic writes
 * each event's data as compact JSON, keys in one order; most of a stream is text deltas,
 *
 *   {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}
 *
 * and of the rest, five kinds have one shape in every stream, values aside (a text block's start,
 * a block's stop, the message's delta and stop, a ping). Data of exactly those shapes is read here;
 * anything else — other events, other key orders, spaces, a string literal JSON would not accept —
 * returns undefined and takes the general path (JSON.parse), so this can make a stream faster but
 * never different (test/translate/anthropic-compact-events.test.ts checks it against JSON.parse).
 *
 * Measured (bench/RESULTS.md, issue 14): JSON.parse of event data was 48% of the CPU a chat
 * client's stream from an Anthropic model cost to translate; in the gateway a JSON.parse of even
 * a fixed event cost ~1.5 µs (session 8). Each shape is checked by one regular expression (the
 * text's literal exactly JSON's string grammar) and then cut at known offsets: V8 runs a compiled
 * expression over a text delta in ~30 ns, where `startsWith` of its 38-character prefix alone
 * took ~130 ns (a text delta read in 60 ns instead of 210).
 */
import type { JsonObject } from './types.js';

/** A block index as JSON writes it (no leading zeros), up to nine digits. */
const BLOCK_INDEX = String.raw`(?:0|[1-9]\d{0,8})`;
/** A JSON string literal, quotes included (RFC 8259 §7). */
const STRING_LITERAL = String.raw`"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"`;

const TEXT_DELTA = new RegExp(String.raw`^\{"type":"content_block_delta","index":${BLOCK_INDEX},"delta":\{"type":"text_delta","text":${STRING_LITERAL}\}\}$`);
const TEXT_BLOCK_START = new RegExp(String.raw`^\{"type":"content_block_start","index":${BLOCK_INDEX},"content_block":\{"type":"text","text":""\}\}$`);
const BLOCK_STOP = new RegExp(String.raw`^\{"type":"content_block_stop","index":${BLOCK_INDEX}\}$`);
/** As Anthropic writes a message's delta (the recorded streams in fixtures/translate/anthropic do): its stop reason and sequence, the output tokens. */
const MESSAGE_DELTA = new RegExp(
  String.raw`^\{"type":"message_delta","delta":\{"stop_reason":(null|"[a-z_]+"),"stop_sequence":(null|${STRING_LITERAL})\},"usage":\{"output_tokens":(0|[1-9]\d{0,14})\}\}$`,
);
const MESSAGE_STOP = '{"type":"message_stop"}';
const PING = '{"type":"ping"}';

/** Where the block index starts: after `{"type":"content_block_delta","index":` (and `…_start`), after `{"type":"content_block_stop","index":`. */
const DELTA_INDEX_AT = 38;
const START_INDEX_AT = 38;
const STOP_INDEX_AT = 37;
/** From the comma after a text delta's index to its text's opening quote: the length of `,"delta":{"type":"text_delta","text":`. */
const TO_LITERAL = 37;
/** After the literal's closing quote: `}}`. */
const SUFFIX_LENGTH = 2;
const DIGIT_ZERO = 0x30;

export interface TextDelta {
  index: number;
  text: string;
  /** The text as a JSON string literal, quotes included, as the upstream wrote it (valid JSON: a translation can copy it). */
  json: string;
}

/** The block index and text of a text-delta event's data, or undefined when the data is not exactly that shape. */
export function anthropicTextDelta(data: string): TextDelta | undefined {
  if (!TEXT_DELTA.test(data)) return undefined;
  const index = digitsAt(data, DELTA_INDEX_AT);
  // One digit nearly always; else the index ends at the first comma after it.
  const comma = index < 10 ? DELTA_INDEX_AT + 1 : data.indexOf(',', DELTA_INDEX_AT);
  const json = data.slice(comma + TO_LITERAL, data.length - SUFFIX_LENGTH);
  // A valid literal (the expression says so): its inside is the text unless it has an escape.
  const text = json.includes('\\') ? (JSON.parse(json) as string) : json.slice(1, -1);
  return { index, text, json };
}

/**
 * The event JSON.parse would read from data of a shape Anthropic writes the same in every stream
 * — a text block's start (empty text), a block's stop, the message's delta and stop, a ping — else
 * undefined.
 */
export function anthropicCompactEvent(data: string): JsonObject | undefined {
  if (data === MESSAGE_STOP) return { type: 'message_stop' };
  if (data === PING) return { type: 'ping' };
  if (BLOCK_STOP.test(data)) return { type: 'content_block_stop', index: digitsAt(data, STOP_INDEX_AT) };
  if (TEXT_BLOCK_START.test(data)) return { type: 'content_block_start', index: digitsAt(data, START_INDEX_AT), content_block: { type: 'text', text: '' } };
  const delta = MESSAGE_DELTA.exec(data);
  if (delta !== null) {
    const [, stopReason, stopSequence, outputTokens] = delta as unknown as [string, string, string, string];
    return {
      type: 'message_delta',
      delta: { stop_reason: stopReason === 'null' ? null : stopReason.slice(1, -1), stop_sequence: stopSequence === 'null' ? null : (JSON.parse(stopSequence) as string) },
      usage: { output_tokens: Number(outputTokens) },
    };
  }
  return undefined;
}

/** The number the decimal digits from `at` spell (a matched block index: at most nine digits). */
function digitsAt(data: string, at: number): number {
  let value = 0;
  for (let code = data.charCodeAt(at); code >= DIGIT_ZERO && code <= DIGIT_ZERO + 9; code = data.charCodeAt(++at)) value = value * 10 + (code - DIGIT_ZERO);
  return value;
}
