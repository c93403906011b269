/**
 * An Anthropic Messages client (Claude Code, the Anthropic SDK) on an OpenAI Chat Completions
 * upstream — every OpenAI-compatible provider (OpenAI, Groq, Ollama, Mistral, DeepSeek, …).
 * Request: /v1/messages body → chat.completions body. Response: chat.completion → Message.
 * The stream (chat.completion.chunk → Anthropic events) is in chat-stream-to-anthropic.ts.
 *
 * Dropped because chat has no place for them: `top_k`, `thinking` (reasoning models reason on
 * their own; `reasoning_effort` would be rejected by models that do not), `service_tier`,
 * `cache_control` (OpenAI caches prompts automatically), `thinking` / `redacted_thinking` blocks in
 * history (DeepSeek rejects its reasoning text sent back), Anthropic server tools (web search,
 * code execution: there is no one on the other side to run them) and their result blocks.
 */
import { arrayField, booleanField, definedFields, isObject, numberField, objectField, stringField } from './json-fields.js';
import { TranslationError, type JsonObject, type TranslateContext } from './types.js';
import { clampedOutputTokens } from './output-tokens.js';

/** OpenAI `finish_reason` → Anthropic `stop_reason`. */
const STOP_REASON_BY_FINISH_REASON: Readonly<Record<string, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/**
 * The Anthropic stop_reason for a chat answer. Some OpenAI-compatible servers (Ollama among them)
 * say `stop` while returning tool calls; agents loop on `stop_reason == "tool_use"`, so tool calls
 * win. A refusal (OpenAI's `refusal` field) is a `refusal`.
 */
export function stopReasonFor(finishReason: unknown, hasToolCalls: boolean, refused: boolean): string {
  const mapped = (typeof finishReason === 'string' ? STOP_REASON_BY_FINISH_REASON[finishReason] : undefined) ?? 'end_turn';
  if (refused) return 'refusal';
  if (hasToolCalls && mapped === 'end_turn') return 'tool_use';
  return mapped;
}

/**
 * OpenAI's reasoning models (o1, o3, o4-mini, the gpt-5 family) reject `max_tokens` ("use
 * max_completion_tokens instead") and any non-default temperature/top_p. Most other
 * OpenAI-compatible servers (Ollama, Mistral, DeepSeek, older vLLM) know only `max_tokens`, so
 * that stays the default and the switch is made by model family, not by provider.
 */
const REASONING_MODEL_PREFIXES = ['o1', 'o3', 'o4', 'gpt-5'];

export function isOpenAiReasoningModel(model: string): boolean {
  // `openai/o3` behind an OpenAI-compatible router names the same model.
  const id = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  return REASONING_MODEL_PREFIXES.some((prefix) => id === prefix || id.startsWith(`${prefix}-`));
}

// ─── request ────────────────────────────────────────────────────────────────────────────────

export function messagesToChatRequest(body: JsonObject, ctx: TranslateContext): JsonObject {
  const reasoningModel = isOpenAiReasoningModel(ctx.upstreamModel);
  const system = systemText(body['system']);
  const messages: JsonObject[] = system === undefined ? [] : [{ role: 'system', content: system }];
  const history = body['messages'];
  if (!Array.isArray(history)) throw new TranslationError('messages must be an array of message objects', 'messages');
  history.forEach((message, i) => messages.push(...convertMessage(message, `messages[${i}]`)));
  const maxTokens = clampedOutputTokens(numberField(body, 'max_tokens'), 'max_tokens', ctx);
  const stop = arrayField(body, 'stop_sequences').filter((s): s is string => typeof s === 'string');
  return definedFields({
    model: ctx.upstreamModel,
    messages,
    [reasoningModel ? 'max_completion_tokens' : 'max_tokens']: maxTokens,
    temperature: reasoningModel ? undefined : numberField(body, 'temperature'),
    top_p: reasoningModel ? undefined : numberField(body, 'top_p'),
    stop: stop.length > 0 ? stop : undefined,
    ...convertTools(body),
    user: stringField(objectField(body, 'metadata'), 'user_id'),
    stream: ctx.stream ? true : undefined,
    // Without this OpenAI-compatible servers send no usage in streams, and the Anthropic client
    // would see 0 tokens (platform.openai.com/docs/api-reference/chat/create#stream_options).
    stream_options: ctx.stream ? { include_usage: true } : undefined,
  });
}

/** Block texts that were authored separately (system blocks, user text blocks) are joined by a blank line. */
const SEPARATE_BLOCKS = '\n\n';

/** System text, from the top-level `system` or a system message's `content` at `path`: a string or text blocks. */
function systemText(system: unknown, path = 'system'): string | undefined {
  if (typeof system === 'string') return system === '' ? undefined : system;
  if (system === undefined || system === null) return undefined;
  if (!Array.isArray(system)) throw new TranslationError(`${path} must be a string or an array of text blocks`, path);
  const texts = system.map((block, i) => {
    const text = stringField(block, 'text');
    if (stringField(block, 'type') !== 'text' || text === undefined) throw new TranslationError(`${path}[${i}] must be a text block`, `${path}[${i}]`);
    return text;
  });
  return texts.length > 0 ? texts.join(SEPARATE_BLOCKS) : undefined;
}

function convertMessage(message: unknown, path: string): JsonObject[] {
  if (!isObject(message)) throw new TranslationError(`${path} must be an object`, path);
  const role = message['role'];
  const content = message['content'];
  // Claude Code sends `role: "system"` messages inside `messages` for models it does not know
  // (any gateway-style name, `openai/gpt-4o`); chat completions has the same message, in place.
  if (role === 'system') {
    const text = systemText(content, `${path}.content`);
    return text === undefined ? [] : [{ role: 'system', content: text }];
  }
  if (role !== 'user' && role !== 'assistant') {
    throw new TranslationError(`${path}.role must be "user", "assistant" or "system" (got ${JSON.stringify(role)})`, `${path}.role`);
  }
  if (typeof content === 'string') return [{ role, content }];
  if (!Array.isArray(content)) throw new TranslationError(`${path}.content must be a string or an array of content blocks`, `${path}.content`);
  return role === 'user' ? userMessages(content, path) : [assistantMessage(content, path)];
}

/**
 * One Anthropic user turn → chat messages. Its tool_result blocks become `role: "tool"` messages,
 * placed first because OpenAI requires them right after the assistant message that made the
 * calls; the rest (text, images, documents, and images returned by tools, which a tool message
 * cannot hold) follows as one user message.
 */
function userMessages(content: unknown[], path: string): JsonObject[] {
  const toolMessages: JsonObject[] = [];
  const parts: JsonObject[] = [];
  content.forEach((block, j) => {
    const blockPath = `${path}.content[${j}]`;
    if (!isObject(block)) throw new TranslationError(`${blockPath} must be a content block object`, blockPath);
    const type = block['type'];
    if (type === 'tool_result') {
      const { message, images } = toolResult(block, blockPath);
      toolMessages.push(message);
      parts.push(...images);
    } else if (type === 'web_search_tool_result' || type === 'code_execution_tool_result') {
      // Results of Anthropic-run server tools: nothing on the chat side called them.
    } else {
      parts.push(...contentPart(block, blockPath));
    }
  });
  if (parts.length === 0) return toolMessages;
  return [...toolMessages, { role: 'user', content: userContent(parts) }];
}

/** Text-only content is sent as one string: some OpenAI-compatible servers accept nothing else. */
function userContent(parts: JsonObject[]): string | JsonObject[] {
  if (parts.every((part) => part['type'] === 'text')) return parts.map((part) => part['text'] as string).join(SEPARATE_BLOCKS);
  return parts;
}

function contentPart(block: JsonObject, path: string): JsonObject[] {
  switch (block['type']) {
    case 'text': {
      const text = stringField(block, 'text') ?? '';
      return text === '' ? [] : [{ type: 'text', text }];
    }
    case 'image':
      return [{ type: 'image_url', image_url: { url: mediaUrl(objectField(block, 'source'), `${path}.source`) } }];
    case 'document':
      return [documentPart(block, path)];
    case 'thinking':
    case 'redacted_thinking':
      return [];
    default:
      throw new TranslationError(`${path}: content block type ${JSON.stringify(block['type'])} cannot be carried to an OpenAI-compatible upstream (text, image, document and tool_result are)`, path);
  }
}

/** An Anthropic image source as a URL: base64 → `data:` URL (RFC 2397), url → itself. */
function mediaUrl(source: JsonObject | undefined, path: string): string {
  const type = stringField(source, 'type');
  if (type === 'base64') return `data:${stringField(source, 'media_type') ?? 'application/octet-stream'};base64,${stringField(source, 'data') ?? ''}`;
  if (type === 'url' && stringField(source, 'url') !== undefined) return stringField(source, 'url') as string;
  throw new TranslationError(`${path}: only base64 and url sources can be carried (Anthropic file ids mean nothing to this upstream)`, path);
}

/** A document: PDF → a chat `file` part (OpenAI accepts PDFs inline), plain text → a text part. */
function documentPart(block: JsonObject, path: string): JsonObject {
  const source = objectField(block, 'source');
  const title = stringField(block, 'title');
  if (stringField(source, 'type') === 'text') {
    const text = stringField(source, 'data') ?? '';
    return { type: 'text', text: title === undefined ? text : `${title}\n\n${text}` };
  }
  if (stringField(source, 'type') === 'base64' && stringField(source, 'media_type') === 'application/pdf') {
    return { type: 'file', file: { filename: title ?? 'document.pdf', file_data: mediaUrl(source, `${path}.source`) } };
  }
  throw new TranslationError(`${path}: only inline PDF (base64) and plain-text documents can be carried to an OpenAI-compatible upstream`, `${path}.source`);
}

function toolResult(block: JsonObject, path: string): { message: JsonObject; images: JsonObject[] } {
  const id = stringField(block, 'tool_use_id');
  if (id === undefined) throw new TranslationError(`${path}.tool_use_id is required`, `${path}.tool_use_id`);
  const content = block['content'];
  const texts: string[] = [];
  const images: JsonObject[] = [];
  if (typeof content === 'string') texts.push(content);
  else {
    arrayField(block, 'content').forEach((inner, k) => {
      for (const part of contentPart(isObject(inner) ? inner : {}, `${path}.content[${k}]`)) {
        if (part['type'] === 'text') texts.push(part['text'] as string);
        else images.push(part);
      }
    });
  }
  // Chat tool messages have no error flag: the model learns of the failure from the text.
  const prefix = booleanField(block, 'is_error') === true ? 'Error: ' : '';
  return { message: { role: 'tool', tool_call_id: id, content: prefix + texts.join('\n') }, images };
}

function assistantMessage(content: unknown[], path: string): JsonObject {
  let text = '';
  const toolCalls: JsonObject[] = [];
  content.forEach((block, j) => {
    const blockPath = `${path}.content[${j}]`;
    const type = stringField(block, 'type');
    // The model's own text blocks are pieces of one answer: joined without a separator.
    if (type === 'text') text += stringField(block, 'text') ?? '';
    else if (type === 'tool_use') {
      const id = stringField(block, 'id');
      const name = stringField(block, 'name');
      if (id === undefined || name === undefined) throw new TranslationError(`${blockPath}: a tool_use block needs id and name`, blockPath);
      toolCalls.push({ id, type: 'function', function: { name, arguments: toolArguments(objectField(block, 'input')) } });
    } else if (type !== 'thinking' && type !== 'redacted_thinking' && type !== 'server_tool_use' && type !== 'web_search_tool_result') {
      throw new TranslationError(`${blockPath}: assistant content block type ${JSON.stringify(type)} cannot be carried (text and tool_use are)`, blockPath);
    }
  });
  return definedFields({
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    tool_calls: toolCalls.length > 0 ? toolCalls : undefined,
  });
}

function convertTools(body: JsonObject): JsonObject {
  const tools = arrayField(body, 'tools').flatMap((tool, i) => {
    const name = stringField(tool, 'name');
    const schema = objectField(tool, 'input_schema');
    // Server tools (web_search_20250305, bash_…, text_editor_…) have a `type` and no schema: nothing here can run them.
    if (schema === undefined && stringField(tool, 'type') !== undefined && stringField(tool, 'type') !== 'custom') return [];
    if (name === undefined || schema === undefined) throw new TranslationError(`tools[${i}] needs a name and an input_schema`, `tools[${i}]`);
    return [{ type: 'function', function: definedFields({ name, description: stringField(tool, 'description'), parameters: schema }) }];
  });
  if (tools.length === 0) return {};
  const choice = objectField(body, 'tool_choice');
  const type = stringField(choice, 'type');
  let toolChoice: unknown;
  if (choice === undefined) toolChoice = undefined;
  else if (type === 'auto') toolChoice = 'auto';
  else if (type === 'any') toolChoice = 'required';
  else if (type === 'none') toolChoice = 'none';
  else if (type === 'tool' && stringField(choice, 'name') !== undefined) toolChoice = { type: 'function', function: { name: stringField(choice, 'name') } };
  else throw new TranslationError('tool_choice must be {"type":"auto"|"any"|"none"} or {"type":"tool","name":…}', 'tool_choice');
  return definedFields({
    tools,
    tool_choice: toolChoice,
    parallel_tool_calls: booleanField(choice, 'disable_parallel_tool_use') === true ? false : undefined,
  });
}

// ─── response ───────────────────────────────────────────────────────────────────────────────

/**
 * OpenAI usage → Anthropic usage. OpenAI's `prompt_tokens` includes cached input; Anthropic's
 * `input_tokens` does not, and reports cache reads apart.
 */
export function anthropicUsageFromChat(usage: unknown): JsonObject {
  const cached = numberField(objectField(usage, 'prompt_tokens_details'), 'cached_tokens') ?? 0;
  return {
    input_tokens: Math.max(0, (numberField(usage, 'prompt_tokens') ?? 0) - cached),
    output_tokens: numberField(usage, 'completion_tokens') ?? 0,
    cache_read_input_tokens: cached,
    // OpenAI does not report cache writes (its caching has no write charge).
    cache_creation_input_tokens: null,
  };
}

/** The key under which `toolInput` keeps arguments that were not a JSON object. */
const UNPARSED_ARGUMENTS = '_unparsed_arguments';

/**
 * Tool-call arguments as an Anthropic `input` object. A model cut off mid-call (finish_reason
 * length) leaves unparseable arguments; they are kept, under one key, rather than lost.
 */
export function toolInput(args: string): JsonObject {
  if (args.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(args);
    if (isObject(value)) return value;
  } catch {
    // fall through
  }
  return { [UNPARSED_ARGUMENTS]: args };
}


/** Tool-call arguments for an Anthropic `input`: the inverse of `toolInput`, so a round trip gives back what the model wrote. */
function toolArguments(input: JsonObject | undefined): string {
  const keys = Object.keys(input ?? {});
  const unparsed = input?.[UNPARSED_ARGUMENTS];
  if (keys.length === 1 && typeof unparsed === 'string') return unparsed;
  return JSON.stringify(input ?? {});
}

export function chatToMessagesResponse(body: JsonObject, ctx: TranslateContext): JsonObject {
  const choice = arrayField(body, 'choices')[0];
  const message = objectField(choice, 'message');
  const reasoning = stringField(message, 'reasoning_content') ?? stringField(message, 'reasoning');
  const text = stringField(message, 'content') ?? '';
  const refusal = stringField(message, 'refusal');
  const content: JsonObject[] = [];
  // Reasoning text from DeepSeek-style servers; the signature is empty (there is none to verify).
  if (reasoning !== undefined && reasoning !== '') content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  if (text !== '') content.push({ type: 'text', text });
  if (refusal !== undefined && refusal !== '') content.push({ type: 'text', text: refusal });
  const toolCalls = arrayField(message, 'tool_calls');
  toolCalls.forEach((call, k) => {
    const fn = objectField(call, 'function');
    content.push({
      type: 'tool_use',
      id: stringField(call, 'id') ?? `toolu_${k}`,
      name: stringField(fn, 'name') ?? '',
      input: toolInput(stringField(fn, 'arguments') ?? ''),
    });
  });
  return {
    id: stringField(body, 'id') ?? 'msg_chat',
    type: 'message',
    role: 'assistant',
    model: stringField(body, 'model') ?? ctx.upstreamModel,
    content,
    stop_reason: stopReasonFor(stringField(choice, 'finish_reason'), toolCalls.length > 0, refusal !== undefined && refusal !== ''),
    stop_sequence: null,
    usage: anthropicUsageFromChat(body['usage']),
  };
}
