/**
 * A seam for speed: the event most of an Anthropic stream is made of — a text delta — read
 * without JSON.parse. Anthropic writes it as compact JSON, keys in one order:
 *
 *   {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}
 *
 * Measured (bench/RESULTS.md, issue 14): JSON.parse of event data was 48% of the CPU a chat
 * client's stream from an Anthropic model costs to translate, and a text delta is all but three
 * of a stream's events. Data of exactly that shape is read here by slicing; anything else — other
 * events, other key orders, spaces, escapes this does not read itself — returns undefined and
 * takes the general path (JSON.parse), so this can make a stream faster but never different
 * (test/translate/anthropic-text-delta.test.ts checks it against JSON.parse).
 */

const PREFIX = '{"type":"content_block_delta","index":';
const MIDDLE = ',"delta":{"type":"text_delta","text":"';
const SUFFIX = '"}}';
const BLOCK_INDEX = /^(?:0|[1-9]\d{0,8})$/;
/** What a JSON string literal's text cannot hold raw: a quote ends it, a backslash escapes, control characters are invalid. */
const NOT_RAW = /["\\\u0000-\u001f]/;

export interface TextDelta {
  index: number;
  text: string;
  /** The text as a JSON string literal, quotes included, as the upstream wrote it (valid JSON: a translation can copy it). */
  json: string;
}

/** The block index and text of a text-delta event's data, or undefined when the data is not exactly that shape. */
export function anthropicTextDelta(data: string): TextDelta | undefined {
  if (!data.startsWith(PREFIX) || !data.endsWith(SUFFIX)) return undefined;
  const middle = data.indexOf(MIDDLE, PREFIX.length);
  if (middle === -1) return undefined;
  const index = data.slice(PREFIX.length, middle);
  if (!BLOCK_INDEX.test(index)) return undefined;
  const start = middle + MIDDLE.length;
  const end = data.length - SUFFIX.length;
  if (end < start) return undefined;
  const literal = data.slice(start, end);
  const text = NOT_RAW.test(literal) ? stringLiteral(literal) : literal;
  return text === undefined ? undefined : { index: Number(index), text, json: data.slice(start - 1, end + 1) };
}

/** The text of a JSON string literal's inside (escapes read as JSON reads them); undefined when it is not one. */
function stringLiteral(inside: string): string | undefined {
  try {
    const value: unknown = JSON.parse(`"${inside}"`);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
