/**
 * Anthropic Messages stream → OpenAI chat.completion.chunk stream, for a chat client on an
 * Anthropic upstream. Event shapes: docs.anthropic.com "Streaming Messages"; chunk shapes:
 * platform.openai.com/docs/api-reference/chat-streaming.
 *
 *   message_start                      → first chunk: delta {role:"assistant", content:""}
 *   content_block_start text           → (nothing; its text arrives as deltas)
 *   content_block_start tool_use       → delta.tool_calls[{index:k, id, type, function:{name, arguments:""}}]
 *   content_block_delta text_delta     → delta.content
 *   content_block_delta input_json_delta → delta.tool_calls[{index:k, function:{arguments}}]
 *   content_block_delta thinking_delta → delta.reasoning_content (DeepSeek's field)
 *   message_delta                      → delta {}, finish_reason
 *   message_stop                       → usage chunk (choices: []) if stream_options.include_usage, then [DONE]
 *   error                              → data: {"error":{message,type,param,code}} — what the OpenAI SDK
 *                                        raises as an APIError — and the stream ends without [DONE]
 *   ping, signature_delta, citations, server tools → nothing
 *
 * `k` counts tool_use blocks from 0, so tool-call indices are 0,1,… whatever the Anthropic block
 * index (text blocks take Anthropic indices too). A stream that ends before message_delta ends
 * with an error payload rather than [DONE], so a cut-off answer is never passed off as complete.
 */
import { anthropicCompactEvent, anthropicTextDelta, type TextDelta } from './anthropic-compact-events.js';
import { clientErrorBody } from './client-errors.js';
import { chatUsageFromAnthropic, finishReasonFor, unixSeconds } from './chat-to-anthropic.js';
import { isObject, numberField, objectField, stringField } from './json-fields.js';
import { EVENT_JSON, flatText, parseEventJson, sseEvents, sseTransducer } from './sse.js';
import type { JsonObject, StreamTransducer, TranslateContext } from './types.js';
import { upstreamErrorInit } from './upstream-errors.js';

/** What the chunk machine emits: a chunk or error object (one `data:` event each), or the end marker. */
export type ChatStreamItem = JsonObject | '[DONE]';

type BlockKind = 'text' | 'thinking' | 'tool';

interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface AnthropicToChatChunks {
  /** One parsed Anthropic event → the chat items it produces. */
  onEvent(event: JsonObject): ChatStreamItem[];
  /**
   * A `content_block_delta` of `text_delta` (anthropic-compact-events.ts read it unparsed): what
   * onEvent with it would produce — at most one chunk — as that chunk's SSE event (`data: …`),
   * made without building the chunk (most of a stream is these); undefined when it produces nothing.
   */
  textDeltaEvent(delta: TextDelta): string | undefined;
  /** The upstream ended. */
  onEnd(brokeOff?: string): ChatStreamItem[];
  usage(): { input_tokens?: number; output_tokens?: number } | undefined;
}

/** True when the chat client asked for a final usage chunk (`stream_options.include_usage`). */
export function chatClientWantsUsage(ctx: TranslateContext): boolean {
  return objectField(ctx.clientRequest, 'stream_options')?.['include_usage'] === true;
}

/**
 * What a chunk's JSON holds after its delta, as JSON.stringify writes `chunk(…)` below: the
 * template (in the machine) writes chunks as text. test/translate/chat-chunk-template.test.ts holds
 * every chunk it writes equal to JSON.stringify of the chunk object, and
 * anthropic-compact-events.test.ts a stream's text-delta events equal to the general path's.
 */
const AFTER_DELTA = ',"logprobs":null,"finish_reason":';
const CHUNK_END = '}]}';
const CHUNK_END_USAGE_NULL = '}],"usage":null}';
/** A text delta's SSE event after its text's literal: the chunk's end and the blank line. */
const CONTENT_EVENT_END = flatText(`}${AFTER_DELTA}null${CHUNK_END}\n\n`);
const CONTENT_EVENT_END_USAGE_NULL = flatText(`}${AFTER_DELTA}null${CHUNK_END_USAGE_NULL}\n\n`);

/** The stream state machine, over parsed events (also usable by translations that compose through chat). */
export function anthropicToChatChunks(ctx: TranslateContext, includeUsage: boolean): AnthropicToChatChunks {
  let id = 'chatcmpl-anthropic';
  const created = unixSeconds();
  const blocks = new Map<number, { kind: BlockKind; toolIndex: number }>();
  let toolCount = 0;
  let sawMessageDelta = false;
  let finished = false;
  let usage: AnthropicUsage | undefined;
  /** The model that answered, from message_start (types.ts, `TranslateContext.upstreamModel`). */
  let model = ctx.upstreamModel;

  const chunk = (delta: JsonObject, finishReason: string | null = null): JsonObject => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
    ...(includeUsage ? { usage: null } : {}),
  });

  // Every chunk of a stream is the same JSON around a different delta (and finish_reason): written
  // from a template rather than by stringifying each chunk whole (text deltas are most of a
  // stream). Its head changes only with `id` and `model` (message_start), and is written from
  // them directly: JSON.stringify of a whole chunk to cut the template from was ~3.5 µs of a
  // stream in the gateway (session 8). A text delta's whole SSE event is one concatenation around
  // its literal, of two flat pieces (flatText).
  const after = includeUsage ? CHUNK_END_USAGE_NULL : CHUNK_END;
  const contentEventEnd = includeUsage ? CONTENT_EVENT_END_USAGE_NULL : CONTENT_EVENT_END;
  let head: { id: string; model: string; before: string; contentEventStart: string } | undefined;
  const currentHead = (): NonNullable<typeof head> => {
    if (head?.id !== id || head.model !== model) {
      const before = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":`;
      head = { id, model, before, contentEventStart: flatText(`data: ${before}{"content":`) };
    }
    return head;
  };
  const chunkJson = (deltaJson: string, finishJson = 'null'): string => currentHead().before + deltaJson + AFTER_DELTA + finishJson + after;
  /** A chunk object that carries its JSON text, made from the template (sseEvent writes that). */
  const templated = (delta: JsonObject, deltaJson: string, finishReason: string | null = null): JsonObject => {
    const item = chunk(delta, finishReason);
    (item as { [EVENT_JSON]?: string })[EVENT_JSON] = chunkJson(deltaJson, finishReason === null ? 'null' : JSON.stringify(finishReason));
    return item;
  };
  const contentChunk = (text: string): JsonObject => templated({ content: text }, `{"content":${JSON.stringify(text)}}`);

  const recordUsage = (from: unknown): void => {
    if (!isObject(from)) return;
    const next: AnthropicUsage = { ...usage };
    for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
      // Anthropic's counts are cumulative totals: a later event's value replaces an earlier one.
      const value = numberField(from, key);
      if (value !== undefined) next[key] = value;
    }
    usage = next;
  };

  const finish = (): ChatStreamItem[] => {
    finished = true;
    const items: ChatStreamItem[] = [];
    if (includeUsage) {
      items.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: chatUsageFromAnthropic(usage) });
    }
    items.push('[DONE]');
    return items;
  };

  const fail = (payload: unknown, fallback: string): ChatStreamItem[] => {
    finished = true;
    return [clientErrorBody('chat_completions', upstreamErrorInit(payload) ?? { kind: 'internal', message: fallback })];
  };

  const blockStart = (index: number, block: JsonObject): ChatStreamItem[] => {
    const type = stringField(block, 'type');
    if (type === 'text') {
      blocks.set(index, { kind: 'text', toolIndex: -1 });
      const text = stringField(block, 'text') ?? '';
      return text === '' ? [] : [contentChunk(text)];
    }
    if (type === 'thinking') {
      blocks.set(index, { kind: 'thinking', toolIndex: -1 });
      const thinking = stringField(block, 'thinking') ?? '';
      return thinking === '' ? [] : [chunk({ reasoning_content: thinking })];
    }
    if (type === 'tool_use') {
      const toolIndex = toolCount++;
      blocks.set(index, { kind: 'tool', toolIndex });
      const input = objectField(block, 'input');
      // Anthropic starts tool_use with `input: {}` and streams the JSON; a non-empty start input is sent whole.
      const args = input !== undefined && Object.keys(input).length > 0 ? JSON.stringify(input) : '';
      return [chunk({ tool_calls: [{ index: toolIndex, id: stringField(block, 'id'), type: 'function', function: { name: stringField(block, 'name'), arguments: args } }] })];
    }
    return [];
  };

  const textDelta = (index: number, text: string): ChatStreamItem[] =>
    blocks.get(index)?.kind === 'text' && text !== '' ? [contentChunk(text)] : [];

  const blockDelta = (index: number, delta: JsonObject): ChatStreamItem[] => {
    const block = blocks.get(index);
    const type = stringField(delta, 'type');
    if (type === 'text_delta') return textDelta(index, stringField(delta, 'text') ?? '');
    if (block?.kind === 'thinking' && type === 'thinking_delta') {
      const thinking = stringField(delta, 'thinking') ?? '';
      return thinking === '' ? [] : [chunk({ reasoning_content: thinking })];
    }
    if (block?.kind === 'tool' && type === 'input_json_delta') {
      const partial = stringField(delta, 'partial_json') ?? '';
      return partial === '' ? [] : [chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: partial } }] })];
    }
    return [];
  };

  return {
    onEvent(event) {
      if (finished) return [];
      switch (stringField(event, 'type')) {
        case 'message_start': {
          const message = objectField(event, 'message');
          id = stringField(message, 'id') ?? id;
          model = stringField(message, 'model') ?? model;
          recordUsage(objectField(message, 'usage'));
          return [templated({ role: 'assistant', content: '' }, '{"role":"assistant","content":""}')];
        }
        case 'content_block_start':
          return blockStart(numberField(event, 'index') ?? 0, objectField(event, 'content_block') ?? {});
        case 'content_block_delta':
          return blockDelta(numberField(event, 'index') ?? 0, objectField(event, 'delta') ?? {});
        case 'message_delta':
          sawMessageDelta = true;
          recordUsage(objectField(event, 'usage'));
          return [templated({}, '{}', finishReasonFor(objectField(event, 'delta')?.['stop_reason']))];
        case 'message_stop':
          return finish();
        case 'error':
          return fail(event, 'the Anthropic upstream reported an error in the stream');
        default:
          // ping, content_block_stop, and event types added after this was written.
          return [];
      }
    },
    textDeltaEvent: (delta) =>
      !finished && blocks.get(delta.index)?.kind === 'text' && delta.text !== '' ? currentHead().contentEventStart + delta.json + contentEventEnd : undefined,
    onEnd(brokeOff) {
      if (finished) return [];
      // Some servers close right after message_delta; the answer is complete.
      if (sawMessageDelta) return finish();
      return fail(undefined, brokeOff ?? 'the Anthropic upstream stream ended before the message was complete');
    },
    usage() {
      if (usage === undefined) return undefined;
      const chat = chatUsageFromAnthropic(usage);
      return { input_tokens: chat['prompt_tokens'] as number, output_tokens: chat['completion_tokens'] as number };
    },
  };
}

/** The SSE transducer: Anthropic SSE bytes in, chat SSE (`data:` lines, `[DONE]`) out. */
export function anthropicToChatStream(ctx: TranslateContext): StreamTransducer {
  const machine = anthropicToChatChunks(ctx, chatClientWantsUsage(ctx));
  return sseTransducer({
    onEvent(message) {
      const delta = anthropicTextDelta(message.data);
      if (delta !== undefined) return machine.textDeltaEvent(delta) ?? '';
      const event = anthropicCompactEvent(message.data) ?? parseEventJson(message.data);
      // Anthropic's data always carries `type`; the `event:` line is used only if it does not.
      if (event === undefined) return '';
      if (event['type'] === undefined && message.event !== undefined) event['type'] = message.event;
      return sseEvents(machine.onEvent(event));
    },
    onEnd: (brokeOff) => sseEvents(machine.onEnd(brokeOff)),
    usage: () => machine.usage(),
  });
}

