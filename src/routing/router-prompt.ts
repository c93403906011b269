/**
 * The request sent to the router model, in the format the Arch-Router / Plano-Orchestrator
 * models were trained on (the reference's `router/orchestrator_model_v1.rs`): the route list,
 * the recent conversation as 4-space pretty JSON, and the instructions, as one user message at
 * temperature 0.01. Pure: nothing here performs I/O.
 */
import type { RoutingPreference } from '../config/types.js';
import type { ClientApi } from '../providers/types.js';
import type { JsonObject } from '../translate/types.js';
import { isObject } from '../translate/json-fields.js';

/** One conversation turn as the router sees it: a role and its text. */
export interface RouterMessage {
  role: string;
  content: string;
}

export interface RouterRequestBody {
  model: string;
  messages: [{ role: 'user'; content: string }];
  temperature: number;
}

/** The reference's `MAX_ROUTING_TURNS`: older turns are dropped before the token budget runs. */
export const MAX_ROUTING_TURNS = 16;

/** `overrides.orchestrator_model_context_length` when the config does not set it. */
export const DEFAULT_ROUTER_CONTEXT_LENGTH = 8192;

/** The router models are sampled near-greedily (the reference's value). */
export const ROUTER_TEMPERATURE = 0.01;

/** Rough tokens-per-byte estimate the reference uses instead of a tokenizer. */
const BYTES_PER_TOKEN = 4;

/** Marks where a long message was cut, so the router model knows content is missing. */
const TRIM_MARKER = '…';

/**
 * The template, verbatim: it begins with a newline, and the doubled braces are literal (the
 * reference fills it with `str::replace`, not a formatter, so they reach the model doubled).
 */
export const ROUTER_PROMPT_TEMPLATE = `
You are a helpful assistant that selects the most suitable routes based on user intent.
You are provided with a list of available routes enclosed within <routes></routes> XML tags:
<routes>
{routes}
</routes>

You are also given the conversation context enclosed within <conversation></conversation> XML tags:
<conversation>
{conversation}
</conversation>

## Instructions
1. Analyze the latest user intent from the conversation.
2. Compare it against the available routes to find which routes can help fulfill the request.
3. Respond only with the exact route names from <routes>.
4. If no routes can help or the intent is already fulfilled, return an empty list.

## Response Format
Return your answer strictly in JSON as follows:
{{"route": ["route_name_1", "route_name_2", "..."]}}
If no routes are needed, return an empty list for \`route\`.
`;

/** Roles whose messages never reach the router: instructions and tool output are not user intent. */
const DROPPED_ROLES = new Set(['system', 'developer', 'tool', 'function']);

/**
 * The route list: one JSON object a line, in declared order, spaced the way Python's
 * `json.dumps` spaces (`", "` and `": "`), which is what the router models saw in training.
 */
export function routeLines(preferences: readonly RoutingPreference[]): string {
  return preferences
    .map(
      (p) =>
        `{"name": ${JSON.stringify(p.name)}, "description": ${JSON.stringify(p.description ?? '')}, ` +
        '"parameters": {"type": "object", "properties": {}, "required": []}}',
    )
    .join('\n');
}

/**
 * The conversation of a request from any client API, as role + text turns in order.
 * Chat Completions: `messages`. Anthropic Messages: `messages` (the separate `system` is not a
 * turn; only `text` blocks count, so a turn of tool results has no text). Responses: `input`,
 * a string or a list of items (`instructions` is the system prompt; function calls and their
 * outputs are tool traffic).
 */
export function conversationFromRequest(api: ClientApi, body: JsonObject): RouterMessage[] {
  if (api === 'responses') return conversationFromResponsesInput(body.input);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return messages.flatMap((m): RouterMessage[] =>
    isObject(m) && typeof m.role === 'string' ? [{ role: m.role, content: textOf(m.content) }] : [],
  );
}

function conversationFromResponsesInput(input: unknown): RouterMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (!Array.isArray(input)) return [];
  return input.flatMap((item): RouterMessage[] => {
    if (!isObject(item) || typeof item.role !== 'string') return [];
    // An item with a role is a message (`type: "message"`, or the short form without `type`).
    if (item.type !== undefined && item.type !== 'message') return [];
    return [{ role: item.role, content: textOf(item.content) }];
  });
}

/**
 * The text of a message's content: a string as is; from a list of parts, the text parts
 * (`text` in Chat and Anthropic, `input_text` / `output_text` in Responses) joined with a newline.
 */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(
      (part): part is { text: string } =>
        isObject(part) &&
        typeof part.text === 'string' &&
        (part.type === 'text' || part.type === 'input_text' || part.type === 'output_text'),
    )
    .map((part) => part.text)
    .join('\n');
}

/**
 * The turns the router sees: system/developer/tool turns and turns without text dropped, the
 * last MAX_ROUTING_TURNS kept, then, walking back from the newest, turns added while the
 * estimated tokens (template + turns, bytes / 4) stay within `contextLength`. The turn that
 * overflows is kept, middle-trimmed to the budget left, only when it is the user's (the latest
 * intent matters most); if nothing fits at all, the last turn is used whole.
 */
export function selectConversation(messages: readonly RouterMessage[], contextLength: number): RouterMessage[] {
  const candidates = messages
    .filter((m) => !DROPPED_ROLES.has(m.role) && m.content !== '')
    .slice(-MAX_ROUTING_TURNS);

  let tokens = Math.floor(byteLength(ROUTER_PROMPT_TEMPLATE) / BYTES_PER_TOKEN);
  const newestFirst: RouterMessage[] = [];
  for (let i = candidates.length - 1; i >= 0; i--) {
    const message = candidates[i]!;
    const messageTokens = Math.floor(byteLength(message.content) / BYTES_PER_TOKEN);
    if (tokens + messageTokens > contextLength) {
      const remaining = Math.max(0, contextLength - tokens);
      if (message.role === 'user' && remaining > 0) {
        newestFirst.push({ role: 'user', content: trimMiddleUtf8(message.content, remaining * BYTES_PER_TOKEN) });
      }
      break;
    }
    tokens += messageTokens;
    newestFirst.push({ role: message.role, content: message.content });
  }
  const last = candidates.at(-1);
  if (newestFirst.length === 0 && last) newestFirst.push({ role: last.role, content: last.content });
  return newestFirst.reverse();
}

/** The prompt: the template with the route list and the conversation (4-space pretty JSON) filled in. */
export function routerPrompt(preferences: readonly RoutingPreference[], conversation: readonly RouterMessage[]): string {
  const turns = conversation.map((m) => ({ role: m.role, content: m.content }));
  // Replacer functions, so a `$` in a description or message is not read as a replacement pattern.
  return ROUTER_PROMPT_TEMPLATE.replace('{routes}', () => routeLines(preferences)).replace(
    '{conversation}',
    () => JSON.stringify(turns, null, 4),
  );
}

export interface RouterRequestInput {
  /** The model id the router endpoint expects (provider prefix removed). */
  model: string;
  preferences: readonly RoutingPreference[];
  /** The request's conversation, before selection (see `conversationFromRequest`). */
  conversation: readonly RouterMessage[];
  /** `overrides.orchestrator_model_context_length`. */
  contextLength?: number;
}

/** The Chat Completions body sent to the router model. */
export function routerRequestBody(input: RouterRequestInput): RouterRequestBody {
  const selected = selectConversation(input.conversation, input.contextLength ?? DEFAULT_ROUTER_CONTEXT_LENGTH);
  return {
    model: input.model,
    messages: [{ role: 'user', content: routerPrompt(input.preferences, selected) }],
    temperature: ROUTER_TEMPERATURE,
  };
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes: about 60% from the start (where the task is
 * framed), `…`, and the rest from the end (where the ask often follows a long paste). Cuts fall
 * on character boundaries; with no room for the marker, only the start is kept.
 */
export function trimMiddleUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const markerBytes = byteLength(TRIM_MARKER);
  if (maxBytes <= markerBytes) return bytes.subarray(0, boundaryAtOrBefore(bytes, maxBytes)).toString('utf8');

  const available = maxBytes - markerBytes;
  const headEnd = boundaryAtOrBefore(bytes, Math.floor((available * 3) / 5));
  const tailStart = boundaryAtOrAfter(bytes, bytes.length - (available - headEnd));
  return bytes.subarray(0, headEnd).toString('utf8') + TRIM_MARKER + bytes.subarray(tailStart).toString('utf8');
}

/** A UTF-8 continuation byte is 10xxxxxx; every other byte starts a character. */
const isBoundary = (bytes: Buffer, index: number): boolean =>
  index <= 0 || index >= bytes.length || (bytes[index]! & 0xc0) !== 0x80;

function boundaryAtOrBefore(bytes: Buffer, index: number): number {
  let i = index;
  while (i > 0 && !isBoundary(bytes, i)) i--;
  return i;
}

function boundaryAtOrAfter(bytes: Buffer, index: number): number {
  let i = index;
  while (i < bytes.length && !isBoundary(bytes, i)) i++;
  return i;
}

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');
