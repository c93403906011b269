/**
 * Finding one top-level member of a JSON object in its text, without parsing the rest: the
 * gateway passes request and response bodies through as bytes, and needs only `model` of a
 * request (to rewrite it, model-field.ts) and `usage` of a response (for the log, usage.ts).
 *
 * The scanner skips nested values by bracket depth and strings by their closing quote (found
 * with indexOf, so long texts — a conversation, a completion — are crossed in native jumps). It
 * does not validate: on text that is not a JSON object it either throws a TypeError or finds
 * something — callers parse what it finds, or have parsed the text already.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export type LocatedMember =
  | { kind: 'value'; start: number; end: number }
  /** No such member: one would be inserted at `at` (just inside the opening brace); `empty` for `{}`. */
  | { kind: 'absent'; at: number; empty: boolean };

/**
 * Where the value of the top-level member `key` is in `text`, or where one would go;
 * `ambiguous` when the key appears twice (JSON.parse keeps the last; another parser may keep the
 * first). Throws a TypeError when `text` does not hold a JSON object.
 */
export function locateTopLevelMember(text: string, key: string): LocatedMember | 'ambiguous' {
  let i = skipWhitespace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) throw new TypeError('not a JSON object');
  const at = i + 1;
  let found: LocatedMember | undefined;
  i = skipWhitespace(text, at);
  if (text.charCodeAt(i) === CLOSE_BRACE) return { kind: 'absent', at, empty: true };
  const quoted = `"${key}"`;
  for (;;) {
    const keyStart = i;
    if (text.charCodeAt(keyStart) !== QUOTE) throw new TypeError('not a JSON object');
    const keyEnd = endOfString(text, keyStart);
    const isKey = keyIs(text, keyStart, keyEnd, quoted);
    i = skipWhitespace(text, keyEnd);
    i = skipWhitespace(text, i + 1); // past ':'
    const valueStart = i;
    i = endOfValue(text, i);
    if (isKey) {
      if (found) return 'ambiguous';
      found = { kind: 'value', start: valueStart, end: i };
    }
    i = skipWhitespace(text, i);
    if (text.charCodeAt(i) !== COMMA) break;
    i = skipWhitespace(text, i + 1);
  }
  return found ?? { kind: 'absent', at, empty: false };
}

/**
 * The value JSON.parse would give the top-level member `key` — its last occurrence — found from
 * the end, for a key that answers put last (`usage`): `lastIndexOf` finds the literal key, and
 * only what follows it is read, to confirm that the key stands where a key does and that after
 * its value come nothing but members and the outermost object's closing brace. `unsure` when
 * that cannot be confirmed (no literal key — it may be spelt with escapes —, a nested one, text
 * that is not JSON): the caller then asks `locateTopLevelMember`.
 */
export function lastTopLevelMember(text: string, key: string): Extract<LocatedMember, { kind: 'value' }> | 'unsure' {
  const quoted = `"${key}"`;
  const at = text.lastIndexOf(quoted);
  if (at === -1) return 'unsure';
  let before = at - 1;
  while (isJsonWhitespace(text.charCodeAt(before))) before--;
  const previous = text.charCodeAt(before);
  if (previous !== COMMA && previous !== OPEN_BRACE) return 'unsure';
  try {
    let i = skipWhitespace(text, at + quoted.length);
    if (text.charCodeAt(i) !== COLON) return 'unsure';
    const start = skipWhitespace(text, i + 1);
    const end = endOfValue(text, start);
    // What follows: `, "key": value` pairs, then the closing brace and the end of the text.
    for (i = skipWhitespace(text, end); text.charCodeAt(i) === COMMA; ) {
      i = skipWhitespace(text, i + 1);
      if (text.charCodeAt(i) !== QUOTE) return 'unsure';
      i = skipWhitespace(text, endOfString(text, i));
      if (text.charCodeAt(i) !== COLON) return 'unsure';
      i = skipWhitespace(text, endOfValue(text, skipWhitespace(text, i + 1)));
    }
    if (text.charCodeAt(i) !== CLOSE_BRACE || skipWhitespace(text, i + 1) !== text.length) return 'unsure';
    return { kind: 'value', start, end };
  } catch {
    return 'unsure';
  }
}

/** Whether the string literal at start…end spells `quoted` (the key in quotes), escaped or not. */
function keyIs(text: string, start: number, end: number, quoted: string): boolean {
  const length = end - start;
  if (length === quoted.length) return text.startsWith(quoted, start);
  // An escaped spelling (`"mod\u0065l"`) is longer — at most six characters a letter, every
  // one as `\uXXXX` — and is decoded to compare.
  if (length < quoted.length || length > 6 * (quoted.length - 2) + 2) return false;
  const raw = text.slice(start, end);
  return raw.includes('\\') && JSON.parse(raw) === quoted.slice(1, -1);
}

// JSON whitespace (RFC 8259 §2): space, tab, line feed, carriage return.
const isJsonWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** The index of the first character at or after `i` that is not JSON whitespace. */
export function skipWhitespace(text: string, i: number): number {
  while (isJsonWhitespace(text.charCodeAt(i))) i++;
  return i;
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
    for (let i = start; i < text.length; ) {
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
    throw new TypeError('unterminated object or array');
  }
  // A number, true, false or null: runs until a delimiter (or the end of the text).
  let i = start;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isJsonWhitespace(c) || Number.isNaN(c)) return i;
    i++;
  }
}

/** How deeply arrays and objects nest in the JSON `text` (0 for a scalar); strings are crossed whole. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = endOfString(text, i) - 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) deepest = Math.max(deepest, ++depth);
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return deepest;
}
