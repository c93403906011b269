/**
 * Three provider stand-ins for test/e2e/translate.test.ts, each a mock on 127.0.0.1 (see
 * test/routing/mock-upstream.ts) speaking one upstream API the way the provider's documentation
 * shows it: OpenAI chat completions, Anthropic Messages, and Bedrock Converse — whose
 * ConverseStream answer is a real binary AWS event-stream.
 *
 * Each answers from the request, as a model would:
 *   - the last user text says "fail with NNN"   → HTTP NNN in the provider's own error shape;
 *   - the last user text says "break the stream" → a stream that starts, then an error arrives
 *     inside it (streams only);
 *   - the last user text says "keep streaming"   → a stream that starts and never ends (streams only);
 *   - the request carries a tool result         → `The tool said: <result>`;
 *   - tools are offered                         → a call to the first one, input {"city": "Paris"};
 *   - otherwise                                 → `Hello from <provider>.`
 * as JSON or as a stream, as the request asks.
 */
import { bedrockEventStreamBody, EVENT_STREAM_CONTENT_TYPE, type BedrockStreamEventJson } from '../translate/bedrock-event-stream-body.js';
import { startMockUpstream, type MockReply, type MockUpstream, type RecordedRequest } from '../routing/mock-upstream.js';

type Json = Record<string, unknown>;

/** Token counts every mock reports; the tests check they reach the client. */
export const MOCK_USAGE = { input: 21, output: 9 };
/** What each mock's tool call asks for. */
export const TOOL_INPUT = { city: 'Paris' };

/** The tool-call id each provider's mock hands out, in that provider's own style. */
export const TOOL_CALL_IDS = {
  openai: 'call_Mock7Weather',
  anthropic: 'toolu_01MockWeatherCall',
  bedrock: 'tooluse_MockWeather42',
} as const;

export type MockProvider = keyof typeof TOOL_CALL_IDS;

/** What a request asks, read from its provider's format. */
interface Turn {
  lastUserText: string;
  tools: string[];
  toolResult?: string;
}

type Reply =
  | { kind: 'error'; status: number }
  | { kind: 'broken'; ending: 'error' | 'open' }
  | { kind: 'text'; text: string }
  | { kind: 'tool'; id: string; name: string };

function decide(provider: MockProvider, turn: Turn): Reply {
  const failure = /fail with (\d{3})/.exec(turn.lastUserText);
  if (failure) return { kind: 'error', status: Number(failure[1]) };
  if (turn.lastUserText.includes('break the stream')) return { kind: 'broken', ending: 'error' };
  if (turn.lastUserText.includes('keep streaming')) return { kind: 'broken', ending: 'open' };
  if (turn.toolResult !== undefined) return { kind: 'text', text: `The tool said: ${turn.toolResult}` };
  const tool = turn.tools[0];
  if (tool !== undefined) return { kind: 'tool', id: TOOL_CALL_IDS[provider], name: tool };
  return { kind: 'text', text: `Hello from ${provider}.` };
}

/** The message each mock's errors carry (the tests look for it at the client): an HTTP status, or 'mid-stream'. */
export function mockErrorMessage(provider: MockProvider, when: number | 'mid-stream'): string {
  return `${provider} mock: refused ${typeof when === 'number' ? `with HTTP ${when}` : when}`;
}

/** Text in the pieces a model streams it in (word by word). */
function pieces(text: string): string[] {
  return text.split(/(?<= )/);
}

const TOOL_ARGUMENTS = JSON.stringify(TOOL_INPUT);
/** The tool input's JSON text cut in two, as providers stream it. */
const ARGUMENT_PIECES = [TOOL_ARGUMENTS.slice(0, 5), TOOL_ARGUMENTS.slice(5)];

const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const lastOf = <T>(items: T[]): T | undefined => items[items.length - 1];

/** Text of a string or of the text blocks in a content list (`{type:'text',text}` or Bedrock's `{text}`). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return list(content)
    .map((block) => (typeof block.text === 'string' ? block.text : ''))
    .join('');
}

function sse(events: [string | undefined, unknown][]): string {
  return events.map(([name, data]) => `${name ? `event: ${name}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`).join('');
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

// ── OpenAI chat completions ──────────────────────────────────────────────────────────────────

function openaiTurn(body: Json): Turn {
  const messages = list(body.messages);
  const last = lastOf(messages);
  return {
    lastUserText: textOf(lastOf(messages.filter((m) => m.role === 'user'))?.content),
    tools: list(body.tools).map((t) => String((t.function as Json | undefined)?.name)),
    toolResult: last?.role === 'tool' ? textOf(last.content) : undefined,
  };
}

const OPENAI_ERROR_TYPES: Record<number, Json> = {
  400: { type: 'invalid_request_error', code: 'invalid_value' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

function openaiReply(request: RecordedRequest): MockReply {
  const body = request.json ?? {};
  const reply = decide('openai', openaiTurn(body));
  const model = String(body.model);
  if (reply.kind === 'error') {
    return { status: reply.status, body: { error: { message: mockErrorMessage('openai', reply.status), param: null, ...OPENAI_ERROR_TYPES[reply.status] } } };
  }
  const usage = { prompt_tokens: MOCK_USAGE.input, completion_tokens: MOCK_USAGE.output, total_tokens: MOCK_USAGE.input + MOCK_USAGE.output };
  const finish = reply.kind === 'tool' ? 'tool_calls' : 'stop';
  const toolCall = (args: string) => (reply.kind === 'tool' ? { id: reply.id, type: 'function', function: { name: reply.name, arguments: args } } : undefined);
  if (body.stream !== true) {
    const message = reply.kind === 'tool' ? { role: 'assistant', content: null, tool_calls: [toolCall(TOOL_ARGUMENTS)] } : { role: 'assistant', content: reply.kind === 'text' ? reply.text : '' };
    return { body: { id: 'chatcmpl-mock', object: 'chat.completion', created: 1_700_000_000, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage } };
  }
  const chunk = (delta: Json, finishReason: string | null = null): [undefined, Json] => [
    undefined,
    { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] },
  ];
  const events: [string | undefined, unknown][] = [chunk({ role: 'assistant', content: '' })];
  if (reply.kind === 'broken') {
    events.push(chunk({ content: 'Partial ' }));
    if (reply.ending === 'error') events.push([undefined, { error: { message: mockErrorMessage('openai', 'mid-stream'), type: 'server_error', param: null, code: null } }]);
    return { headers: SSE_HEADERS, body: sse(events), keepOpen: reply.ending === 'open' };
  }
  if (reply.kind === 'text') events.push(...pieces(reply.text).map((text) => chunk({ content: text })));
  else {
    const [first, ...rest] = ARGUMENT_PIECES;
    events.push(chunk({ tool_calls: [{ index: 0, ...toolCall(first!) }] }));
    events.push(...rest.map((args) => chunk({ tool_calls: [{ index: 0, function: { arguments: args } }] })));
  }
  events.push(chunk({}, finish));
  if ((body.stream_options as Json | undefined)?.include_usage === true) {
    events.push([undefined, { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [], usage }]);
  }
  events.push([undefined, '[DONE]']);
  return { headers: SSE_HEADERS, body: sse(events) };
}

// ── Anthropic Messages ───────────────────────────────────────────────────────────────────────

function anthropicTurn(body: Json): Turn {
  const messages = list(body.messages);
  const lastUser = lastOf(messages.filter((m) => m.role === 'user'));
  const blocks = typeof lastUser?.content === 'string' ? [{ type: 'text', text: lastUser.content }] : list(lastUser?.content);
  const result = blocks.find((b) => b.type === 'tool_result');
  return {
    lastUserText: textOf(blocks.filter((b) => b.type === 'text')),
    tools: list(body.tools).map((t) => String(t.name)),
    toolResult: result === undefined ? undefined : textOf(result.content),
  };
}

const ANTHROPIC_ERROR_TYPES: Record<number, string> = { 400: 'invalid_request_error', 429: 'rate_limit_error' };

function anthropicReply(request: RecordedRequest): MockReply {
  const body = request.json ?? {};
  const reply = decide('anthropic', anthropicTurn(body));
  const model = String(body.model);
  if (reply.kind === 'error') {
    return { status: reply.status, body: { type: 'error', error: { type: ANTHROPIC_ERROR_TYPES[reply.status] ?? 'api_error', message: mockErrorMessage('anthropic', reply.status) } } };
  }
  const stopReason = reply.kind === 'tool' ? 'tool_use' : 'end_turn';
  const usage = { input_tokens: MOCK_USAGE.input, output_tokens: MOCK_USAGE.output };
  const message = { id: 'msg_01MockAnthropic', type: 'message', role: 'assistant', model, stop_sequence: null };
  if (body.stream !== true) {
    const content = reply.kind === 'tool' ? [{ type: 'tool_use', id: reply.id, name: reply.name, input: TOOL_INPUT }] : [{ type: 'text', text: reply.kind === 'text' ? reply.text : '' }];
    return { body: { ...message, content, stop_reason: stopReason, usage } };
  }
  const events: [string, unknown][] = [['message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { input_tokens: MOCK_USAGE.input, output_tokens: 1 } } }]];
  const delta = (d: Json): [string, unknown] => ['content_block_delta', { type: 'content_block_delta', index: 0, delta: d }];
  if (reply.kind === 'tool') {
    events.push(['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: reply.id, name: reply.name, input: {} } }]);
    events.push(...ARGUMENT_PIECES.map((json) => delta({ type: 'input_json_delta', partial_json: json })));
  } else {
    events.push(['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }]);
    const text = reply.kind === 'text' ? reply.text : 'Partial ';
    events.push(...pieces(text).map((t) => delta({ type: 'text_delta', text: t })));
  }
  if (reply.kind === 'broken') {
    // Anthropic's mid-stream error event (docs.anthropic.com, "Streaming Messages" → "Error events").
    if (reply.ending === 'error') events.push(['error', { type: 'error', error: { type: 'overloaded_error', message: mockErrorMessage('anthropic', 'mid-stream') } }]);
    return { headers: SSE_HEADERS, body: sse(events), keepOpen: reply.ending === 'open' };
  }
  events.push(
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: MOCK_USAGE.output } }],
    ['message_stop', { type: 'message_stop' }],
  );
  return { headers: SSE_HEADERS, body: sse(events) };
}

// ── Bedrock Converse ─────────────────────────────────────────────────────────────────────────

function bedrockTurn(body: Json): Turn {
  const messages = list(body.messages);
  const blocks = list(lastOf(messages.filter((m) => m.role === 'user'))?.content);
  const result = blocks.find((b) => b.toolResult !== undefined)?.toolResult as Json | undefined;
  const tools = list((body.toolConfig as Json | undefined)?.tools);
  return {
    lastUserText: textOf(blocks),
    tools: tools.map((t) => String((t.toolSpec as Json | undefined)?.name)),
    toolResult: result === undefined ? undefined : textOf(result.content),
  };
}

// Bedrock names its errors in the x-amzn-ErrorType header; the body is {"message": …} (Bedrock Runtime API reference, "Common Errors").
const BEDROCK_ERROR_TYPES: Record<number, string> = { 400: 'ValidationException', 429: 'ThrottlingException' };

function bedrockReply(request: RecordedRequest): MockReply {
  const body = request.json ?? {};
  const reply = decide('bedrock', bedrockTurn(body));
  if (reply.kind === 'error') {
    const type = BEDROCK_ERROR_TYPES[reply.status] ?? 'InternalServerException';
    return { status: reply.status, headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` }, body: { message: mockErrorMessage('bedrock', reply.status) } };
  }
  const stopReason = reply.kind === 'tool' ? 'tool_use' : 'end_turn';
  const usage = { inputTokens: MOCK_USAGE.input, outputTokens: MOCK_USAGE.output, totalTokens: MOCK_USAGE.input + MOCK_USAGE.output };
  if (!request.path.endsWith('/converse-stream')) {
    const content = reply.kind === 'tool' ? [{ toolUse: { toolUseId: reply.id, name: reply.name, input: TOOL_INPUT } }] : [{ text: reply.kind === 'text' ? reply.text : '' }];
    return { body: { output: { message: { role: 'assistant', content } }, stopReason, usage, metrics: { latencyMs: 42 } } };
  }
  const events: BedrockStreamEventJson[] = [{ messageStart: { role: 'assistant' } }];
  if (reply.kind === 'tool') {
    events.push({ contentBlockStart: { contentBlockIndex: 0, start: { toolUse: { toolUseId: reply.id, name: reply.name } } } });
    events.push(...ARGUMENT_PIECES.map((input) => ({ contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input } } } })));
  } else {
    const text = reply.kind === 'text' ? reply.text : 'Partial ';
    events.push(...pieces(text).map((t) => ({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: t } } })));
  }
  if (reply.kind !== 'broken') {
    events.push({ contentBlockStop: { contentBlockIndex: 0 } }, { messageStop: { stopReason } }, { metadata: { usage, metrics: { latencyMs: 42 } } });
  } else if (reply.ending === 'error') {
    events.push({ throttlingException: { message: mockErrorMessage('bedrock', 'mid-stream') } });
  }
  const keepOpen = reply.kind === 'broken' && reply.ending === 'open';
  return { headers: { 'content-type': EVENT_STREAM_CONTENT_TYPE }, body: bedrockEventStreamBody(events), keepOpen };
}

export type MockUpstreams = Record<MockProvider, MockUpstream>;

export async function startMockUpstreams(): Promise<MockUpstreams> {
  const [openai, anthropic, bedrock] = await Promise.all([startMockUpstream(openaiReply), startMockUpstream(anthropicReply), startMockUpstream(bedrockReply)]);
  return { openai, anthropic, bedrock };
}

export async function stopMockUpstreams(mocks: Partial<MockUpstreams>): Promise<void> {
  await Promise.all(Object.values(mocks).map((mock) => mock.stop()));
}
