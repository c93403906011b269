/**
 * An OpenAI Chat Completions client on an Anthropic Messages upstream.
 * Request: chat.completions body → /v1/messages body. Response: Message → chat.completion.
 * The stream (Anthropic events → chat.completion.chunk) is in anthropic-stream-to-chat.ts.
 *
 * What cannot be carried is decided by one rule. Fields Anthropic has no place for that only
 * tune or label the request are dropped: `frequency_penalty`, `presence_penalty`, `seed`,
 * `logit_bias`, `service_tier`, `store`, `metadata`, `reasoning_effort`, `verbosity`,
 * `prediction`, `prompt_cache_key`, a message's `name`, an image's `detail`, a tool's `strict`,
 * `response_format` json_object (`stream_options` is read by the stream, not sent). Fields that
 * change what the answer must contain are refused with a 400 — `n` > 1, `logprobs`,
 * `response_format` json_schema, audio output, `web_search_options`, legacy `functions` —
 * because answering without them would hand the client something it did not ask for.
 */
import { stringField, numberField, objectField, arrayField, isObject, definedFields, booleanField } from './json-fields.js';
import { TranslationError, type JsonObject, type TranslateContext } from './types.js';

/**
 * Anthropic requires `max_tokens`; a chat client may omit it. 4096 is what the reference gateway
 * uses (its `DEFAULT_MAX_TOKENS`) and what every current Claude model accepts as output.
 */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/**
 * Anthropic's temperature range is 0–1, OpenAI's 0–2. Values above 1 are capped at 1 (the most
 * random Anthropic allows), as Anthropic's own OpenAI-compatibility layer does; values within
 * 0–1 pass unchanged. Scaling (t/2) was rejected: it would change every common setting (0.7).
 */
const ANTHROPIC_MAX_TEMPERATURE = 1;

/** Anthropic `stop_reason` → OpenAI `finish_reason` (docs.anthropic.com "Handling stop reasons"). */
export const FINISH_REASON_BY_STOP_REASON: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export function finishReasonFor(stopReason: unknown): string {
  return (typeof stopReason === 'string' ? FINISH_REASON_BY_STOP_REASON[stopReason] : undefined) ?? 'stop';
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

// ─── request ────────────────────────────────────────────────────────────────────────────────

export function chatToMessagesRequest(body: JsonObject, ctx: TranslateContext): JsonObject {
  refuseUnexpressible(body);
  const { system, messages } = convertMessages(body['messages']);
  const maxTokens = numberField(body, 'max_completion_tokens') ?? numberField(body, 'max_tokens') ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  const temperature = numberField(body, 'temperature');
  const user = stringField(body, 'safety_identifier') ?? stringField(body, 'user');
  const thinking = objectField(body, 'thinking');
  return definedFields({
    model: ctx.upstreamModel,
    max_tokens: maxTokens,
    system: system.length > 0 ? system : undefined,
    messages,
    ...convertTools(body),
    stop_sequences: stopSequences(body['stop']),
    temperature: temperature === undefined ? undefined : Math.min(temperature, ANTHROPIC_MAX_TEMPERATURE),
    top_p: numberField(body, 'top_p'),
    // Not OpenAI parameters, but accepted by Anthropic's own OpenAI layer (as `extra_body`): pass them on.
    top_k: numberField(body, 'top_k'),
    thinking,
    metadata: user === undefined ? undefined : { user_id: user },
    stream: ctx.stream ? true : undefined,
  });
}

function refuseUnexpressible(body: JsonObject): void {
  const n = numberField(body, 'n');
  if (n !== undefined && n !== 1) {
    throw new TranslationError(`n=${n}: Anthropic models return one choice per request; send n=1 or omit it`, 'n');
  }
  if (body['logprobs'] === true) {
    throw new TranslationError('logprobs are not available from Anthropic models; omit logprobs', 'logprobs');
  }
  // json_object is dropped: OpenAI requires the prompt itself to ask for JSON in that mode, so the
  // instruction travels with the messages. A json_schema is a guarantee nothing here can give.
  const format = stringField(objectField(body, 'response_format'), 'type');
  if (format === 'json_schema') {
    throw new TranslationError(
      'response_format json_schema cannot be enforced on an Anthropic upstream; describe the JSON in the prompt, or ask for it through a tool with that schema',
      'response_format',
    );
  }
  if (arrayField(body, 'modalities').includes('audio') || body['audio'] !== undefined && body['audio'] !== null) {
    throw new TranslationError('audio output is not available from Anthropic models', 'modalities');
  }
  if (body['web_search_options'] !== undefined) {
    throw new TranslationError('web_search_options cannot be carried to an Anthropic upstream', 'web_search_options');
  }
  if (body['functions'] !== undefined || body['function_call'] !== undefined) {
    throw new TranslationError('the legacy functions/function_call parameters are not translated; use tools and tool_choice', 'functions');
  }
}

interface Turn {
  role: 'user' | 'assistant';
  content: JsonObject[];
}

/**
 * `target.push(...items)` without the spread: a message's content may hold a few hundred
 * thousand parts, more arguments than a call can take (the stack overflows).
 */
function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function convertMessages(value: unknown): { system: JsonObject[]; messages: Turn[] } {
  if (!Array.isArray(value)) throw new TranslationError('messages must be an array of message objects', 'messages');
  const system: JsonObject[] = [];
  const turns: Turn[] = [];
  // Anthropic requires user/assistant alternation: consecutive messages of one role become one turn.
  const append = (role: Turn['role'], blocks: JsonObject[]): void => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) appendAll(last.content, blocks);
    else turns.push({ role, content: blocks });
  };
  value.forEach((message, i) => {
    const path = `messages[${i}]`;
    if (!isObject(message)) throw new TranslationError(`${path} must be an object`, path);
    const role = message['role'];
    switch (role) {
      case 'system':
      case 'developer':
        // Anthropic has one top-level system prompt: every system/developer message joins it, in order.
        appendAll(system, textBlocks(message['content'], `${path}.content`));
        return;
      case 'user':
        append('user', userBlocks(message['content'], `${path}.content`));
        return;
      case 'assistant':
        append('assistant', assistantBlocks(message, path));
        return;
      case 'tool':
        append('user', [toolResultBlock(message, path)]);
        return;
      case 'function':
        throw new TranslationError(`${path}: role "function" (legacy function calling) is not translated; use tools and role "tool"`, `${path}.role`);
      default:
        throw new TranslationError(`${path}.role must be system, developer, user, assistant or tool (got ${JSON.stringify(role)})`, `${path}.role`);
    }
  });
  for (const turn of turns) {
    // Anthropic: in a user turn, tool_result blocks come first ("Tool use" guide, "Handling tool results").
    if (turn.role === 'user') turn.content.sort((a, b) => Number(b['type'] === 'tool_result') - Number(a['type'] === 'tool_result'));
  }
  return { system, messages: turns };
}

/** Text-only content (system, developer, tool): a string or text parts. Empty text is dropped: Anthropic rejects empty text blocks. */
function textBlocks(content: unknown, path: string): JsonObject[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) throw new TranslationError(`${path} must be a string or an array of content parts`, path);
  return content.flatMap((part, j) => {
    const partPath = `${path}[${j}]`;
    if (!isObject(part) || part['type'] !== 'text' || typeof part['text'] !== 'string') {
      throw new TranslationError(`${partPath} must be a text part {"type":"text","text":"…"}`, partPath);
    }
    return textBlock(part);
  });
}

function textBlock(part: JsonObject): JsonObject[] {
  const text = stringField(part, 'text') ?? '';
  if (text === '') return [];
  // `cache_control` on a content part is not OpenAI's, but clients that know Anthropic send it; keep it.
  return [definedFields({ type: 'text', text, cache_control: objectField(part, 'cache_control') })];
}

function userBlocks(content: unknown, path: string): JsonObject[] {
  if (!Array.isArray(content)) return textBlocks(content, path);
  return content.flatMap((part, j) => {
    const partPath = `${path}[${j}]`;
    if (!isObject(part)) throw new TranslationError(`${partPath} must be a content part object`, partPath);
    switch (part['type']) {
      case 'text':
        return textBlock(part);
      case 'image_url':
        return [imageBlock(part, partPath)];
      case 'file':
        return [documentBlock(part, partPath)];
      case 'input_audio':
        throw new TranslationError(`${partPath}: audio input is not accepted by Anthropic models`, partPath);
      default:
        throw new TranslationError(`${partPath}: content part type ${JSON.stringify(part['type'])} cannot be carried to Anthropic (text, image_url and file are)`, partPath);
    }
  });
}

interface DataUrl {
  mediaType: string;
  base64: string;
}

/** `data:<media type>;base64,<data>` (RFC 2397); undefined for anything else. */
function parseDataUrl(url: string): DataUrl | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const params = url.slice('data:'.length, comma).split(';');
  if (params.at(-1) !== 'base64') return undefined;
  return { mediaType: params[0] ?? '', base64: url.slice(comma + 1) };
}

function imageBlock(part: JsonObject, path: string): JsonObject {
  const imageUrl = part['image_url'];
  const url = typeof imageUrl === 'string' ? imageUrl : stringField(imageUrl, 'url');
  if (url === undefined) throw new TranslationError(`${path}.image_url.url is required`, `${path}.image_url.url`);
  const data = parseDataUrl(url);
  let source: JsonObject;
  if (data !== undefined) source = { type: 'base64', media_type: data.mediaType, data: data.base64 };
  else if (url.startsWith('https://') || url.startsWith('http://')) source = { type: 'url', url };
  else throw new TranslationError(`${path}.image_url.url must be an http(s) URL or a base64 data: URL`, `${path}.image_url.url`);
  // `detail` has no Anthropic equivalent (Claude sizes images itself) and is dropped.
  return definedFields({ type: 'image', source, cache_control: objectField(part, 'cache_control') });
}

/** A chat `file` part with inline data → an Anthropic document (PDF or plain text). */
function documentBlock(part: JsonObject, path: string): JsonObject {
  const file = objectField(part, 'file');
  const fileData = stringField(file, 'file_data');
  const data = fileData === undefined ? undefined : parseDataUrl(fileData);
  if (data === undefined) {
    throw new TranslationError(
      `${path}: only files given inline as file.file_data (a base64 data: URL) can be sent to Anthropic; OpenAI file ids mean nothing there`,
      `${path}.file`,
    );
  }
  let source: JsonObject;
  if (data.mediaType === 'application/pdf') source = { type: 'base64', media_type: 'application/pdf', data: data.base64 };
  else if (data.mediaType.startsWith('text/')) source = { type: 'text', media_type: 'text/plain', data: Buffer.from(data.base64, 'base64').toString('utf8') };
  else throw new TranslationError(`${path}: Anthropic documents are PDF or plain text (got ${data.mediaType || 'no media type'})`, `${path}.file.file_data`);
  return definedFields({ type: 'document', source, title: stringField(file, 'filename'), cache_control: objectField(part, 'cache_control') });
}

function assistantBlocks(message: JsonObject, path: string): JsonObject[] {
  const content = message['content'];
  const blocks: JsonObject[] = [];
  if (Array.isArray(content)) {
    content.forEach((part, j) => {
      const partPath = `${path}.content[${j}]`;
      if (isObject(part) && part['type'] === 'text') blocks.push(...textBlock(part));
      // A refusal the model gave earlier is part of the conversation: carried as text.
      else if (isObject(part) && part['type'] === 'refusal') blocks.push(...textBlock({ text: part['refusal'] }));
      else throw new TranslationError(`${partPath}: assistant content parts must be text or refusal`, partPath);
    });
  } else {
    appendAll(blocks, textBlocks(content, `${path}.content`));
  }
  arrayField(message, 'tool_calls').forEach((call, k) => blocks.push(toolUseBlock(call, `${path}.tool_calls[${k}]`)));
  return blocks;
}

/**
 * Anthropic accepts tool ids matching `^[a-zA-Z0-9_-]+$`; ids another provider made may not.
 * The same mapping is applied to a tool_use and to the tool_result that answers it, so they
 * still match.
 */
function anthropicToolId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}

function toolUseBlock(call: unknown, path: string): JsonObject {
  const id = stringField(call, 'id');
  const fn = objectField(call, 'function');
  const name = stringField(fn, 'name');
  if (id === undefined || name === undefined) {
    throw new TranslationError(`${path} must be {"id","type":"function","function":{"name","arguments"}}`, path);
  }
  const args = stringField(fn, 'arguments') ?? '';
  let input: unknown = {};
  if (args.trim() !== '') {
    try {
      input = JSON.parse(args);
    } catch {
      input = undefined;
    }
  }
  // Anthropic's tool_use.input is an object; arguments that are not one cannot be replayed.
  if (!isObject(input)) {
    throw new TranslationError(`${path}.function.arguments must be a JSON object (Anthropic tool inputs are objects); got ${JSON.stringify(args.slice(0, 80))}`, `${path}.function.arguments`);
  }
  return { type: 'tool_use', id: anthropicToolId(id), name, input };
}

function toolResultBlock(message: JsonObject, path: string): JsonObject {
  const id = stringField(message, 'tool_call_id');
  if (id === undefined) throw new TranslationError(`${path}.tool_call_id is required on a tool message`, `${path}.tool_call_id`);
  const content = message['content'];
  return { type: 'tool_result', tool_use_id: anthropicToolId(id), content: typeof content === 'string' ? content : textBlocks(content, `${path}.content`) };
}

function convertTools(body: JsonObject): { tools?: JsonObject[]; tool_choice?: JsonObject } {
  let tools = arrayField(body, 'tools').map((tool, i) => {
    const path = `tools[${i}]`;
    const fn = objectField(tool, 'function');
    const name = stringField(fn, 'name');
    if (stringField(tool, 'type') !== 'function' || name === undefined) {
      throw new TranslationError(`${path}: only {"type":"function","function":{"name",…}} tools can be carried to Anthropic`, path);
    }
    // `strict` has no stable Anthropic equivalent and is dropped; Anthropic requires an object schema.
    return definedFields({
      name,
      description: stringField(fn, 'description'),
      input_schema: objectField(fn, 'parameters') ?? { type: 'object', properties: {} },
    });
  });
  // Anthropic rejects tool_choice without tools, and so does OpenAI: a choice without tools is dropped.
  if (tools.length === 0) return {};
  const choice = body['tool_choice'];
  let toolChoice: JsonObject | undefined;
  if (choice === undefined || choice === null) toolChoice = undefined;
  else if (choice === 'auto') toolChoice = { type: 'auto' };
  else if (choice === 'none') toolChoice = { type: 'none' };
  else if (choice === 'required') toolChoice = { type: 'any' };
  else if (isObject(choice) && choice['type'] === 'function' && stringField(objectField(choice, 'function'), 'name') !== undefined) {
    toolChoice = { type: 'tool', name: stringField(objectField(choice, 'function'), 'name') };
  } else if (isObject(choice) && choice['type'] === 'allowed_tools') {
    // Restrict the tool list to the allowed ones; the mode picks auto or any.
    const allowed = objectField(choice, 'allowed_tools');
    const names = new Set(arrayField(allowed, 'tools').map((t) => stringField(objectField(t, 'function'), 'name')));
    tools = tools.filter((t) => names.has(stringField(t, 'name')));
    toolChoice = { type: stringField(allowed, 'mode') === 'required' ? 'any' : 'auto' };
  } else {
    throw new TranslationError('tool_choice must be "auto", "none", "required", {"type":"function","function":{"name"}} or allowed_tools', 'tool_choice');
  }
  // parallel_tool_calls:false → disable_parallel_tool_use, which lives on tool_choice (and not on `none`).
  if (booleanField(body, 'parallel_tool_calls') === false && toolChoice?.['type'] !== 'none') {
    toolChoice = { ...(toolChoice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  }
  return definedFields({ tools, tool_choice: toolChoice });
}

function stopSequences(stop: unknown): string[] | undefined {
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop)) {
    const sequences = stop.filter((s): s is string => typeof s === 'string');
    return sequences.length > 0 ? sequences : undefined;
  }
  return undefined;
}

// ─── response ───────────────────────────────────────────────────────────────────────────────

/** Anthropic usage → OpenAI usage. Anthropic's `input_tokens` excludes cached input; OpenAI's `prompt_tokens` includes it. */
export function chatUsageFromAnthropic(usage: unknown): JsonObject {
  const cacheRead = numberField(usage, 'cache_read_input_tokens') ?? 0;
  const prompt = (numberField(usage, 'input_tokens') ?? 0) + cacheRead + (numberField(usage, 'cache_creation_input_tokens') ?? 0);
  const completion = numberField(usage, 'output_tokens') ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}

export function messagesToChatResponse(body: JsonObject, ctx: TranslateContext): JsonObject {
  let text = '';
  let reasoning = '';
  const toolCalls: JsonObject[] = [];
  for (const block of arrayField(body, 'content')) {
    const type = stringField(block, 'type');
    // Text blocks are pieces of one answer (citations split it), so they are joined without a separator.
    if (type === 'text') text += stringField(block, 'text') ?? '';
    else if (type === 'thinking') reasoning += stringField(block, 'thinking') ?? '';
    else if (type === 'tool_use') {
      toolCalls.push({
        id: stringField(block, 'id'),
        type: 'function',
        function: { name: stringField(block, 'name'), arguments: JSON.stringify(objectField(block, 'input') ?? {}) },
      });
    }
    // redacted_thinking and Anthropic's server-side tool blocks have no chat equivalent.
  }
  const message = definedFields({
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
    tool_calls: toolCalls.length > 0 ? toolCalls : undefined,
    // DeepSeek's field for reasoning text, which several OpenAI-compatible clients read.
    reasoning_content: reasoning === '' ? undefined : reasoning,
  });
  return {
    id: stringField(body, 'id') ?? 'chatcmpl-anthropic',
    object: 'chat.completion',
    created: unixSeconds(),
    model: stringField(body, 'model') ?? ctx.upstreamModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonFor(body['stop_reason']) }],
    usage: chatUsageFromAnthropic(body['usage']),
  };
}
