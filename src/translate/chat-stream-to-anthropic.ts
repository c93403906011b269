/**
 * OpenAI chat.completion.chunk stream → Anthropic Messages stream, for an Anthropic client on an
 * OpenAI-compatible upstream. Anthropic's envelope (docs.anthropic.com "Streaming Messages"):
 *
 *   message_start
 *   (content_block_start, content_block_delta…, content_block_stop) per block, indices 0,1,2…
 *   message_delta {stop_reason, usage}
 *   message_stop
 *
 * Chunks map onto it as follows: `delta.reasoning_content` / `delta.reasoning` → a thinking block;
 * `delta.content` (and `delta.refusal`) → a text block; each tool call (by its `index`) → a
 * tool_use block whose arguments stream as input_json_delta. A block is closed when the next one
 * opens, so blocks never interleave and every block gets its own index and stop (the reference
 * gateway put text and the first tool call both at index 0). `finish_reason` is remembered, not
 * sent: OpenAI sends usage in a later chunk (`choices: []`, asked for with
 * `stream_options.include_usage`), so `message_delta` and `message_stop` go out at `[DONE]` — or
 * at the end of the body for servers that never send `[DONE]`. An `{"error":…}` chunk becomes
 * Anthropic's `error` event; a body that ends before any finish_reason ends with an `error` event
 * too, never a made-up `end_turn`.
 */
import { clientErrorBody } from './client-errors.js';
import { arrayField, isObject, numberField, objectField, stringField } from './json-fields.js';
import { anthropicUsageFromChat, stopReasonFor } from './messages-to-chat.js';
import { anthropicEventName, parseEventJson, sseEvents, sseTransducer } from './sse.js';
import type { JsonObject, StreamTransducer, TranslateContext } from './types.js';
import { upstreamErrorInit } from './upstream-errors.js';

interface OpenBlock {
  kind: 'text' | 'thinking' | 'tool';
  index: number;
  /** For tool blocks: the key of the chat tool call it carries. */
  toolKey?: string;
}

export interface ChatToAnthropicEvents {
  /** One parsed chat chunk → the Anthropic events it produces. */
  onChunk(chunk: JsonObject): JsonObject[];
  /** `data: [DONE]`. */
  onDone(): JsonObject[];
  /** The upstream body ended. */
  onEnd(brokeOff?: string): JsonObject[];
  usage(): { input_tokens?: number; output_tokens?: number } | undefined;
}

export function chatToAnthropicEvents(ctx: TranslateContext): ChatToAnthropicEvents {
  let started = false;
  let finished = false;
  let messageId = 'msg_chat';
  let open: OpenBlock | undefined;
  let nextIndex = 0;
  /** Chat tool call key (its `index`, else its id) → the Anthropic block index carrying it. */
  const toolBlocks = new Map<string, number>();
  let lastToolKey: string | undefined;
  let finishReason: string | undefined;
  let refused = false;
  let chatUsage: JsonObject | undefined;

  const start = (chunk: JsonObject | undefined): JsonObject[] => {
    if (started) return [];
    started = true;
    messageId = stringField(chunk, 'id') ?? messageId;
    return [
      {
        type: 'message_start',
        message: {
          id: messageId,
          type: 'message',
          role: 'assistant',
          model: stringField(chunk, 'model') ?? ctx.upstreamModel,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // The prompt's tokens as early as the upstream gives them: a server that reports usage
          // on every chunk (vLLM's continuous usage stats) has them in its first; OpenAI only at
          // the end, so 0 here and the count in message_delta, as Anthropic's API also sends it.
          usage: { input_tokens: numberField(chatUsage, 'prompt_tokens') ?? 0, output_tokens: 0 },
        },
      },
    ];
  };

  const close = (): JsonObject[] => {
    if (open === undefined) return [];
    const stop = { type: 'content_block_stop', index: open.index };
    open = undefined;
    return [stop];
  };

  /** Opens a block (closing the open one) and returns the events. */
  const openBlock = (kind: OpenBlock['kind'], contentBlock: JsonObject, toolKey?: string): JsonObject[] => {
    const events = close();
    open = { kind, index: nextIndex++, toolKey };
    events.push({ type: 'content_block_start', index: open.index, content_block: contentBlock });
    return events;
  };

  const textLike = (kind: 'text' | 'thinking', text: string): JsonObject[] => {
    if (text === '') return [];
    const events = open?.kind === kind ? [] : openBlock(kind, kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' });
    const delta = kind === 'text' ? { type: 'text_delta', text } : { type: 'thinking_delta', thinking: text };
    events.push({ type: 'content_block_delta', index: (open as OpenBlock).index, delta });
    return events;
  };

  const toolCall = (call: unknown): JsonObject[] => {
    if (!isObject(call)) return [];
    const fn = objectField(call, 'function');
    const index = numberField(call, 'index');
    const id = stringField(call, 'id');
    // Servers that omit `index` (some send each call whole) are keyed by id; a fragment with
    // neither belongs to the call in progress.
    const key = index !== undefined ? `#${index}` : (id ?? lastToolKey ?? '#0');
    const events: JsonObject[] = [];
    let blockIndex = toolBlocks.get(key);
    if (blockIndex === undefined) {
      const toolId = id ?? `toolu_${messageId}_${toolBlocks.size}`;
      events.push(...openBlock('tool', { type: 'tool_use', id: toolId, name: stringField(fn, 'name') ?? '', input: {} }, key));
      blockIndex = (open as OpenBlock).index;
      toolBlocks.set(key, blockIndex);
    }
    lastToolKey = key;
    const args = stringField(fn, 'arguments') ?? '';
    // A fragment for a call whose block was already closed (a server interleaving parallel calls)
    // still goes to that call's index: the Anthropic SDK accumulates input by index.
    if (args !== '') events.push({ type: 'content_block_delta', index: blockIndex, delta: { type: 'input_json_delta', partial_json: args } });
    return events;
  };

  const finish = (): JsonObject[] => {
    finished = true;
    const events = [...start(undefined), ...close()];
    const usage = anthropicUsageFromChat(chatUsage);
    events.push({
      type: 'message_delta',
      delta: { stop_reason: stopReasonFor(finishReason, toolBlocks.size > 0, refused), stop_sequence: null },
      usage: {
        input_tokens: usage['input_tokens'],
        output_tokens: usage['output_tokens'],
        cache_read_input_tokens: usage['cache_read_input_tokens'],
      },
    });
    events.push({ type: 'message_stop' });
    return events;
  };

  const fail = (payload: unknown, fallback: string): JsonObject[] => {
    finished = true;
    return [clientErrorBody('messages', upstreamErrorInit(payload) ?? { kind: 'internal', message: fallback })];
  };

  return {
    onChunk(chunk) {
      if (finished) return [];
      if (chunk['error'] !== undefined) return fail(chunk, 'the upstream reported an error in the stream');
      if (isObject(chunk['usage'])) chatUsage = chunk['usage'];
      const events = start(chunk);
      const choices = arrayField(chunk, 'choices');
      // The request never asks for n > 1, so there is one choice; index 0 if a server numbers them.
      const choice = choices.find((c) => numberField(c, 'index') === 0) ?? choices[0];
      const delta = objectField(choice, 'delta');
      events.push(...textLike('thinking', stringField(delta, 'reasoning_content') ?? stringField(delta, 'reasoning') ?? ''));
      events.push(...textLike('text', stringField(delta, 'content') ?? ''));
      const refusal = stringField(delta, 'refusal') ?? '';
      if (refusal !== '') refused = true;
      events.push(...textLike('text', refusal));
      for (const call of arrayField(delta, 'tool_calls')) events.push(...toolCall(call));
      const reason = stringField(choice, 'finish_reason');
      if (reason !== undefined) {
        finishReason = reason;
        events.push(...close());
      }
      return events;
    },
    onDone() {
      return finished ? [] : finish();
    },
    onEnd(brokeOff) {
      if (finished) return [];
      if (finishReason !== undefined) return finish();
      return fail(undefined, brokeOff ?? 'the upstream stream ended before the answer was complete (no finish_reason)');
    },
    usage() {
      if (chatUsage === undefined) return undefined;
      return { input_tokens: numberField(chatUsage, 'prompt_tokens'), output_tokens: numberField(chatUsage, 'completion_tokens') };
    },
  };
}

/** The SSE transducer: chat SSE bytes in, Anthropic SSE (`event:` + `data:`) out. */
export function chatToAnthropicStream(ctx: TranslateContext): StreamTransducer {
  const machine = chatToAnthropicEvents(ctx);
  const write = (events: JsonObject[]): string => sseEvents(events, anthropicEventName);
  return sseTransducer({
    onEvent(message) {
      if (message.data.trim() === '[DONE]') return write(machine.onDone());
      const chunk = parseEventJson(message.data);
      return chunk === undefined ? '' : write(machine.onChunk(chunk));
    },
    onEnd: (brokeOff) => write(machine.onEnd(brokeOff)),
    usage: () => machine.usage(),
  });
}
