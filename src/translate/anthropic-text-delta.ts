/**
 * A seam for speed: the event most of an Anthropic stream is made of — a text delta — read
 * without JSON.parse. Anthropic writes it as compact JSON, keys in one order:
 *
 *   {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}
 *
 * Measured (bench/RESULTS.md, issue 14): JSON.parse of event data was 48% of the CPU a chat
 * client's stream from an Anthropic model costs to translate, and a text delta is all but three
 * of a stream's events. Data of exactly that shape is read here; anything else — other events,
 * other key orders, spaces, a string literal JSON would not accept — returns undefined and takes
 * the general path (JSON.parse), so this can make a stream faster but never different
 * (test/translate/anthropic-text-delta.test.ts checks it against JSON.parse).
 *
 * The shape is checked by one regular expression, its string literal exactly JSON's grammar, and
 * then cut at known offsets: V8 runs the compiled expression over the whole data in ~30 ns, where
 * `startsWith` of the 38-character prefix alone took ~130 ns (a text delta read in 60 ns instead of
 * 210, session 8: bench/RESULTS.md).
 */

const TEXT_DELTA =
  /^\{"type":"content_block_delta","index":(?:0|[1-9]\d{0,8}),"delta":\{"type":"text_delta","text":"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"\}\}$/;
/** Where the block index starts: after `{"type":"content_block_delta","index":`. */
const INDEX_AT = 38;
/** From the comma after the index to the text's opening quote, the length of `,"delta":{"type":"text_delta","text":`. */
const TO_LITERAL = 37;
/** After the literal's closing quote: `}}`. */
const SUFFIX_LENGTH = 2;
const COMMA = 0x2c;
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
  // Matched: the index is digits up to the first comma after INDEX_AT — one digit, nearly always.
  const comma = data.charCodeAt(INDEX_AT + 1) === COMMA ? INDEX_AT + 1 : data.indexOf(',', INDEX_AT);
  const index = comma === INDEX_AT + 1 ? data.charCodeAt(INDEX_AT) - DIGIT_ZERO : Number(data.slice(INDEX_AT, comma));
  const json = data.slice(comma + TO_LITERAL, data.length - SUFFIX_LENGTH);
  // A valid literal (the expression says so): its inside is the text unless it has an escape.
  const text = json.includes('\\') ? (JSON.parse(json) as string) : json.slice(1, -1);
  return { index, text, json };
}
