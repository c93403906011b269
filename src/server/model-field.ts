/**
 * Rewriting `model` in a same-format request without re-serialising it. The body has already
 * been parsed once (to read `model` and `stream`); here the top-level `"model"` member is found
 * in the original text (json-members.ts) and only its value is replaced, so every other byte —
 * unknown fields, number spellings, key order — reaches the upstream exactly as the client sent
 * it, and a large conversation is not stringified again on the hot path. When the text holds the
 * key more than once (JSON.parse keeps the last; an upstream might keep the first) the parsed
 * value is re-serialised instead.
 */
import { locateTopLevelMember } from './json-members.js';

/**
 * `text` (a JSON object that JSON.parse accepted, parsed as `parsed`) with its top-level `model`
 * set to `model`: the value spliced in place, or a member added first when there was none. Null
 * when the text already says exactly that, so the caller can send the bytes it received.
 */
export function withModel(text: string, parsed: Record<string, unknown>, model: string): string | null {
  const located = locateTopLevelMember(text, 'model');
  const value = JSON.stringify(model);
  if (located === 'ambiguous') return JSON.stringify({ ...parsed, model });
  if (located.kind === 'value') {
    if (located.end - located.start === value.length && text.startsWith(value, located.start)) return null;
    return text.slice(0, located.start) + value + text.slice(located.end);
  }
  const rest = text.slice(located.at);
  return `${text.slice(0, located.at)}"model":${value}${located.empty ? '' : ','}${rest}`;
}
