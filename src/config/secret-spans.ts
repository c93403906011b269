/**
 * Where a config's text holds secrets, as character ranges, so a source frame can star them out.
 * Found from the YAML itself (keys, nesting, each scalar's own range), not by a pattern per line:
 * a key under a misspelled field, a flow mapping (`access_key: {k: sk-…}`) or a URL with a
 * password are all found where they are.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, Scalar, type Node } from 'yaml';
import { credentialRangesInUrl, isCredentialKeyName, looksLikeCredential } from './secret-values.js';

export type TextRange = [start: number, end: number];

/** A `$VAR` / `${VAR}` inside a value names where the secret lives, and stays visible. */
const VARIABLE_REFERENCE = /\$\{?[A-Za-z_]/;

/** The ranges of `text` to hide, sorted and not overlapping; [] for text that is not YAML. */
export function secretRanges(text: string): TextRange[] {
  // A frame is drawn only for a file that was checked, so the text parses; errors leave a
  // partial document, which still has ranges for what it holds.
  const document = parseDocument(text, { keepSourceTokens: false, uniqueKeys: false, strict: false });
  const ranges: TextRange[] = [];
  collect(document.contents as Node | null, false, ranges);
  return merge(ranges);
}

function collect(node: Node | null | undefined, secret: boolean, out: TextRange[]): void {
  if (!node) return;
  if (isScalar(node)) {
    maskScalar(node, secret, out);
    return;
  }
  if (isSeq(node)) {
    for (const item of node.items) collect(item as Node, secret, out);
    return;
  }
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      // A value under a credential key is a secret, and so is a header's value: headers carry
      // keys (`x-api-key`, `Authorization`) whatever they are called.
      collect(pair.value as Node, secret || isCredentialKeyName(key) || key === 'headers', out);
    }
  }
}

function maskScalar(node: Scalar, secret: boolean, out: TextRange[]): void {
  if (typeof node.value !== 'string' || !node.range) return;
  const value = node.value;
  const [start, end] = valueRange(node);
  if (VARIABLE_REFERENCE.test(value) && !looksLikeCredential(value)) {
    // `postgres://user:${PGPASSWORD}@…` is fine, `https://user:hunter2@…?x=$Y` is not.
    if (value.includes('://')) maskUrlParts(value, start, end, out);
    return;
  }
  if (secret || looksLikeCredential(value)) {
    if (end > start) out.push([start, end]);
    return;
  }
  if (value.includes('://')) maskUrlParts(value, start, end, out);
}

/** The credential parts of a URL scalar; the whole scalar when its source is not the value verbatim (escapes, folding). */
function maskUrlParts(value: string, start: number, end: number, out: TextRange[]): void {
  const parts = credentialRangesInUrl(value);
  if (parts.length === 0) return;
  if (end - start !== value.length) {
    out.push([start, end]);
    return;
  }
  for (const [from, to] of parts) {
    // `user:${PGPASSWORD}@` names where the password lives.
    if (!VARIABLE_REFERENCE.test(value.slice(from, to))) out.push([start + from, start + to]);
  }
}

/** The source range of a scalar's value, its quotes left out. */
function valueRange(node: Scalar): TextRange {
  const [start, valueEnd] = node.range!;
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
  return quoted ? [start + 1, Math.max(start + 1, valueEnd - 1)] : [start, valueEnd];
}

function merge(ranges: TextRange[]): TextRange[] {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: TextRange[] = [];
  for (const range of ranges) {
    const last = out[out.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else out.push([...range]);
  }
  return out;
}

/**
 * `lines` (the text split at line breaks) with every character inside `ranges` starred out; each
 * line keeps its length, so columns and underlines still line up.
 */
export function maskLines(text: string, ranges: readonly TextRange[]): string[] {
  const lines: string[] = [];
  let lineStart = 0;
  let r = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const contentEnd = lineEnd > lineStart && text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    let line = text.slice(lineStart, contentEnd);
    while (r < ranges.length && ranges[r]![1] <= lineStart) r++;
    for (let k = r; k < ranges.length && ranges[k]![0] < contentEnd; k++) {
      const from = Math.max(ranges[k]![0], lineStart) - lineStart;
      const to = Math.min(ranges[k]![1], contentEnd) - lineStart;
      if (to > from) line = line.slice(0, from) + '*'.repeat(to - from) + line.slice(to);
    }
    lines.push(line);
    lineStart = lineEnd + 1;
  }
  return lines;
}
