/**
 * A request body nested too deeply for plano to walk. JSON.parse takes any depth (V8's parser is
 * iterative), but what plano does with the value afterwards — JSON.stringify of the upstream body,
 * the translators, count_tokens — recurses, and a few hundred thousand levels overflow the stack.
 *
 * Rather than measure every body's depth up front (a pass over every byte of every request), the
 * stack overflow is recognised where it surfaces, and only then is the body's depth measured: a
 * body that deep is the client's mistake (400), anything else is still plano's bug (500).
 */
import type { ClientErrorInit } from '../translate/client-errors.js';
import { nestingDepth } from './json-members.js';

/** Deeper than any real request (tool schemas and conversations nest a few dozen levels), far shallower than the stack allows. */
const DEPTH_BLAMED_ON_THE_CLIENT = 1_000;

/** The 400 to answer when `error` is a stack overflow and `body` is nested deeply enough to cause it; else undefined. */
export function tooDeeplyNested(error: unknown, body: string): ClientErrorInit | undefined {
  if (!(error instanceof RangeError) || !/call stack/i.test(error.message)) return undefined;
  let depth: number;
  try {
    depth = nestingDepth(body);
  } catch {
    return undefined;
  }
  if (depth < DEPTH_BLAMED_ON_THE_CLIENT) return undefined;
  return {
    kind: 'invalid_request',
    code: 'request_too_deeply_nested',
    message: `the request body is nested ${depth} levels deep, more than plano can process; requests nest a few dozen levels. Flatten the deepest value (a tool's schema, metadata) and send it again.`,
  };
}
