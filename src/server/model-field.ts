/**
 * Rewriting `model` in a same-format request without re-serialising it. The body has already
 * been parsed once (to read `model` and `stream`); here the top-level `"model"` member is found
 * in the original text and only its value is replaced, so every other byte — unknown fields,
 * number spellings, key order — reaches the upstream exactly as the client sent it, and a large
 * conversation is not stringified again on the hot path.
 *
 * The scanner walks the top level of a text that JSON.parse has already accepted, so it needs no
 * validation of its own: it skips nested values by bracket depth and strings by their closing
 * quote. When the text holds the key more than once (JSON.parse keeps the last; an upstream might
 * keep the first) it gives up and the caller re-serialises the parsed value instead.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * `text` (a JSON object that JSON.parse accepted, parsed as `parsed`) with its top-level `model`
 * set to `model`: the value spliced in place, or a member added first when there was none. Null
 * when the text already says exactly that, so the caller can send the bytes it received.
 */
export function withModel(text: string, parsed: Record<string, unknown>, model: string): string | null {
  const located = locateTopLevelModel(text);
  const value = JSON.stringify(model);
  if (located === 'ambiguous') return JSON.stringify({ ...parsed, model });
  if (located.kind === 'value') {
    if (located.end - located.start === value.length && text.startsWith(value, located.start)) return null;
    return text.slice(0, located.start) + value + text.slice(located.end);
  }
  const rest = text.slice(located.at);
  return `${text.slice(0, located.at)}"model":${value}${located.empty ? '' : ','}${rest}`;
}

type Located =
  | { kind: 'value'; start: number; end: number }
  /** No `model` member: insert one at `at` (just inside the opening brace). */
  | { kind: 'insert'; at: number; empty: boolean };

/** Where the top-level `model` member's value is, or where to add one; `ambiguous` when it appears twice. */
export function locateTopLevelModel(text: string): Located | 'ambiguous' {
  let i = skipWhitespace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) throw new TypeError('not a JSON object');
  const at = i + 1;
  let found: Located | undefined;
  i = skipWhitespace(text, at);
  if (text.charCodeAt(i) === CLOSE_BRACE) return { kind: 'insert', at, empty: true };
  for (;;) {
    const keyStart = i;
    const keyEnd = endOfString(text, keyStart);
    const isModel = keyIsModel(text, keyStart, keyEnd);
    i = skipWhitespace(text, keyEnd);
    i = skipWhitespace(text, i + 1); // past ':'
    const valueStart = i;
    i = endOfValue(text, i);
    if (isModel) {
      if (found) return 'ambiguous';
      found = { kind: 'value', start: valueStart, end: i };
    }
    i = skipWhitespace(text, i);
    if (text.charCodeAt(i) !== COMMA) break;
    i = skipWhitespace(text, i + 1);
  }
  return found ?? { kind: 'insert', at, empty: false };
}

function keyIsModel(text: string, start: number, end: number): boolean {
  // `"model"` is 7 characters; an escaped spelling (`"mod\u0065l"`) is longer — at most 32, every
  // letter as `\uXXXX` — and is decoded to compare.
  const length = end - start;
  if (length === 7) return text.startsWith('"model"', start);
  if (length > 32) return false;
  const raw = text.slice(start, end);
  return raw.includes('\\') && JSON.parse(raw) === 'model';
}

function skipWhitespace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    // JSON whitespace (RFC 8259 §2): space, tab, line feed, carriage return.
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
    i++;
  }
}

/** The index just past the string that opens at `start`. */
function endOfString(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw new TypeError('unterminated string');
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** The index just past the value that starts at `start`. */
function endOfValue(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) return endOfString(text, start);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    let i = start;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i = endOfString(text, i);
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
  }
  // A number, true, false or null: runs until a delimiter.
  let i = start;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || Number.isNaN(c)) {
      return i;
    }
    i++;
  }
}
