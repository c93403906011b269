/**
 * Translation through the built `plano up` (issue 5, "Done when"): one gateway process in front
 * of three mock providers on 127.0.0.1 — OpenAI chat completions (Groq's endpoint), Anthropic
 * Messages and Bedrock Converse with a real binary event-stream (translate-mock-upstreams.ts) —
 * driven by the official `openai` and `@anthropic-ai/sdk` clients. Every client API reaches
 * every upstream API: texts and tool calls round-tripped, streamed and not, and upstream errors
 * arriving in the client's own shape with their status.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../routing/mock-upstream.js';
import {
  MOCK_USAGE,
  TOOL_CALL_IDS,
  TOOL_INPUT,
  mockErrorMessage,
  startMockUpstreams,
  stopMockUpstreams,
  type MockProvider,
  type MockUpstreams,
} from './translate-mock-upstreams.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

type Json = Record<string, unknown>;

/** A response names the model that answered as the upstream names it: these mocks echo the upstream model id. */
const answeredBy = (configured: string): string => configured.slice(configured.indexOf('/') + 1);

const CONFIG = new URL('../../fixtures/e2e/translate.yaml', import.meta.url);
const ENV = { GROQ_API_KEY: 'gsk-configured-groq', ANTHROPIC_API_KEY: 'sk-ant-configured', AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-configured' };
const CLIENT_KEY = 'sk-client-own-key';
const BEDROCK_MODEL_ID = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
/** A configured Bedrock model whose base_url is a closed port. */
const UNREACHABLE_MODEL = 'amazon_bedrock/amazon.nova-lite-v1:0';
const UNREACHABLE_PLACEHOLDER = 'http://unreachable.mock';

/** The config's placeholder host for each mock (fixtures/e2e/translate.yaml). */
const PLACEHOLDERS: Record<MockProvider, string> = {
  openai: 'http://openai-chat.mock',
  anthropic: 'http://anthropic.mock',
  bedrock: 'http://bedrock.mock',
};

/** One configured model on each upstream API, and what its upstream must receive. */
interface Upstream {
  provider: MockProvider;
  model: string;
  path(stream: boolean): string;
  /** Whether the upstream request asked for a stream (Bedrock says so by its path). */
  streamed(request: RecordedRequest): boolean;
  expectAuth(headers: RecordedRequest['headers']): void;
  /** The system prompt as the upstream's API carries it. */
  systemOf(body: Json): string;
  /** The assistant's tool call and the client's tool result, in the upstream's own format. */
  expectToolRoundTrip(body: Json): void;
}

const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const textOf = (content: unknown): string => (typeof content === 'string' ? content : list(content).map((b) => (typeof b.text === 'string' ? b.text : '')).join(''));
const messagesOf = (body: Json, role: string): Json[] => list(body.messages).filter((m) => m.role === role);

const OPENAI_CHAT: Upstream = {
  provider: 'openai',
  model: 'groq/llama-3.3-70b-versatile',
  path: () => '/openai/v1/chat/completions',
  streamed: (request) => request.json?.stream === true,
  expectAuth: (headers) => expect(headers.authorization).toBe(`Bearer ${ENV.GROQ_API_KEY}`),
  systemOf: (body) => textOf(messagesOf(body, 'system')[0]?.content),
  expectToolRoundTrip(body) {
    const [call] = list(messagesOf(body, 'assistant')[0]?.tool_calls);
    expect(call).toMatchObject({ id: TOOL_CALL_IDS.openai, type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse(String((call!.function as Json).arguments))).toEqual(TOOL_INPUT);
    expect(messagesOf(body, 'tool')[0]).toMatchObject({ tool_call_id: TOOL_CALL_IDS.openai });
  },
};

const ANTHROPIC: Upstream = {
  provider: 'anthropic',
  model: 'anthropic/claude-sonnet-4-20250514',
  path: () => '/v1/messages',
  streamed: (request) => request.json?.stream === true,
  expectAuth(headers) {
    expect(headers['x-api-key']).toBe(ENV.ANTHROPIC_API_KEY);
    expect(headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(headers.authorization).toBeUndefined();
  },
  systemOf: (body) => textOf(body.system),
  expectToolRoundTrip(body) {
    const toolUse = list(messagesOf(body, 'assistant')[0]?.content).find((b) => b.type === 'tool_use');
    expect(toolUse).toEqual({ type: 'tool_use', id: TOOL_CALL_IDS.anthropic, name: 'get_weather', input: TOOL_INPUT });
    const results = messagesOf(body, 'user').flatMap((m) => list(m.content)).filter((b) => b.type === 'tool_result');
    expect(results).toEqual([expect.objectContaining({ tool_use_id: TOOL_CALL_IDS.anthropic })]);
  },
};

const BEDROCK: Upstream = {
  provider: 'bedrock',
  model: `amazon_bedrock/${BEDROCK_MODEL_ID}`,
  path: (stream) => `/model/${BEDROCK_MODEL_ID}/${stream ? 'converse-stream' : 'converse'}`,
  streamed: (request) => request.path.endsWith('/converse-stream'),
  expectAuth: (headers) => expect(headers.authorization).toBe(`Bearer ${ENV.AWS_BEARER_TOKEN_BEDROCK}`),
  systemOf: (body) => textOf(body.system),
  expectToolRoundTrip(body) {
    const toolUse = list(messagesOf(body, 'assistant')[0]?.content).find((b) => b.toolUse !== undefined);
    expect(toolUse).toEqual({ toolUse: { toolUseId: TOOL_CALL_IDS.bedrock, name: 'get_weather', input: TOOL_INPUT } });
    const results = messagesOf(body, 'user').flatMap((m) => list(m.content)).filter((b) => b.toolResult !== undefined);
    expect(results).toEqual([{ toolResult: expect.objectContaining({ toolUseId: TOOL_CALL_IDS.bedrock }) }]);
  },
};

const UPSTREAMS = [OPENAI_CHAT, ANTHROPIC, BEDROCK];
const STREAMED = [false, true];
const ERROR_STATUSES = [429, 400];

const SYSTEM = 'You are terse.';
const QUESTION = 'What is the weather in Paris?';
const TOOL_RESULT = '18°C and sunny';
const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

let mocks: Partial<MockUpstreams> = {};
let plano: PlanoUp | undefined;
let dir: string | undefined;
let openai: OpenAI;
let anthropic: Anthropic;
/** What `plano up` printed before the first request. */
let startup = { stdout: '', stderr: '' };

beforeAll(async () => {
  mocks = await startMockUpstreams();
  const started = mocks as MockUpstreams;
  dir = await mkdtemp(join(tmpdir(), 'plano-translate-'));
  let config = await readFile(CONFIG, 'utf8');
  for (const provider of Object.keys(PLACEHOLDERS) as MockProvider[]) config = config.replaceAll(PLACEHOLDERS[provider], started[provider].url);
  config = config.replaceAll(UNREACHABLE_PLACEHOLDER, await closedPortUrl());
  await writeFile(join(dir, 'plano_config.yaml'), config);
  plano = await startPlanoUp([], ENV, dir);
  startup = { stdout: plano.stdout(), stderr: plano.stderr() };
  openai = new OpenAI({ baseURL: `${plano.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: plano.url, apiKey: CLIENT_KEY, maxRetries: 0 });
});

afterAll(async () => {
  plano?.kill();
  await stopMockUpstreams(mocks);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** http://127.0.0.1:<a port that was free a moment ago and is closed now>. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The last request `upstream`'s mock received, checked for what every translated request must have. */
function received(upstream: Upstream, stream: boolean): Json {
  const requests = mocks[upstream.provider]!.requests;
  const request = requests[requests.length - 1]!;
  expect(request.path).toBe(upstream.path(stream));
  expect(upstream.streamed(request)).toBe(stream);
  upstream.expectAuth(request.headers);
  expect(JSON.stringify(request.headers)).not.toContain(CLIENT_KEY);
  return request.json!;
}

/** Resolves when the access log, after `from` characters, has a line for `upstream`'s model with `status` and then `rest`. */
function loggedLine(upstream: Upstream, stream: boolean, status: number, rest: string, from: number): Promise<string> {
  const model = upstream.model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return plano!.waitForStderr(new RegExp(`→ ${model} \\[\\w+\\] ${stream ? 'stream ' : ''}${status} ${rest}`), from);
}

/** …a 200 with the mock's token counts. */
const loggedUsage = (upstream: Upstream, stream: boolean, from: number) => loggedLine(upstream, stream, 200, `.*tokens=${MOCK_USAGE.input}/${MOCK_USAGE.output}`, from);

describe('plano up starts a config that needs translating', () => {
  it('without a warning, listing every model', () => {
    expect(startup.stderr).toBe('');
    // `\b`: a random port in a URL (127.0.0.1:45501) is not a 501.
    expect(startup.stdout).not.toMatch(/warning|\b501\b|translat/i);
    for (const model of [...UPSTREAMS.map((u) => u.model), UNREACHABLE_MODEL]) expect(startup.stdout).toContain(model);
  });
});

describe('OpenAI SDK, chat completions', () => {
  const chatTools: OpenAI.Chat.ChatCompletionTool[] = [
    { type: 'function', function: { name: 'get_weather', description: 'Current weather in a city', parameters: WEATHER_SCHEMA } },
  ];
  const complete = async (params: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, stream: boolean) =>
    stream ? openai.chat.completions.stream({ ...params, stream: true, stream_options: { include_usage: true } }).finalChatCompletion() : openai.chat.completions.create(params);

  describe.each([ANTHROPIC, BEDROCK])('→ $provider', (upstream) => {
    it.each(STREAMED)('text (stream: %s)', async (stream) => {
      const logFrom = plano!.stderr().length;
      const completion = await complete(
        { model: upstream.model, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: 'Hi' }], max_tokens: 100, temperature: 0.2 },
        stream,
      );
      expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: `Hello from ${upstream.provider}.` } });
      expect(completion.usage).toMatchObject({ prompt_tokens: MOCK_USAGE.input, completion_tokens: MOCK_USAGE.output });
      expect(completion.model).toBe(answeredBy(upstream.model));
      const body = received(upstream, stream);
      expect(upstream.systemOf(body)).toBe(SYSTEM);
      expect(JSON.stringify(body)).not.toContain('"model":"amazon_bedrock');
      await loggedUsage(upstream, stream, logFrom);
    });

    it.each(STREAMED)('a tool call round trip (stream: %s)', async (stream) => {
      const ask: OpenAI.Chat.ChatCompletionMessageParam = { role: 'user', content: QUESTION };
      const first = await complete({ model: upstream.model, messages: [ask], tools: chatTools }, stream);
      const choice = first.choices[0]!;
      expect(choice.finish_reason).toBe('tool_calls');
      const call = choice.message.tool_calls![0]!;
      expect(call.type === 'function' && call.function.name).toBe('get_weather');
      expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual(TOOL_INPUT);

      const second = await complete(
        { model: upstream.model, messages: [ask, choice.message, { role: 'tool', tool_call_id: call.id, content: TOOL_RESULT }], tools: chatTools },
        stream,
      );
      expect(second.choices[0]!.message.content).toBe(`The tool said: ${TOOL_RESULT}`);
      upstream.expectToolRoundTrip(received(upstream, stream));
    });
  });
});

describe('Anthropic SDK, messages', () => {
  const messageTools: Anthropic.Tool[] = [
    { name: 'get_weather', description: 'Current weather in a city', input_schema: WEATHER_SCHEMA as Anthropic.Tool.InputSchema },
  ];
  const send = (params: Anthropic.MessageCreateParamsNonStreaming, stream: boolean) =>
    stream ? anthropic.messages.stream(params).finalMessage() : anthropic.messages.create(params);

  describe.each([OPENAI_CHAT, BEDROCK])('→ $provider', (upstream) => {
    it.each(STREAMED)('text (stream: %s)', async (stream) => {
      const logFrom = plano!.stderr().length;
      const message = await send({ model: upstream.model, max_tokens: 100, system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] }, stream);
      expect(message).toMatchObject({
        role: 'assistant',
        model: answeredBy(upstream.model),
        stop_reason: 'end_turn',
        content: [{ type: 'text', text: `Hello from ${upstream.provider}.` }],
        usage: { input_tokens: MOCK_USAGE.input, output_tokens: MOCK_USAGE.output },
      });
      expect(upstream.systemOf(received(upstream, stream))).toBe(SYSTEM);
      await loggedUsage(upstream, stream, logFrom);
    });

    it.each(STREAMED)('a tool call round trip (stream: %s)', async (stream) => {
      const ask: Anthropic.MessageParam = { role: 'user', content: QUESTION };
      const first = await send({ model: upstream.model, max_tokens: 100, messages: [ask], tools: messageTools }, stream);
      expect(first.stop_reason).toBe('tool_use');
      const toolUse = first.content.find((block) => block.type === 'tool_use');
      expect(toolUse).toMatchObject({ name: 'get_weather', input: TOOL_INPUT });

      const second = await send(
        {
          model: upstream.model,
          max_tokens: 100,
          tools: messageTools,
          messages: [ask, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse!.id, content: TOOL_RESULT }] }],
        },
        stream,
      );
      expect(second.content).toEqual([expect.objectContaining({ type: 'text', text: `The tool said: ${TOOL_RESULT}` })]);
      upstream.expectToolRoundTrip(received(upstream, stream));
    });
  });
});

describe('OpenAI SDK, responses', () => {
  const responseTools: OpenAI.Responses.Tool[] = [
    { type: 'function', name: 'get_weather', description: 'Current weather in a city', parameters: WEATHER_SCHEMA, strict: false },
  ];
  const respond = (params: Omit<OpenAI.Responses.ResponseCreateParamsNonStreaming, 'stream'>, stream: boolean): Promise<OpenAI.Responses.Response> =>
    stream ? openai.responses.stream(params).finalResponse() : openai.responses.create(params);

  describe.each(UPSTREAMS)('→ $provider', (upstream) => {
    it.each(STREAMED)('text (stream: %s)', async (stream) => {
      const logFrom = plano!.stderr().length;
      const response = await respond({ model: upstream.model, instructions: SYSTEM, input: 'Hi', max_output_tokens: 100 }, stream);
      expect(response.status).toBe('completed');
      expect(response.output_text).toBe(`Hello from ${upstream.provider}.`);
      expect(response.usage).toMatchObject({ input_tokens: MOCK_USAGE.input, output_tokens: MOCK_USAGE.output });
      expect(upstream.systemOf(received(upstream, stream))).toBe(SYSTEM);
      await loggedUsage(upstream, stream, logFrom);
    });

    it.each(STREAMED)('a tool call round trip (stream: %s)', async (stream) => {
      const ask: OpenAI.Responses.ResponseInputItem = { role: 'user', content: QUESTION };
      const first = await respond({ model: upstream.model, input: [ask], tools: responseTools }, stream);
      const call = first.output.find((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call');
      expect(call).toMatchObject({ name: 'get_weather' });
      expect(JSON.parse(call!.arguments)).toEqual(TOOL_INPUT);

      const second = await respond(
        { model: upstream.model, tools: responseTools, input: [ask, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: call!.call_id, output: TOOL_RESULT }] },
        stream,
      );
      expect(second.output_text).toBe(`The tool said: ${TOOL_RESULT}`);
      upstream.expectToolRoundTrip(received(upstream, stream));
    });
  });
});

type ClientApiName = 'chat' | 'messages' | 'responses';

/** Each client API's path, and a minimal request of it. */
const CLIENT_APIS: Record<ClientApiName, { path: string; request(model: string, prompt?: string): Json }> = {
  chat: { path: '/v1/chat/completions', request: (model, prompt = 'Hi') => ({ model, messages: [{ role: 'user', content: prompt }] }) },
  messages: { path: '/v1/messages', request: (model, prompt = 'Hi') => ({ model, max_tokens: 64, messages: [{ role: 'user', content: prompt }] }) },
  responses: { path: '/v1/responses', request: (model, prompt = 'Hi') => ({ model, input: prompt }) },
};

/** The seven pairs that translate. */
const TRANSLATED_PAIRS: { client: ClientApiName; upstream: Upstream }[] = [
  { client: 'chat', upstream: ANTHROPIC },
  { client: 'chat', upstream: BEDROCK },
  { client: 'messages', upstream: OPENAI_CHAT },
  { client: 'messages', upstream: BEDROCK },
  { client: 'responses', upstream: OPENAI_CHAT },
  { client: 'responses', upstream: ANTHROPIC },
  { client: 'responses', upstream: BEDROCK },
];

/** One request of the client's API through its official SDK. */
function ask(client: ClientApiName, model: string, prompt: string, stream: boolean): Promise<unknown> {
  const messages = [{ role: 'user' as const, content: prompt }];
  if (client === 'messages') {
    const params = { model, max_tokens: 100, messages };
    return stream ? anthropic.messages.stream(params).finalMessage() : anthropic.messages.create(params);
  }
  if (client === 'chat') {
    return stream ? openai.chat.completions.stream({ model, messages }).finalChatCompletion() : openai.chat.completions.create({ model, messages });
  }
  return stream ? openai.responses.stream({ model, input: prompt }).finalResponse() : openai.responses.create({ model, input: prompt });
}

describe('upstream errors reach the client in its own shape, status kept', () => {
  const cases = TRANSLATED_PAIRS.flatMap((pair) => ERROR_STATUSES.flatMap((status) => STREAMED.map((stream) => ({ ...pair, status, stream }))));

  it.each(cases)('$client → $upstream.provider: HTTP $status (stream: $stream)', async ({ client, upstream, status, stream }) => {
    const message = mockErrorMessage(upstream.provider, status);
    const error = await ask(client, upstream.model, `Please fail with ${status}.`, stream).catch((e: unknown) => e);
    if (client === 'messages') {
      expect(error).toBeInstanceOf(Anthropic.APIError);
      expect(error).toMatchObject({ status, error: { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'invalid_request_error', message } } });
    } else {
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({ status, error: { message, type: status === 429 ? 'rate_limit_error' : 'invalid_request_error' } });
    }
    expect((error as Error).message).toContain(message);
  });

  it.each(['chat', 'messages', 'responses'] as const)('%s → an unreachable Bedrock: 502 naming the upstream', async (client) => {
    const error = await ask(client, UNREACHABLE_MODEL, 'Hi', false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(client === 'messages' ? Anthropic.APIError : OpenAI.APIError);
    expect(error).toMatchObject({
      status: 502,
      error: client === 'messages' ? { type: 'error', error: { type: 'api_error' } } : { type: 'api_error', code: 'upstream_unreachable' },
    });
    expect((error as Error).message).toMatch(/could not reach http:\/\/127\.0\.0\.1:\d+: connection refused/);
  });

  it.each(TRANSLATED_PAIRS)('$client → $upstream.provider: an error inside the stream ends it with that error', async ({ client, upstream }) => {
    const error = await ask(client, upstream.model, 'Now break the stream.', true).catch((e: unknown) => e);
    const message = mockErrorMessage(upstream.provider, 'mid-stream');
    if (client === 'responses') {
      // The openai SDK rejects with the Responses API's own `error` event as it arrived.
      expect(error).toMatchObject({ type: 'error', message });
    } else {
      expect(error).toBeInstanceOf(client === 'messages' ? Anthropic.APIError : OpenAI.APIError);
      expect((error as Error).message).toContain(message);
    }
  });
});

describe('a client that leaves a translated stream', () => {
  it.each(TRANSLATED_PAIRS)('$client → $upstream.provider: abandons the upstream request', async ({ client, upstream }) => {
    const logFrom = plano!.stderr().length;
    const requests = mocks[upstream.provider]!.requests;
    const before = requests.length;
    const controller = new AbortController();
    const { path, request } = CLIENT_APIS[client];
    const res = await fetch(`${plano!.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...request(upstream.model, 'Please keep streaming.'), stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value).length).toBeGreaterThan(0);
    expect(requests.length).toBe(before + 1);
    controller.abort();
    await requests[before]!.abandoned;
    await loggedLine(upstream, true, 499, '', logFrom);
  });
});

describe('every client API reaches every configured model', () => {
  const post = (path: string, body: Json) =>
    fetch(`${plano!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` }, body: JSON.stringify(body) });

  it('answers 200, as JSON or as an SSE stream, for each client API × model', async () => {
    const models = ((await (await fetch(`${plano!.url}/v1/models`)).json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(models.sort()).toEqual([...UPSTREAMS.map((u) => u.model), UNREACHABLE_MODEL].sort());
    for (const { model, provider } of UPSTREAMS) {
      for (const [client, { path, request }] of Object.entries(CLIENT_APIS)) {
        const plain = await post(path, request(model));
        expect({ path, model, status: plain.status }).toEqual({ path, model, status: 200 });
        expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
        expect(JSON.stringify(await plain.json())).toContain(`Hello from ${provider}.`);

        const streamed = await post(path, { ...request(model), stream: true });
        expect({ path, model, status: streamed.status }).toEqual({ path, model, status: 200 });
        expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const text = await streamed.text();
        if (client === 'chat') expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
        if (client === 'messages') expect(text).toContain('event: message_stop');
        if (client === 'responses') expect(text).toContain('event: response.completed');
      }
    }
    expect(plano!.stderr()).not.toMatch(/ 501 /);
  });
});
