/**
 * OpenAI Responses client → OpenAI chat completions upstream, for every provider without a
 * native Responses API (OpenAI API reference, "Responses" and "Streaming events"; "Chat
 * Completions" and "The chat completion chunk object").
 *
 * Request: `instructions` and `input` items → `messages`; function tools; `text.format` →
 * `response_format`; `reasoning.effort` → `reasoning_effort`; `max_output_tokens` → `max_tokens`.
 * What the chat API cannot carry (hosted tools, stored state, file ids) is refused with a
 * message rather than dropped. Response and stream: the chat answer becomes output items —
 * reasoning (from `reasoning_content`, which OpenAI-compatible reasoning models send), a message
 * and function calls — with the Responses usage and status.
 */
import { randomId } from './ids.js';
import { arrayField, booleanField, definedFields, isObject, numberField, objectField, stringField } from './json-fields.js';
import { isOpenAiReasoningModel } from './messages-to-chat.js';
import { parseEventJson, sseEvent, sseTransducer } from './sse.js';
import { TranslationError, type JsonObject, type StreamTransducer, type TranslateContext, type Translation } from './types.js';
import { addNote } from './notes.js';
import { clampedOutputTokens } from './output-tokens.js';

// ─── request ────────────────────────────────────────────────────────────────────────────────

/** Request options that need state or services only OpenAI has. */
const STATEFUL_OPTIONS: ReadonlyArray<[field: string, why: string]> = [
  ['previous_response_id', 'it continues a response stored by OpenAI'],
  ['conversation', 'it continues a conversation stored by OpenAI'],
  ['prompt', 'it names a prompt template stored by OpenAI'],
];

export function responsesRequestToChat(body: JsonObject, ctx: TranslateContext): JsonObject {
  for (const [field, why] of STATEFUL_OPTIONS) {
    if (body[field] !== undefined && body[field] !== null) {
      throw new TranslationError(
        `${field} is not supported for ${ctx.clientModel}: ${why}, and its provider has no native Responses API (Plano keeps no conversation state). Send the whole conversation in "input" instead.`,
        field,
      );
    }
  }
  if (body['background'] === true) {
    throw new TranslationError(`background mode is not supported for ${ctx.clientModel}: its provider has no native Responses API; leave "background" out.`, 'background');
  }
  const messages: JsonObject[] = [];
  const instructions = stringField(body, 'instructions');
  if (instructions !== undefined && instructions.length > 0) messages.push({ role: 'system', content: instructions });
  const input = body['input'];
  if (typeof input === 'string') messages.push({ role: 'user', content: input });
  else if (isObject(input)) appendInputItem(messages, input, 'input');
  else arrayField(body, 'input').forEach((item, i) => appendInputItem(messages, item, `input[${i}]`));

  const tools = chatTools(arrayField(body, 'tools'), ctx);
  const reasoningEffort = stringField(objectField(body, 'reasoning'), 'effort');
  // The same rule as for Anthropic clients (messages-to-chat.ts): OpenAI reasoning models behind
  // a chat endpoint (Azure) take max_completion_tokens and no sampling settings.
  const reasoningModel = isOpenAiReasoningModel(ctx.upstreamModel);
  return definedFields({
    model: ctx.upstreamModel,
    messages,
    tools: tools.length > 0 ? tools : undefined,
    tool_choice: chatToolChoice(body['tool_choice']),
    parallel_tool_calls: body['parallel_tool_calls'],
    [reasoningModel ? 'max_completion_tokens' : 'max_tokens']: clampedOutputTokens(numberField(body, 'max_output_tokens'), 'max_output_tokens', ctx),
    temperature: reasoningModel ? undefined : numberField(body, 'temperature'),
    top_p: reasoningModel ? undefined : numberField(body, 'top_p'),
    response_format: chatResponseFormat(objectField(objectField(body, 'text'), 'format')),
    reasoning_effort: reasoningEffort,
    user: stringField(body, 'user'),
    stream: ctx.stream ? true : undefined,
    // Responses streams always end with usage; chat streams carry it only when asked.
    stream_options: ctx.stream ? { include_usage: true } : undefined,
  });
}

/**
 * A tool call as chat carries it: the calls of one turn on one assistant message, after its
 * text. Appended in place: copying the list for each call was quadratic (100,000 calls in a
 * request: 75 s).
 */
function appendToolCall(messages: JsonObject[], callId: string, name: string, args: string): void {
  const call = { id: callId, type: 'function', function: { name, arguments: args } };
  const last = messages[messages.length - 1];
  if (last === undefined || last['role'] !== 'assistant') messages.push({ role: 'assistant', content: null, tool_calls: [call] });
  else if (Array.isArray(last['tool_calls'])) (last['tool_calls'] as unknown[]).push(call);
  else last['tool_calls'] = [call];
}

function appendInputItem(messages: JsonObject[], item: unknown, where: string): void {
  if (!isObject(item)) throw new TranslationError(`${where} must be an input item object.`, where);
  const type = stringField(item, 'type') ?? (item['role'] !== undefined ? 'message' : undefined);
  switch (type) {
    case 'message':
      messages.push(chatMessage(item, where));
      return;
    case 'function_call':
      appendToolCall(messages, stringField(item, 'call_id') ?? '', stringField(item, 'name') ?? '', stringField(item, 'arguments') ?? '');
      return;
    case 'custom_tool_call':
      // A custom tool went to chat as a function taking one string, `input` (customChatTool).
      appendToolCall(messages, stringField(item, 'call_id') ?? '', stringField(item, 'name') ?? '', JSON.stringify({ input: stringField(item, 'input') ?? '' }));
      return;
    case 'function_call_output':
    case 'custom_tool_call_output':
      messages.push({ role: 'tool', tool_call_id: stringField(item, 'call_id') ?? '', content: toolOutputText(item['output'], `${where}.output`) });
      return;
    case 'reasoning':
      // Reasoning items are the model's own opaque state; chat completions has no way to send them back.
      return;
    case 'item_reference':
      throw new TranslationError(`${where}: item_reference points at an item stored by OpenAI; send the item itself.`, where);
    default:
      throw new TranslationError(
        `${where}: a "${String(type)}" item cannot be carried to a provider without a native Responses API; use message, function_call and function_call_output items.`,
        where,
      );
  }
}

// Chat's `developer` role is OpenAI's own; other chat providers know it as `system`.
const CHAT_ROLES: Readonly<Record<string, string>> = { user: 'user', assistant: 'assistant', system: 'system', developer: 'system' };

function chatMessage(item: JsonObject, where: string): JsonObject {
  const role = CHAT_ROLES[stringField(item, 'role') ?? ''];
  if (role === undefined) {
    throw new TranslationError(`${where}.role must be user, assistant, system or developer.`, `${where}.role`);
  }
  const content = item['content'];
  if (typeof content === 'string') return { role, content };
  if (!Array.isArray(content)) throw new TranslationError(`${where}.content must be a string or an array of content parts.`, `${where}.content`);
  const parts = content.map((part, j) => chatPart(part, `${where}.content[${j}]`));
  const only = parts[0];
  return { role, content: parts.length === 1 && only !== undefined && only['type'] === 'text' ? only['text'] : parts };
}

function chatPart(part: unknown, where: string): JsonObject {
  const type = stringField(part, 'type');
  switch (type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: stringField(part, 'text') ?? '' };
    case 'refusal':
      return { type: 'refusal', refusal: stringField(part, 'refusal') ?? '' };
    case 'input_image': {
      const url = stringField(part, 'image_url');
      if (url === undefined) {
        throw new TranslationError(
          `${where}: an input_image needs an image_url (a link or a data: URL); a file_id refers to a file stored by OpenAI, which other providers cannot read.`,
          where,
        );
      }
      return { type: 'image_url', image_url: definedFields({ url, detail: stringField(part, 'detail') }) };
    }
    case 'input_file': {
      const data = stringField(part, 'file_data');
      if (data === undefined) {
        throw new TranslationError(`${where}: an input_file needs file_data (a data: URL); file_id and file_url are OpenAI's own storage.`, where);
      }
      return { type: 'file', file: definedFields({ file_data: data, filename: stringField(part, 'filename') }) };
    }
    case 'input_audio':
      return { type: 'input_audio', input_audio: objectField(part, 'input_audio') ?? {} };
    default:
      throw new TranslationError(`${where}: a "${String(type)}" content part cannot be carried to a provider without a native Responses API.`, where);
  }
}

/** A function_call_output's `output`: a string, or text parts (chat tool messages carry text). */
function toolOutputText(output: unknown, where: string): string {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) return JSON.stringify(output ?? '');
  return output
    .map((part, j) => {
      if (stringField(part, 'type') === 'input_text') return stringField(part, 'text') ?? '';
      throw new TranslationError(`${where}[${j}]: tool results carry text only to a provider without a native Responses API.`, `${where}[${j}]`);
    })
    .join('');
}

/**
 * Tools OpenAI runs itself inside the Responses API. A provider without that API cannot run
 * them: they are left out (and said so in the access log) rather than refusing the request —
 * Codex lists `web_search` on every request — unless `tool_choice` forces one.
 */
const HOSTED_TOOL_TYPES = new Set([
  'web_search',
  'web_search_preview',
  'web_search_preview_2025_03_11',
  'file_search',
  'code_interpreter',
  'computer_use_preview',
  'image_generation',
  'mcp',
  'tool_search',
]);

/**
 * The chat tools for a Responses request's tools: function tools as they are; a `namespace` (a
 * named group of function tools, as Codex sends its sub-agent tools) flattened into its functions
 * (their calls go back naming it); `custom` tools as functions of one string; hosted tools left
 * out with a note. Anything else is refused.
 */
function chatTools(tools: readonly unknown[], ctx: TranslateContext): JsonObject[] {
  const out: JsonObject[] = [];
  tools.forEach((tool, i) => {
    const type = stringField(tool, 'type');
    if (type === 'namespace') {
      const namespace = stringField(tool, 'name') ?? '';
      arrayField(tool, 'tools').forEach((inner, j) => out.push(chatFunctionTool(inner, `tools[${i}].tools[${j}]`, stringField(tool, 'description'))));
      if (arrayField(tool, 'tools').length === 0) addNote(ctx, `tool namespace "${namespace}" has no tools; left out`);
      return;
    }
    if (type === 'custom') {
      out.push(customChatTool(tool, `tools[${i}]`));
      return;
    }
    if (type !== undefined && HOSTED_TOOL_TYPES.has(type)) {
      addNote(ctx, `left out the hosted "${type}" tool: it runs inside OpenAI's Responses API, which ${ctx.clientModel} does not have`);
      return;
    }
    out.push(chatFunctionTool(tool, `tools[${i}]`));
  });
  return out;
}

/**
 * A `custom` tool (free-form text in, as Codex's `apply_patch`) as a chat function taking one
 * string, `input`; the grammar its text must follow, when it has one, goes in the description.
 * The model's calls come back as `custom_tool_call` items (customToolCallItem).
 */
function customChatTool(tool: unknown, where: string): JsonObject {
  const name = stringField(tool, 'name');
  if (name === undefined) throw new TranslationError(`${where}: a custom tool needs a name.`, where);
  const format = objectField(tool, 'format');
  const grammar = stringField(format, 'type') === 'grammar' ? stringField(format, 'definition') : undefined;
  const inputDescription = grammar !== undefined
    ? `The tool's whole input, as free-form text in this ${stringField(format, 'syntax') ?? ''} grammar:\n${grammar}`
    : "The tool's whole input, as free-form text.";
  return {
    type: 'function',
    function: definedFields({
      name,
      description: stringField(tool, 'description'),
      parameters: { type: 'object', properties: { input: { type: 'string', description: inputDescription } }, required: ['input'], additionalProperties: false },
    }),
  };
}

/** The request's functions that came in a `namespace` tool, by name → that namespace: their calls go back naming it. */
function namespacedFunctions(ctx: TranslateContext): ReadonlyMap<string, string> {
  return new Map(
    arrayField(ctx.clientRequest, 'tools').flatMap((tool) =>
      stringField(tool, 'type') === 'namespace' ? arrayField(tool, 'tools').map((inner) => [stringField(inner, 'name') ?? '', stringField(tool, 'name') ?? ''] as const) : [],
    ),
  );
}

/** The names of the request's `custom` tools: their calls go back as `custom_tool_call` items. */
function customToolNames(ctx: TranslateContext): ReadonlySet<string> {
  return new Set(arrayField(ctx.clientRequest, 'tools').flatMap((tool) => (stringField(tool, 'type') === 'custom' ? [stringField(tool, 'name') ?? ''] : [])));
}

/** A custom tool's input from the chat arguments it was called with (`{"input": "…"}`), or those arguments as they are. */
function customToolInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    const input = stringField(parsed, 'input');
    if (input !== undefined) return input;
  } catch {
    // Not JSON (a call cut short): what there is.
  }
  return args;
}

function chatFunctionTool(tool: unknown, where: string, namespaceDescription?: string): JsonObject {
  const type = stringField(tool, 'type');
  const name = stringField(tool, 'name');
  if (type !== 'function' || name === undefined) {
    throw new TranslationError(
      `${where}: "${String(type)}" tools run inside OpenAI's Responses API; a provider without one takes function tools only ({"type": "function", "name", "parameters"}).`,
      where,
    );
  }
  // A namespace's description says what its functions are for; each function carries it.
  const own = stringField(tool, 'description');
  const description = namespaceDescription !== undefined && namespaceDescription !== '' ? (own !== undefined ? `${namespaceDescription}\n\n${own}` : namespaceDescription) : own;
  const fn = definedFields({ name, description, parameters: objectField(tool, 'parameters'), strict: booleanField(tool, 'strict') });
  return { type: 'function', function: fn };
}

function chatToolChoice(choice: unknown): unknown {
  if (choice === undefined || choice === null || typeof choice === 'string') return choice ?? undefined;
  const type = stringField(choice, 'type');
  if (type === 'function' || type === 'custom') return { type: 'function', function: { name: stringField(choice, 'name') ?? '' } };
  if (type === 'allowed_tools') {
    const tools = arrayField(choice, 'tools').map((tool) => ({ type: 'function', function: { name: stringField(tool, 'name') ?? '' } }));
    return { type: 'allowed_tools', allowed_tools: { mode: stringField(choice, 'mode') ?? 'auto', tools } };
  }
  throw new TranslationError(`tool_choice: "${String(type)}" names a tool OpenAI runs itself; choose a function tool, "auto", "required" or "none".`, 'tool_choice');
}

function chatResponseFormat(format: JsonObject | undefined): JsonObject | undefined {
  switch (stringField(format, 'type')) {
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      return {
        type: 'json_schema',
        json_schema: definedFields({
          name: stringField(format, 'name'),
          description: stringField(format, 'description'),
          schema: objectField(format, 'schema'),
          strict: booleanField(format, 'strict'),
        }),
      };
    default:
      return undefined;
  }
}

// ─── response ───────────────────────────────────────────────────────────────────────────────

/** Chat `finish_reason` → Responses `status` and `incomplete_details`. */
function statusOf(finishReason: string | undefined): { status: string; incomplete_details: JsonObject | null } {
  if (finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** Chat `usage` → Responses `usage`. */
function responsesUsage(usage: unknown): JsonObject | null {
  if (!isObject(usage)) return null;
  const input = numberField(usage, 'prompt_tokens') ?? 0;
  const output = numberField(usage, 'completion_tokens') ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: numberField(objectField(usage, 'prompt_tokens_details'), 'cached_tokens') ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: numberField(objectField(usage, 'completion_tokens_details'), 'reasoning_tokens') ?? 0 },
    total_tokens: numberField(usage, 'total_tokens') ?? input + output,
  };
}

interface ResponseState {
  id: string;
  createdAt: number;
  /** The model that answered, as the upstream names it (types.ts, `TranslateContext.upstreamModel`). */
  model: string;
  status: string;
  incompleteDetails: JsonObject | null;
  error: JsonObject | null;
  output: JsonObject[];
  usage: JsonObject | null;
}

/**
 * The Response object. Request parameters are echoed from the client's request as the Responses
 * API does; `store` is false because nothing is stored for a later `previous_response_id`.
 */
function responseObject(state: ResponseState, ctx: TranslateContext): JsonObject {
  const request = ctx.clientRequest ?? {};
  return {
    id: state.id,
    object: 'response',
    created_at: state.createdAt,
    status: state.status,
    error: state.error,
    incomplete_details: state.incompleteDetails,
    instructions: request['instructions'] ?? null,
    max_output_tokens: request['max_output_tokens'] ?? null,
    model: state.model,
    output: state.output,
    parallel_tool_calls: request['parallel_tool_calls'] ?? true,
    previous_response_id: null,
    reasoning: { effort: stringField(objectField(request, 'reasoning'), 'effort') ?? null, summary: null },
    store: false,
    temperature: request['temperature'] ?? null,
    text: objectField(request, 'text') ?? { format: { type: 'text' } },
    tool_choice: request['tool_choice'] ?? 'auto',
    tools: request['tools'] ?? [],
    top_p: request['top_p'] ?? null,
    truncation: 'disabled',
    usage: state.usage,
    user: request['user'] ?? null,
    metadata: request['metadata'] ?? {},
  };
}

function messageItem(id: string, status: string, content: JsonObject[]): JsonObject {
  return { type: 'message', id, status, role: 'assistant', content };
}

function outputTextPart(text: string): JsonObject {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

function functionCallItem(id: string, status: string, callId: string, name: string, args: string, namespace?: string): JsonObject {
  return { type: 'function_call', id, call_id: callId, name, ...(namespace !== undefined ? { namespace } : {}), arguments: args, status };
}

function customToolCallItem(id: string, status: string, callId: string, name: string, input: string): JsonObject {
  return { type: 'custom_tool_call', id, call_id: callId, name, input, status };
}

function reasoningItem(id: string, text: string): JsonObject {
  return { type: 'reasoning', id, summary: [], content: [{ type: 'reasoning_text', text }] };
}

/** The reasoning text OpenAI-compatible providers attach to a message or delta, if any. */
function reasoningText(message: unknown): string {
  return stringField(message, 'reasoning_content') ?? stringField(message, 'reasoning') ?? '';
}

export function chatResponseToResponses(body: JsonObject, ctx: TranslateContext): JsonObject {
  const choice = arrayField(body, 'choices').find(isObject);
  const message = objectField(choice, 'message');
  const finish = statusOf(stringField(choice, 'finish_reason'));
  const itemStatus = finish.status === 'completed' ? 'completed' : 'incomplete';
  const output: JsonObject[] = [];
  const reasoning = reasoningText(message);
  if (reasoning.length > 0) output.push(reasoningItem(randomId('rs_'), reasoning));
  const text = stringField(message, 'content') ?? '';
  const refusal = stringField(message, 'refusal') ?? '';
  const content = [...(text.length > 0 ? [outputTextPart(text)] : []), ...(refusal.length > 0 ? [{ type: 'refusal', refusal }] : [])];
  if (content.length > 0) output.push(messageItem(randomId('msg_'), itemStatus, content));
  const custom = customToolNames(ctx);
  const namespaces = namespacedFunctions(ctx);
  for (const call of arrayField(message, 'tool_calls')) {
    const fn = objectField(call, 'function');
    const [callId, name, args] = [stringField(call, 'id') ?? randomId('call_'), stringField(fn, 'name') ?? '', stringField(fn, 'arguments') ?? ''];
    output.push(
      custom.has(name)
        ? customToolCallItem(randomId('ctc_'), itemStatus, callId, name, customToolInput(args))
        : functionCallItem(randomId('fc_'), itemStatus, callId, name, args, namespaces.get(name)),
    );
  }
  return responseObject(
    {
      id: randomId('resp_'),
      createdAt: numberField(body, 'created') ?? Math.floor(Date.now() / 1000),
      model: stringField(body, 'model') ?? ctx.upstreamModel,
      status: finish.status,
      incompleteDetails: finish.incomplete_details,
      error: null,
      output,
      usage: responsesUsage(body['usage']),
    },
    ctx,
  );
}

// ─── stream ─────────────────────────────────────────────────────────────────────────────────

type StreamItem =
  | { kind: 'reasoning'; id: string; outputIndex: number; open: boolean; text: string }
  | { kind: 'message'; id: string; outputIndex: number; open: boolean; status: string; parts: Array<{ type: 'output_text' | 'refusal'; text: string }>; partOpen: boolean }
  /** `custom`: a custom tool's call, whose input is sent whole when the call closes (its arguments arrive as JSON text). */
  | { kind: 'function_call'; id: string; outputIndex: number; open: boolean; status: string; callId: string; name: string; arguments: string; custom: boolean };

/**
 * `chat.completion.chunk` events → Responses streaming events, each with `type` and an
 * increasing `sequence_number`, framed as `event: <type>` + `data: <json>` (no `[DONE]`).
 *
 * Items are numbered in the order they start. A text message (or reasoning) is closed when a
 * tool call starts, as the Responses API closes each item before the next; tool calls stay open
 * until the finish reason, because chat providers may interleave their argument deltas. The
 * final `response.completed` (or `response.incomplete`, for `length` / `content_filter`) waits
 * for `[DONE]` or the end of the body, since the usage chunk follows the finish reason.
 */
export function chatStreamToResponses(ctx: TranslateContext): StreamTransducer {
  const state: ResponseState = {
    id: randomId('resp_'),
    createdAt: Math.floor(Date.now() / 1000),
    model: ctx.upstreamModel,
    status: 'in_progress',
    incompleteDetails: null,
    error: null,
    output: [],
    usage: null,
  };
  const items: StreamItem[] = [];
  const custom = customToolNames(ctx);
  const namespaces = namespacedFunctions(ctx);
  const toolItems = new Map<number, StreamItem & { kind: 'function_call' }>();
  let sequence = 0;
  let started = false;
  let finishReason: string | undefined;
  let done = false;
  let usage: { input_tokens?: number; output_tokens?: number } | undefined;

  const emit = (type: string, fields: JsonObject): string => sseEvent({ type, ...fields, sequence_number: sequence++ }, type);
  const start = (): string => {
    if (started) return '';
    started = true;
    const response = responseObject(state, ctx);
    return emit('response.created', { response }) + emit('response.in_progress', { response });
  };
  const finalItem = (item: StreamItem): JsonObject => {
    if (item.kind === 'reasoning') return reasoningItem(item.id, item.text);
    if (item.kind === 'function_call') {
      return item.custom
        ? customToolCallItem(item.id, item.status, item.callId, item.name, customToolInput(item.arguments))
        : functionCallItem(item.id, item.status, item.callId, item.name, item.arguments, namespaces.get(item.name));
    }
    return messageItem(
      item.id,
      item.status,
      item.parts.map((part) => (part.type === 'output_text' ? outputTextPart(part.text) : { type: 'refusal', refusal: part.text })),
    );
  };
  const partFields = (item: StreamItem): JsonObject => ({ item_id: item.id, output_index: item.outputIndex });

  const closePart = (item: StreamItem & { kind: 'message' }): string => {
    const part = item.parts[item.parts.length - 1];
    if (!item.partOpen || part === undefined) return '';
    item.partOpen = false;
    const at = { ...partFields(item), content_index: item.parts.length - 1 };
    if (part.type === 'refusal') {
      return emit('response.refusal.done', { ...at, refusal: part.text }) + emit('response.content_part.done', { ...at, part: { type: 'refusal', refusal: part.text } });
    }
    return emit('response.output_text.done', { ...at, text: part.text, logprobs: [] }) + emit('response.content_part.done', { ...at, part: outputTextPart(part.text) });
  };
  const closeItem = (item: StreamItem): string => {
    if (!item.open) return '';
    item.open = false;
    // Closed by the next item starting: the model went on, so this one is complete.
    if (item.kind !== 'reasoning' && item.status === 'in_progress') item.status = 'completed';
    let out = '';
    if (item.kind === 'message') out += closePart(item);
    if (item.kind === 'reasoning') {
      const at = { ...partFields(item), content_index: 0 };
      out += emit('response.reasoning_text.done', { ...at, text: item.text }) + emit('response.content_part.done', { ...at, part: { type: 'reasoning_text', text: item.text } });
    }
    if (item.kind === 'function_call' && item.custom) {
      const input = customToolInput(item.arguments);
      out += emit('response.custom_tool_call_input.delta', { ...partFields(item), delta: input }) + emit('response.custom_tool_call_input.done', { ...partFields(item), input });
    } else if (item.kind === 'function_call') {
      out += emit('response.function_call_arguments.done', { ...partFields(item), name: item.name, arguments: item.arguments });
    }
    return out + emit('response.output_item.done', { output_index: item.outputIndex, item: finalItem(item) });
  };
  const closeOpen = (kinds: ReadonlyArray<StreamItem['kind']>): string =>
    items
      .filter((item) => item.open && kinds.includes(item.kind))
      .map(closeItem)
      .join('');
  const openItem = <T extends StreamItem>(item: T, added: JsonObject): string => {
    items.push(item);
    return emit('response.output_item.added', { output_index: item.outputIndex, item: added });
  };

  const onReasoning = (text: string): string => {
    let out = '';
    let item = items.find((candidate) => candidate.open && candidate.kind === 'reasoning');
    if (item === undefined) {
      out += closeOpen(['message']);
      const opened = { kind: 'reasoning' as const, id: randomId('rs_'), outputIndex: items.length, open: true, text: '' };
      out += openItem(opened, { type: 'reasoning', id: opened.id, summary: [], content: [] });
      out += emit('response.content_part.added', { ...partFields(opened), content_index: 0, part: { type: 'reasoning_text', text: '' } });
      item = opened;
    }
    if (item.kind !== 'reasoning') return out;
    item.text += text;
    return out + emit('response.reasoning_text.delta', { ...partFields(item), content_index: 0, delta: text });
  };
  const onMessageText = (type: 'output_text' | 'refusal', text: string): string => {
    let out = closeOpen(['reasoning']);
    let item = items.find((candidate): candidate is StreamItem & { kind: 'message' } => candidate.open && candidate.kind === 'message');
    if (item === undefined) {
      item = { kind: 'message', id: randomId('msg_'), outputIndex: items.length, open: true, status: 'in_progress', parts: [], partOpen: false };
      out += openItem(item, messageItem(item.id, 'in_progress', []));
    }
    const current = item.parts[item.parts.length - 1];
    if (!item.partOpen || current?.type !== type) {
      out += closePart(item);
      item.parts.push({ type, text: '' });
      item.partOpen = true;
      const part = type === 'output_text' ? outputTextPart('') : { type: 'refusal', refusal: '' };
      out += emit('response.content_part.added', { ...partFields(item), content_index: item.parts.length - 1, part });
    }
    const part = item.parts[item.parts.length - 1];
    if (part === undefined) return out;
    part.text += text;
    const at = { ...partFields(item), content_index: item.parts.length - 1 };
    return out + (type === 'output_text' ? emit('response.output_text.delta', { ...at, delta: text, logprobs: [] }) : emit('response.refusal.delta', { ...at, delta: text }));
  };
  const onToolCall = (call: unknown): string => {
    const index = numberField(call, 'index') ?? 0;
    const fn = objectField(call, 'function');
    const args = stringField(fn, 'arguments') ?? '';
    let out = '';
    let item = toolItems.get(index);
    if (item === undefined) {
      out += closeOpen(['reasoning', 'message']);
      const name = stringField(fn, 'name') ?? '';
      const isCustom = custom.has(name);
      item = {
        kind: 'function_call',
        id: randomId(isCustom ? 'ctc_' : 'fc_'),
        outputIndex: items.length,
        open: true,
        status: 'in_progress',
        callId: stringField(call, 'id') ?? randomId('call_'),
        name,
        arguments: '',
        custom: isCustom,
      };
      toolItems.set(index, item);
      out += openItem(item, isCustom ? customToolCallItem(item.id, 'in_progress', item.callId, name, '') : functionCallItem(item.id, 'in_progress', item.callId, name, '', namespaces.get(name)));
    }
    if (args.length === 0 || !item.open) return out;
    item.arguments += args;
    // A custom tool's input is JSON text until the call closes: sent whole then (closeItem).
    if (item.custom) return out;
    return out + emit('response.function_call_arguments.delta', { ...partFields(item), delta: args });
  };

  const finish = (reason: string | undefined): string => {
    finishReason = reason;
    const itemStatus = statusOf(reason).status === 'completed' ? 'completed' : 'incomplete';
    for (const item of items) if (item.kind !== 'reasoning' && item.open) item.status = itemStatus;
    return closeOpen(['reasoning', 'message', 'function_call']);
  };
  const complete = (): string => {
    if (done) return '';
    done = true;
    const out = start() + (finishReason === undefined ? finish(undefined) : '');
    const { status, incomplete_details } = statusOf(finishReason);
    state.status = status;
    state.incompleteDetails = incomplete_details;
    state.output = items.map(finalItem);
    const type = status === 'completed' ? 'response.completed' : 'response.incomplete';
    return out + emit(type, { response: responseObject(state, ctx) });
  };
  const fail = (code: string, message: string): string => {
    if (done) return '';
    done = true;
    for (const item of items) if (item.kind !== 'reasoning' && item.open) item.status = 'incomplete';
    const out = start() + closeOpen(['reasoning', 'message', 'function_call']);
    state.status = 'failed';
    state.error = { code, message };
    state.output = items.map(finalItem);
    return out + emit('error', { code, message, param: null }) + emit('response.failed', { response: responseObject(state, ctx) });
  };

  const onChunk = (chunk: JsonObject): string => {
    const error = objectField(chunk, 'error');
    if (error !== undefined) {
      return fail(stringField(error, 'code') ?? stringField(error, 'type') ?? 'upstream_error', stringField(error, 'message') ?? JSON.stringify(error));
    }
    if (!started) state.model = stringField(chunk, 'model') ?? state.model;
    let out = start();
    const chunkUsage = responsesUsage(chunk['usage']);
    if (chunkUsage !== null) {
      state.usage = chunkUsage;
      usage = { input_tokens: Number(chunkUsage['input_tokens']), output_tokens: Number(chunkUsage['output_tokens']) };
    }
    const choice = arrayField(chunk, 'choices').find((c) => (numberField(c, 'index') ?? 0) === 0);
    const delta = objectField(choice, 'delta');
    const reasoning = reasoningText(delta);
    if (reasoning.length > 0) out += onReasoning(reasoning);
    const text = stringField(delta, 'content') ?? '';
    if (text.length > 0) out += onMessageText('output_text', text);
    const refusal = stringField(delta, 'refusal') ?? '';
    if (refusal.length > 0) out += onMessageText('refusal', refusal);
    for (const call of arrayField(delta, 'tool_calls')) out += onToolCall(call);
    const reason = stringField(choice, 'finish_reason');
    if (reason !== undefined) out += finish(reason);
    return out;
  };

  return sseTransducer({
    onEvent(message) {
      if (done) return '';
      if (message.data.trim() === '[DONE]') return complete();
      const chunk = parseEventJson(message.data);
      return chunk === undefined ? '' : onChunk(chunk);
    },
    onEnd(brokeOff) {
      if (done) return '';
      if (finishReason === undefined) return fail('upstream_incomplete', brokeOff ?? 'The upstream stream ended before the response finished.');
      return complete();
    },
    usage: () => usage,
  });
}

export const responsesToChat: Translation = {
  client: 'responses',
  upstream: 'openai_chat',
  request: responsesRequestToChat,
  response: chatResponseToResponses,
  stream: chatStreamToResponses,
};

