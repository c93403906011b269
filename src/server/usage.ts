/**
 * Token usage of a passed-through response, for the access log. Read after the bytes have gone
 * to the client, never before: a JSON body's top-level `usage` member is read once the body has
 * been sent whole; a stream's events are decoded as each chunk is relayed, and only events that
 * mention `usage` are parsed — and a read that holds whole events, none of which mentions
 * `usage`, is not decoded at all.
 *
 * Where each API reports usage:
 *   chat completions: `usage.prompt_tokens` / `usage.completion_tokens` (streams: the final chunk,
 *     when the client asked for `stream_options.include_usage`)
 *   messages: `usage.input_tokens` / `usage.output_tokens` (streams: `message_start.message.usage`
 *     and `message_delta.usage`, the latter cumulative)
 *   responses: `usage.input_tokens` / `usage.output_tokens` (streams: `response.completed.response.usage`)
 *   Bedrock Converse: `usage.inputTokens` / `usage.outputTokens` (a translated JSON answer is read
 *     as the upstream sent it; ConverseStream usage comes from the translation's transducer)
 */
import { numberField, objectField } from '../translate/json-fields.js';
import { createSseDecoder, type SseDecoder } from '../translate/sse.js';
import { lastTopLevelMember, locateTopLevelMember, skipWhitespace } from './json-members.js';

export interface TokenUsage {
  input_tokens?: number;
  output_tokens?: number;
}

/** Bodies larger than this are not read just to log their usage. */
const MAX_READ_BODY = 1 << 20;

/**
 * The usage a complete JSON response body reports, if any. Only the body's top-level `usage`
 * member is parsed (json-members.ts finds it: from the end, where every API writes it, else by
 * walking the top level): the answer is passed through, and its bytes are not parsed whole again
 * just for the log.
 */
export function usageOfJsonBody(chunks: readonly Uint8Array[], length: number): TokenUsage | undefined {
  if (length === 0 || length > MAX_READ_BODY) return undefined;
  try {
    const text = (chunks.length === 1 ? bytesOf(chunks[0]!) : Buffer.concat(chunks, length)).toString('utf8');
    const last = lastTopLevelMember(text, 'usage');
    const located = last === 'unsure' ? locateTopLevelMember(text, 'usage') : last;
    if (located === 'ambiguous') return usageOf(JSON.parse(text));
    if (located.kind === 'absent') return undefined;
    return usageOf({ usage: JSON.parse(text.slice(located.start, located.end)) });
  } catch {
    // Not a JSON object (an HTML error page from a proxy, a cut-off body): no usage to log.
    return undefined;
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Whether `chunk` ends where an SSE event ends: with a blank line (LF LF, LF CR LF, or CR CR;
 * html.spec.whatwg.org "Interpreting an event stream" — a line ends at CRLF, LF or CR, and an
 * empty line dispatches the event). Whatever came before, the decoder is then between events.
 */
function endsBetweenEvents(chunk: Uint8Array): boolean {
  const n = chunk.length;
  const last = chunk[n - 1];
  if (last === LF) return chunk[n - 2] === LF || (chunk[n - 2] === CR && chunk[n - 3] === LF);
  return last === CR && chunk[n - 2] === CR;
}

const bytesOf = (chunk: Uint8Array): Buffer => (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));

const USAGE_KEY = [...Buffer.from('"usage"')];
/** Where `g` stands in `"usage"`: the rarest of its letters in JSON text, so the one searched for. */
const G_AT = 4;
const typedArrayIndexOf = Uint8Array.prototype.indexOf;

/**
 * Whether the bytes hold `"usage"`: each `g` is found with the typed array's own indexOf (a V8
 * builtin; Buffer's crosses into C++ on each call, and this runs on every relayed chunk) and the
 * bytes around it compared.
 */
function mentionsUsageKey(bytes: Uint8Array): boolean {
  const g = USAGE_KEY[G_AT]!;
  for (let at = typedArrayIndexOf.call(bytes, g, G_AT); at !== -1; at = typedArrayIndexOf.call(bytes, g, at + 1)) {
    const start = at - G_AT;
    let k = 0;
    while (k < USAGE_KEY.length && bytes[start + k] === USAGE_KEY[k]) k++;
    if (k === USAGE_KEY.length) return true;
  }
  return false;
}

/** Follows a passed-through SSE stream and keeps the latest usage its events report. */
export class StreamUsageReader {
  /** Made when a read first needs decoding: most streams never mention usage. */
  private decoder: SseDecoder | undefined;
  private current: TokenUsage | undefined;
  /** The decoder has been given every byte up to an event boundary (nothing pending in it). */
  private betweenEvents = true;

  push(chunk: Uint8Array): void {
    // Most reads are whole content-delta events: when this one starts and ends between events and
    // never mentions usage, decoding it (a string, an event object each) would find nothing.
    const whole = endsBetweenEvents(chunk);
    if (this.betweenEvents && whole && !mentionsUsageKey(chunk)) return;
    this.betweenEvents = whole;
    for (const event of (this.decoder ??= createSseDecoder()).push(chunk)) this.read(event.data);
  }

  usage(): TokenUsage | undefined {
    if (this.decoder) for (const event of this.decoder.end()) this.read(event.data);
    return this.current;
  }

  private read(data: string): void {
    // Most events are content deltas (OpenAI's carry `"usage":null` when usage was asked for);
    // parsing each just to find none would cost more than the relay. Only a usage object counts.
    if (!mentionsUsageObject(data)) return;
    try {
      this.current = usageOf(JSON.parse(data), this.current);
    } catch {
      // Not JSON (a provider's keep-alive comment, `[DONE]`): nothing to read.
    }
  }
}

/**
 * Whether `"usage"` appears followed by `:` and `{`, with any JSON whitespace (RFC 8259 §2)
 * between them — `"usage" : {`, or a line break before the brace — rather than by `null`.
 * A pre-filter only: what it lets through is parsed.
 */
function mentionsUsageObject(data: string): boolean {
  for (let at = data.indexOf('"usage"'); at !== -1; at = data.indexOf('"usage"', at + 1)) {
    const colon = skipWhitespace(data, at + '"usage"'.length);
    if (data[colon] === ':' && data[skipWhitespace(data, colon + 1)] === '{') return true;
  }
  return false;
}

/** The usage a parsed response or stream event reports, merged over what an earlier event said. */
export function usageOf(payload: unknown, previous?: TokenUsage): TokenUsage | undefined {
  const usage = objectField(payload, 'usage') ?? objectField(objectField(payload, 'message'), 'usage') ?? objectField(objectField(payload, 'response'), 'usage');
  if (!usage) return previous;
  const input = numberField(usage, 'input_tokens') ?? numberField(usage, 'prompt_tokens') ?? numberField(usage, 'inputTokens');
  const output = numberField(usage, 'output_tokens') ?? numberField(usage, 'completion_tokens') ?? numberField(usage, 'outputTokens');
  if (input === undefined && output === undefined) return previous;
  return { input_tokens: input ?? previous?.input_tokens, output_tokens: output ?? previous?.output_tokens };
}
