/**
 * OpenAI chat completions client → Bedrock Converse upstream (AWS Bedrock API reference,
 * "Converse" / "ConverseStream"; OpenAI API reference, "Chat Completions").
 *
 * Request: system and developer messages → `system`; user content parts → text, image and
 * document blocks; assistant `tool_calls` → `toolUse`; `tool` messages → `toolResult` blocks in
 * a user turn; same-role turns merged; sampling options → `inferenceConfig`; tools → `toolConfig`.
 * Response and stream: text, tool calls, reasoning (as `reasoning_content`, the field
 * OpenAI-compatible reasoning models use), stop reason and usage back in chat shape.
 */
import {
  documentBlock,
  imageBlock,
  inferenceConfig,
  mergeTurns,
  parseDataUrl,
  textBlocks,
  toolConfig,
  toolSpec,
  type ConverseMessage,
} from './bedrock-converse.js';
import { bedrockStreamTransducer } from './bedrock-event-stream.js';
import { converseResponseToMessages, converseToAnthropicEvents } from './bedrock-messages.js';
import { anthropicToChatChunks, chatClientWantsUsage } from './anthropic-stream-to-chat.js';
import { messagesToChatResponse } from './chat-to-anthropic.js';
import { arrayField, definedFields, isObject, numberField, objectField, stringField } from './json-fields.js';
import { sseEvents } from './sse.js';
import { TranslationError, type JsonObject, type StreamTransducer, type TranslateContext, type Translation } from './types.js';

export function chatRequestToConverse(body: JsonObject): JsonObject {
  rejectUnsupportedChatOptions(body);
  const system: JsonObject[] = [];
  const turns: ConverseMessage[] = [];
  arrayField(body, 'messages').forEach((message, i) => {
    const where = `messages[${i}]`;
    const role = stringField(message, 'role');
    const content = isObject(message) ? message['content'] : undefined;
    switch (role) {
      case 'system':
      case 'developer':
        // Converse has one system prompt, outside the turns; a system message between turns moves there.
        system.push(...textBlocks(plainText(content, where)));
        break;
      case 'user':
        turns.push({ role: 'user', content: userBlocks(content, where) });
        break;
      case 'assistant':
        turns.push({ role: 'assistant', content: [...textBlocks(plainText(content, where)), ...toolUses(message, where)] });
        break;
      case 'tool':
        turns.push({ role: 'user', content: [toolResult(message, where)] });
        break;
      default:
        throw new TranslationError(
          `${where}.role: "${String(role)}" cannot be sent to Bedrock Converse; use system, developer, user, assistant or tool.`,
          `${where}.role`,
        );
    }
  });
  const messages = mergeTurns(turns);
  const tools = arrayField(body, 'tools').map(chatToolSpec);
  const stop = body['stop'];
  return definedFields({
    messages,
    system: system.length > 0 ? system : undefined,
    inferenceConfig: inferenceConfig({
      maxTokens: numberField(body, 'max_completion_tokens') ?? numberField(body, 'max_tokens'),
      temperature: numberField(body, 'temperature'),
      topP: numberField(body, 'top_p'),
      stopSequences: typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop.filter((s): s is string => typeof s === 'string') : undefined,
    }),
    toolConfig: toolConfig(tools, converseToolChoice(body['tool_choice']), messages),
  });
}

function rejectUnsupportedChatOptions(body: JsonObject): void {
  const n = numberField(body, 'n');
  if (n !== undefined && n > 1) {
    throw new TranslationError('n: Bedrock Converse returns one choice per request; send n = 1 (or leave it out).', 'n');
  }
  const format = stringField(objectField(body, 'response_format'), 'type');
  if (format === 'json_object' || format === 'json_schema') {
    throw new TranslationError(
      `response_format: Bedrock Converse has no ${format} mode; describe the format in the prompt, or force a tool call whose input_schema is the format.`,
      'response_format',
    );
  }
}

/** The text of string content or of text parts (system, developer and assistant messages). */
function plainText(content: unknown, where: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new TranslationError(`${where}.content must be a string or an array of parts.`, `${where}.content`);
  return content
    .map((part, j) => {
      const type = stringField(part, 'type');
      if (type === 'text') return stringField(part, 'text') ?? '';
      if (type === 'refusal') return stringField(part, 'refusal') ?? '';
      throw new TranslationError(`${where}.content[${j}]: a "${String(type)}" part is only allowed in user messages.`, `${where}.content[${j}]`);
    })
    .join('');
}

function userBlocks(content: unknown, where: string): JsonObject[] {
  if (typeof content === 'string' || content === undefined || content === null) return textBlocks(content ?? '');
  if (!Array.isArray(content)) throw new TranslationError(`${where}.content must be a string or an array of parts.`, `${where}.content`);
  return content.flatMap((part, j) => userPartBlocks(part, `${where}.content[${j}]`));
}

function userPartBlocks(part: unknown, where: string): JsonObject[] {
  const type = stringField(part, 'type');
  if (type === 'text') return textBlocks(stringField(part, 'text') ?? '');
  if (type === 'image_url') {
    const url = stringField(objectField(part, 'image_url'), 'url') ?? '';
    const data = parseDataUrl(url);
    if (data === undefined) {
      throw new TranslationError(
        `${where}.image_url.url: Bedrock Converse takes images as bytes, not links; send the image as a data URL (data:image/png;base64,…).`,
        `${where}.image_url.url`,
      );
    }
    return [imageBlock(data.mediaType, data.data, where)];
  }
  if (type === 'file') {
    const file = objectField(part, 'file');
    const data = parseDataUrl(stringField(file, 'file_data') ?? '');
    if (data === undefined) {
      throw new TranslationError(
        `${where}.file: Bedrock Converse needs the file's content; send file_data as a data URL (uploaded file_id references exist only at OpenAI).`,
        `${where}.file`,
      );
    }
    return [documentBlock(data.mediaType, data.data, stringField(file, 'filename') ?? 'document', where)];
  }
  throw new TranslationError(`${where}: a "${String(type)}" part cannot be sent to Bedrock Converse; use text, image_url or file parts.`, where);
}

function toolUses(message: unknown, where: string): JsonObject[] {
  return arrayField(message, 'tool_calls').map((call, j) => {
    const at = `${where}.tool_calls[${j}]`;
    const fn = objectField(call, 'function');
    const name = stringField(fn, 'name');
    const id = stringField(call, 'id');
    if (name === undefined || id === undefined) throw new TranslationError(`${at} needs an id and a function.name.`, at);
    return { toolUse: { toolUseId: id, name, input: parseArguments(stringField(fn, 'arguments') ?? '', `${at}.function.arguments`) } };
  });
}

/** Tool-call arguments are a JSON string in chat and an object in Converse. */
function parseArguments(text: string, where: string): JsonObject {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TranslationError(`${where} is not valid JSON; Bedrock Converse needs the tool input as a JSON object.`, where);
  }
  if (!isObject(value)) throw new TranslationError(`${where} must be a JSON object.`, where);
  return value;
}

function toolResult(message: unknown, where: string): JsonObject {
  const toolUseId = stringField(message, 'tool_call_id');
  if (toolUseId === undefined) throw new TranslationError(`${where}.tool_call_id is required for a tool message.`, `${where}.tool_call_id`);
  const text = plainText(isObject(message) ? message['content'] : undefined, where);
  // An empty result is sent as one space: Converse rejects blank text blocks.
  return { toolResult: { toolUseId, content: [{ text: text.length > 0 ? text : ' ' }], status: 'success' } };
}

function chatToolSpec(tool: unknown, i: number): JsonObject {
  const fn = objectField(tool, 'function');
  const name = stringField(fn, 'name');
  if (stringField(tool, 'type') !== 'function' || name === undefined) {
    throw new TranslationError(
      `tools[${i}]: Bedrock Converse takes function tools only ({"type": "function", "function": {"name", "parameters"}}).`,
      `tools[${i}]`,
    );
  }
  return toolSpec(name, stringField(fn, 'description'), fn?.['parameters']);
}

function converseToolChoice(choice: unknown): JsonObject | 'none' | undefined {
  if (choice === 'none') return 'none';
  if (choice === 'required') return { any: {} };
  if (choice === 'auto') return { auto: {} };
  const name = stringField(objectField(choice, 'function'), 'name');
  return name !== undefined ? { tool: { name } } : undefined;
}

/** Converse response → chat.completion, through the Anthropic message shape both are close to. */
export function converseResponseToChat(body: JsonObject, ctx: TranslateContext): JsonObject {
  return messagesToChatResponse(converseResponseToMessages(body, ctx), ctx);
}

/**
 * ConverseStream bytes → `chat.completion.chunk` events ending with `data: [DONE]`: Converse
 * frames become Anthropic events (bedrock-messages.ts), which the Anthropic → chat machine
 * (anthropic-stream-to-chat.ts) turns into chunks — one mapping of each, not two of each.
 */
export function converseStreamToChat(ctx: TranslateContext): StreamTransducer {
  const events = converseToAnthropicEvents(ctx);
  const chunks = anthropicToChatChunks(ctx, chatClientWantsUsage(ctx));
  const relay = (anthropic: JsonObject[]): string => sseEvents(anthropic.flatMap((event) => chunks.onEvent(event)));
  return bedrockStreamTransducer({
    onFrame: (frame) => relay(events.onFrame(frame)),
    onEnd: (brokeOff) => relay(events.onEnd(brokeOff)) + sseEvents(chunks.onEnd()),
    usage: () => events.usage(),
  });
}

export const chatToBedrock: Translation = {
  client: 'chat_completions',
  upstream: 'bedrock_converse',
  request: (body) => chatRequestToConverse(body),
  response: converseResponseToChat,
  stream: converseStreamToChat,
};
