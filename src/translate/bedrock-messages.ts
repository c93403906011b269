/**
 * Anthropic Messages client → Bedrock Converse upstream (Anthropic API reference, "Messages" and
 * "Streaming messages"; AWS Bedrock API reference, "Converse" / "ConverseStream").
 *
 * Both APIs are block-based, so most of the mapping is one block for one block. Kept where the
 * reference drops them: thinking blocks (↔ `reasoningContent`), documents, `cache_control`
 * (→ a `cachePoint` after the block), `is_error` on tool results, `stop_sequence`, cache usage.
 */
import { clientErrorBody } from './client-errors.js';
import {
  anthropicStopReasonOf,
  anthropicUsageOf,
  converseUsage,
  documentBlock,
  imageBlock,
  inferenceConfig,
  logUsageOf,
  mergeTurns,
  outputBlocks,
  stopSequenceOf,
  textBlocks,
  toolConfig,
  toolSpec,
  NO_USAGE,
  type ConverseMessage,
  type ConverseUsage,
} from './bedrock-converse.js';
import { bedrockStreamTransducer, type BedrockStreamFrame } from './bedrock-event-stream.js';
import { randomId } from './ids.js';
import { arrayField, definedFields, isObject, numberField, objectField, stringField } from './json-fields.js';
import { anthropicEventName, sseEvents } from './sse.js';
import { upstreamErrorInit } from './upstream-errors.js';
import { TranslationError, type JsonObject, type StreamTransducer, type TranslateContext, type Translation } from './types.js';

const CACHE_POINT: JsonObject = { cachePoint: { type: 'default' } };

/** The block, followed by a cache point when the client marked it with `cache_control`. */
function withCachePoint(source: unknown, blocks: JsonObject[]): JsonObject[] {
  return isObject(source) && isObject(source['cache_control']) && blocks.length > 0 ? [...blocks, CACHE_POINT] : blocks;
}

export function messagesRequestToConverse(body: JsonObject): JsonObject {
  const systemField = body['system'];
  const system =
    typeof systemField === 'string'
      ? textBlocks(systemField)
      : arrayField(body, 'system').flatMap((block) => withCachePoint(block, textBlocks(stringField(block, 'text') ?? '')));
  const messages = mergeTurns(
    arrayField(body, 'messages').flatMap((message, i): ConverseMessage[] => {
      const where = `messages[${i}]`;
      const role = stringField(message, 'role');
      // Claude Code sends `role: "system"` messages inside `messages` for models it does not know.
      // Converse has a system prompt only at the top: their text joins it, after the top-level
      // system, in the order written.
      if (role === 'system') {
        const content = isObject(message) ? message['content'] : undefined;
        system.push(...(typeof content === 'string' ? textBlocks(content) : arrayField(message, 'content').flatMap((block) => withCachePoint(block, textBlocks(stringField(block, 'text') ?? '')))));
        return [];
      }
      if (role !== 'user' && role !== 'assistant') {
        throw new TranslationError(`${where}.role must be "user", "assistant" or "system".`, `${where}.role`);
      }
      const content = isObject(message) ? message['content'] : undefined;
      if (typeof content === 'string') return [{ role, content: textBlocks(content) }];
      if (!Array.isArray(content)) throw new TranslationError(`${where}.content must be a string or an array of content blocks.`, `${where}.content`);
      return [{ role, content: content.flatMap((block, j) => withCachePoint(block, converseBlocks(block, `${where}.content[${j}]`))) }];
    }),
  );
  const tools = arrayField(body, 'tools').flatMap((tool, i) => withCachePoint(tool, [anthropicToolSpec(tool, i)]));
  // `thinking: {type: "disabled"}` is the default: sent on, it would only trouble non-Claude models.
  const thinking = stringField(body['thinking'], 'type') === 'disabled' ? undefined : objectField(body, 'thinking');
  const additional = definedFields({ top_k: numberField(body, 'top_k'), thinking });
  return definedFields({
    messages,
    system: system.length > 0 ? system : undefined,
    inferenceConfig: inferenceConfig({
      maxTokens: numberField(body, 'max_tokens'),
      temperature: numberField(body, 'temperature'),
      topP: numberField(body, 'top_p'),
      stopSequences: arrayField(body, 'stop_sequences').filter((s): s is string => typeof s === 'string'),
    }),
    toolConfig: toolConfig(tools, converseToolChoice(body['tool_choice']), messages),
    // Options Converse has no field for go to the model itself (Anthropic models on Bedrock take
    // these names); a model that does not know them answers with a validation error.
    additionalModelRequestFields: Object.keys(additional).length > 0 ? additional : undefined,
  });
}

/** One Anthropic content block → Converse blocks (none for empty text). */
function converseBlocks(block: unknown, where: string): JsonObject[] {
  const type = stringField(block, 'type');
  switch (type) {
    case 'text':
      return textBlocks(stringField(block, 'text') ?? '');
    case 'image':
      return [anthropicImage(block, where)];
    case 'document':
      return [anthropicDocument(block, where)];
    case 'tool_use':
      return [{ toolUse: { toolUseId: stringField(block, 'id') ?? '', name: stringField(block, 'name') ?? '', input: objectField(block, 'input') ?? {} } }];
    case 'tool_result':
      return [toolResult(block, where)];
    case 'thinking':
      return [{ reasoningContent: { reasoningText: definedFields({ text: stringField(block, 'thinking') ?? '', signature: stringField(block, 'signature') }) } }];
    case 'redacted_thinking':
      return [{ reasoningContent: { redactedContent: stringField(block, 'data') ?? '' } }];
    default:
      throw new TranslationError(
        `${where}: a "${String(type)}" block cannot be sent to Bedrock Converse; use text, image, document, tool_use, tool_result or thinking blocks.`,
        where,
      );
  }
}

function base64Source(block: unknown, where: string, kind: string): { mediaType: string; data: string } {
  const source = objectField(block, 'source');
  const sourceType = stringField(source, 'type');
  const mediaType = stringField(source, 'media_type');
  const data = stringField(source, 'data');
  if (sourceType === 'base64' && mediaType !== undefined && data !== undefined) return { mediaType, data };
  if (sourceType === 'text' && data !== undefined) return { mediaType: 'text/plain', data: Buffer.from(data, 'utf8').toString('base64') };
  throw new TranslationError(
    `${where}.source: Bedrock Converse takes ${kind}s as bytes; send {"type": "base64", "media_type", "data"} instead of a "${String(sourceType)}" source.`,
    `${where}.source`,
  );
}

function anthropicImage(block: unknown, where: string): JsonObject {
  const { mediaType, data } = base64Source(block, where, 'image');
  return imageBlock(mediaType, data, where);
}

function anthropicDocument(block: unknown, where: string): JsonObject {
  const { mediaType, data } = base64Source(block, where, 'document');
  return documentBlock(mediaType, data, stringField(block, 'title') ?? 'document', where);
}

function toolResult(block: unknown, where: string): JsonObject {
  const content = isObject(block) ? block['content'] : undefined;
  const parts =
    typeof content === 'string'
      ? textBlocks(content)
      : arrayField(block, 'content').flatMap((part, j) => {
          const at = `${where}.content[${j}]`;
          const type = stringField(part, 'type');
          if (type === 'text') return textBlocks(stringField(part, 'text') ?? '');
          if (type === 'image') return [anthropicImage(part, at)];
          if (type === 'document') return [anthropicDocument(part, at)];
          throw new TranslationError(`${at}: a tool result can carry text, image and document blocks, not "${String(type)}".`, at);
        });
  return {
    toolResult: {
      toolUseId: stringField(block, 'tool_use_id') ?? '',
      // An empty result is sent as one space: Converse rejects blank text blocks.
      content: parts.length > 0 ? parts : [{ text: ' ' }],
      status: isObject(block) && block['is_error'] === true ? 'error' : 'success',
    },
  };
}

function anthropicToolSpec(tool: unknown, i: number): JsonObject {
  const name = stringField(tool, 'name');
  const type = stringField(tool, 'type');
  if (name === undefined || (type !== undefined && type !== 'custom') || !isObject(objectField(tool, 'input_schema'))) {
    throw new TranslationError(
      `tools[${i}]: Bedrock Converse takes client tools only ({"name", "description", "input_schema"}); Anthropic server tools such as "${type ?? name}" run only at Anthropic.`,
      `tools[${i}]`,
    );
  }
  return toolSpec(name, stringField(tool, 'description'), objectField(tool, 'input_schema'));
}

function converseToolChoice(choice: unknown): JsonObject | 'none' | undefined {
  switch (stringField(choice, 'type')) {
    case 'auto':
      return { auto: {} };
    case 'any':
      return { any: {} };
    case 'none':
      return 'none';
    case 'tool': {
      const name = stringField(choice, 'name');
      return name !== undefined ? { tool: { name } } : { auto: {} };
    }
    default:
      return undefined;
  }
}

/** Converse output blocks → Anthropic content blocks. */
function anthropicContent(blocks: readonly JsonObject[]): JsonObject[] {
  return blocks.flatMap((block): JsonObject[] => {
    const text = stringField(block, 'text');
    if (text !== undefined) return [{ type: 'text', text }];
    const use = objectField(block, 'toolUse');
    if (use !== undefined) {
      return [{ type: 'tool_use', id: stringField(use, 'toolUseId') ?? randomId('toolu_'), name: stringField(use, 'name') ?? '', input: objectField(use, 'input') ?? {} }];
    }
    const reasoning = objectField(block, 'reasoningContent');
    const reasoningText = objectField(reasoning, 'reasoningText');
    if (reasoningText !== undefined) {
      return [{ type: 'thinking', thinking: stringField(reasoningText, 'text') ?? '', signature: stringField(reasoningText, 'signature') ?? '' }];
    }
    const redacted = stringField(reasoning, 'redactedContent');
    return redacted !== undefined ? [{ type: 'redacted_thinking', data: redacted }] : [];
  });
}

export function converseResponseToMessages(body: JsonObject, ctx: TranslateContext): JsonObject {
  const usage = converseUsage(body['usage']);
  return {
    id: randomId('msg_'),
    type: 'message',
    role: 'assistant',
    model: ctx.upstreamModel,
    content: anthropicContent(outputBlocks(body)),
    stop_reason: anthropicStopReasonOf(stringField(body, 'stopReason')),
    stop_sequence: stopSequenceOf(body),
    usage: anthropicUsageOf(usage ?? NO_USAGE),
  };
}

/** The Anthropic stream events one ConverseStream produces, frame by frame. */
export interface ConverseToAnthropicEvents {
  onFrame(frame: BedrockStreamFrame): JsonObject[];
  /** The upstream ended. */
  onEnd(brokeOff?: string): JsonObject[];
  usage(): { input_tokens?: number; output_tokens?: number } | undefined;
}

/**
 * ConverseStream frames → Anthropic stream events (also the first half of the chat client's
 * stream, which continues through the Anthropic → chat machine). Converse ends with
 * `messageStop` (the stop reason) then `metadata` (usage); Anthropic wants both in
 * `message_delta`, so the stop reason waits for the usage. Converse sends `contentBlockStart`
 * only for tool use: text and reasoning blocks are opened on their first delta. Block indices
 * are renumbered from 0 in order of appearance, and every opened block is stopped. An exception
 * frame becomes Anthropic's `error` event; a body that ends before `messageStop` ends with one
 * too, never with a made-up `end_turn`.
 */
export function converseToAnthropicEvents(ctx: TranslateContext): ConverseToAnthropicEvents {
  const id = randomId('msg_');
  const indexOfBlock = new Map<number, number>();
  const open = new Set<number>();
  let started = false;
  let stop: { reason: string; sequence: string | null } | undefined;
  let usage: ConverseUsage | undefined;
  let closed = false;

  const start = (): JsonObject[] => {
    if (started) return [];
    started = true;
    const message = { id, type: 'message', role: 'assistant', model: ctx.upstreamModel, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } };
    return [{ type: 'message_start', message }];
  };
  const openBlock = (blockIndex: number, contentBlock: JsonObject): JsonObject[] => {
    const index = indexOfBlock.size;
    indexOfBlock.set(blockIndex, index);
    open.add(index);
    return [...start(), { type: 'content_block_start', index, content_block: contentBlock }];
  };
  const stopBlock = (index: number): JsonObject[] => (open.delete(index) ? [{ type: 'content_block_stop', index }] : []);
  const delta = (blockIndex: number, openAs: JsonObject, payload: JsonObject): JsonObject[] => {
    const opened = indexOfBlock.has(blockIndex) ? [] : openBlock(blockIndex, openAs);
    return [...opened, { type: 'content_block_delta', index: indexOfBlock.get(blockIndex) ?? 0, delta: payload }];
  };
  const finish = (): JsonObject[] => {
    closed = true;
    const messageDelta = {
      type: 'message_delta',
      delta: { stop_reason: stop?.reason ?? 'end_turn', stop_sequence: stop?.sequence ?? null },
      usage: anthropicUsageOf(usage ?? NO_USAGE),
    };
    return [...start(), ...[...open].flatMap(stopBlock), messageDelta, { type: 'message_stop' }];
  };
  const fail = (exceptionType: string, message: string): JsonObject[] => {
    closed = true;
    return [clientErrorBody('messages', upstreamErrorInit({ message, __type: exceptionType }) ?? { kind: 'internal', message })];
  };

  const onEvent = (eventType: string, payload: JsonObject): JsonObject[] => {
    const blockIndex = numberField(payload, 'contentBlockIndex') ?? 0;
    switch (eventType) {
      case 'messageStart':
        return start();
      case 'contentBlockStart': {
        const use = objectField(objectField(payload, 'start'), 'toolUse');
        if (use === undefined || indexOfBlock.has(blockIndex)) return [];
        return openBlock(blockIndex, { type: 'tool_use', id: stringField(use, 'toolUseId') ?? randomId('toolu_'), name: stringField(use, 'name') ?? '', input: {} });
      }
      case 'contentBlockDelta': {
        const d = objectField(payload, 'delta');
        const text = stringField(d, 'text');
        if (text !== undefined) return delta(blockIndex, { type: 'text', text: '' }, { type: 'text_delta', text });
        const input = stringField(objectField(d, 'toolUse'), 'input');
        if (input !== undefined) return delta(blockIndex, { type: 'tool_use', id: randomId('toolu_'), name: '', input: {} }, { type: 'input_json_delta', partial_json: input });
        const reasoning = objectField(d, 'reasoningContent');
        const thinking = stringField(reasoning, 'text');
        if (thinking !== undefined) return delta(blockIndex, { type: 'thinking', thinking: '', signature: '' }, { type: 'thinking_delta', thinking });
        const signature = stringField(reasoning, 'signature');
        if (signature !== undefined) return delta(blockIndex, { type: 'thinking', thinking: '', signature: '' }, { type: 'signature_delta', signature });
        const redacted = stringField(reasoning, 'redactedContent');
        if (redacted !== undefined && !indexOfBlock.has(blockIndex)) return openBlock(blockIndex, { type: 'redacted_thinking', data: redacted });
        return [];
      }
      case 'contentBlockStop': {
        const index = indexOfBlock.get(blockIndex);
        return index === undefined ? [] : stopBlock(index);
      }
      case 'messageStop':
        stop = { reason: anthropicStopReasonOf(stringField(payload, 'stopReason')), sequence: stopSequenceOf(payload) };
        return usage === undefined ? [] : finish();
      case 'metadata':
        usage = converseUsage(payload['usage']) ?? usage;
        return stop === undefined ? [] : finish();
      default:
        // Events added to the API after this was written.
        return [];
    }
  };

  return {
    onFrame(frame) {
      if (closed) return [];
      return frame.kind === 'event' ? onEvent(frame.eventType, frame.payload) : fail(frame.exceptionType, frame.message);
    },
    onEnd(brokeOff) {
      if (closed) return [];
      // Some servers may close right after messageStop; the answer is complete without usage.
      return stop !== undefined ? finish() : fail('incompleteStream', brokeOff ?? 'the Bedrock stream ended before messageStop');
    },
    usage: () => logUsageOf(usage),
  };
}

/** ConverseStream bytes → Anthropic SSE (`event: <type>` + `data: <json>`). */
export function converseStreamToMessages(ctx: TranslateContext): StreamTransducer {
  const machine = converseToAnthropicEvents(ctx);
  const write = (events: JsonObject[]): string => sseEvents(events, anthropicEventName);
  return bedrockStreamTransducer({
    onFrame: (frame) => write(machine.onFrame(frame)),
    onEnd: (brokeOff) => write(machine.onEnd(brokeOff)),
    usage: () => machine.usage(),
  });
}

export const messagesToBedrock: Translation = {
  client: 'messages',
  upstream: 'bedrock_converse',
  request: (body) => messagesRequestToConverse(body),
  response: converseResponseToMessages,
  stream: converseStreamToMessages,
};
