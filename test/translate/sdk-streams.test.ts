/**
 * The official SDKs read what the translations write. A server on 127.0.0.1 plays "Plano with a
 * recorded upstream": it translates the client's request (as the gateway would), then answers with
 * the translation of a recorded upstream body (fixtures/translate/) fed in small pieces. The SDKs'
 * own stream assemblers then have to rebuild the expected answer — framing, indices, ids,
 * finish reasons and usage are all checked by code we did not write.
 */
import Anthropic from '@anthropic-ai/sdk';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTranslation } from '../../src/translate/index.js';
import type { JsonObject, Translation } from '../../src/translate/types.js';
import { translateUpstreamError } from '../../src/translate/upstream-errors.js';
import { fixtureBytes, fixtureJson } from './harness.js';

/** Upstream bytes reach the transducer in pieces this small, so events straddle reads. */
const READ_SIZE = 13;

async function readBody(req: IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonObject;
}

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const translation = (req.url === '/v1/messages' ? findTranslation('messages', 'openai_chat') : findTranslation('chat_completions', 'anthropic_messages')) as Translation;
  const fixture = req.headers['x-upstream-fixture'] as string;
  const ctx = { upstreamModel: 'upstream-model', clientModel: String(body['model']), stream: body['stream'] === true, clientRequest: body };
  translation.request(body, ctx);
  const status = Number(req.headers['x-upstream-status'] ?? 200);
  if (status >= 400) {
    const error = translateUpstreamError(translation.upstream, translation.client, status, fixtureBytes(fixture));
    res.writeHead(error.status, { 'content-type': 'application/json' }).end(JSON.stringify(error.body));
    return;
  }
  if (!ctx.stream) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(translation.response(fixtureJson(fixture), ctx)));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const transducer = translation.stream(ctx);
  const upstream = fixtureBytes(fixture);
  for (let at = 0; at < upstream.length; at += READ_SIZE) {
    const out = transducer.push(upstream.subarray(at, at + READ_SIZE));
    if (out !== '') res.write(out);
  }
  res.end(transducer.end());
}

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

function openai(fixture: string, status?: number): OpenAI {
  const headers: Record<string, string> = { 'x-upstream-fixture': fixture };
  if (status !== undefined) headers['x-upstream-status'] = String(status);
  return new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'test', maxRetries: 0, defaultHeaders: headers });
}

function anthropic(fixture: string, status?: number): Anthropic {
  const headers: Record<string, string> = { 'x-upstream-fixture': fixture };
  if (status !== undefined) headers['x-upstream-status'] = String(status);
  return new Anthropic({ baseURL: baseUrl, apiKey: 'test', maxRetries: 0, defaultHeaders: headers });
}

const chatTools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } },
];
const anthropicTools: Anthropic.Tool[] = [{ name: 'get_weather', input_schema: { type: 'object', properties: { location: { type: 'string' } } } }];

describe('the openai SDK reading a chat client’s answers from an Anthropic upstream', () => {
  const params = { model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user' as const, content: 'Weather?' }], tools: chatTools };

  it('assembles a streamed text answer, with the usage chunk it asked for', async () => {
    const stream = openai('anthropic/stream-text.sse').chat.completions.stream({ ...params, stream_options: { include_usage: true } });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]?.message.content).toBe('Bonjour ! Il fait 18 °C à Paris ☀️ — 日本語も');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0 } });
  });

  it('assembles streamed parallel tool calls', async () => {
    const completion = await openai('anthropic/stream-tool-use.sse').chat.completions.stream(params).finalChatCompletion();
    const message = completion.choices[0]?.message;
    expect(message?.content).toBe("I'll check the weather in both cities.");
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    const calls = (message?.tool_calls ?? []).map((call) => (call.type === 'function' ? [call.id, call.function.name, JSON.parse(call.function.arguments)] : []));
    expect(calls).toEqual([
      ['toolu_01T1x1fJ34qAmk2tNTrN7Up6', 'get_weather', { location: 'San Francisco, CA', unit: 'fahrenheit' }],
      ['toolu_01HqJ9sQ5vMZ8VXtWbQaKX3e', 'get_weather', { location: 'Zürich', unit: 'celsius' }],
    ]);
  });

  it('assembles a streamed answer cut by max_tokens after thinking', async () => {
    const completion = await openai('anthropic/stream-thinking.sse').chat.completions.stream(params).finalChatCompletion();
    expect(completion.choices[0]?.message.content).toBe('27 × 453 = 12,231');
    expect(completion.choices[0]?.finish_reason).toBe('length');
  });

  it('raises the mid-stream Anthropic error as an APIError', async () => {
    const stream = await openai('anthropic/stream-error.sse').chat.completions.create({ ...params, stream: true });
    const texts: string[] = [];
    const reading = (async () => {
      for await (const chunk of stream) texts.push(chunk.choices[0]?.delta.content ?? '');
    })();
    const error: unknown = await reading.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ error: { message: 'Overloaded', type: 'api_error', code: 'overloaded_error' } });
    expect(texts.join('')).toBe('Once upon a');
  });

  it('raises a cut-off stream as an error rather than a complete answer', async () => {
    const error: unknown = await openai('anthropic/stream-truncated.sse').chat.completions.stream(params).finalChatCompletion().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(String(error)).toMatch(/ended before the message was complete/);
  });

  it('reads a non-streamed answer with tool calls', async () => {
    const completion = await openai('anthropic/message-tool-use.json').chat.completions.create(params);
    expect(completion.choices[0]?.message.tool_calls?.map((call) => (call.type === 'function' ? call.function.name : ''))).toEqual(['get_weather', 'get_time']);
    expect(completion.usage?.total_tokens).toBe(496);
  });

  it('reads an Anthropic 529 as an APIError with status 529 and the upstream message', async () => {
    const error: unknown = await openai('anthropic/error-529-overloaded.json', 529).chat.completions.create(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status: 529, error: { message: 'Overloaded', type: 'api_error', code: 'overloaded_error' } });
  });
});

describe('the Anthropic SDK reading a messages client’s answers from an OpenAI-compatible upstream', () => {
  const params = { model: 'openai/gpt-4o', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Weather?' }], tools: anthropicTools };

  it('assembles a streamed text answer with the usage of the final chunk', async () => {
    const message = await anthropic('openai-chat/stream-text.sse').messages.stream(params).finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Bonjour ! Il fait 18 °C à Paris ☀️ — 日本語も' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 93, output_tokens: 15, cache_read_input_tokens: 1024 });
  });

  it('assembles streamed parallel tool calls into tool_use blocks with parsed input', async () => {
    const message = await anthropic('openai-chat/stream-tool-calls.sse').messages.stream(params).finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', name: 'get_weather', input: { location: 'Paris, France' } },
      { type: 'tool_use', id: 'call_Xk2u7G4ZLEN9vQ1H8cRt0aQe', name: 'get_weather', input: { location: 'Zürich, Switzerland' } },
    ]);
  });

  it('assembles reasoning into a thinking block before the text', async () => {
    const message = await anthropic('openai-chat/stream-reasoning.sse').messages.stream(params).finalMessage();
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect(message.content[0]).toMatchObject({ thinking: '9.11 has fewer tenths than 9.8.' });
  });

  it('assembles a whole-call tool chunk from a server that ends without [DONE]', async () => {
    const message = await anthropic('openai-chat/stream-ollama-tool-call.sse').messages.stream(params).finalMessage();
    expect(message.content).toEqual([{ type: 'tool_use', id: 'call_m2v0fhg2', name: 'get_weather', input: { city: 'Toronto' } }]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 162, output_tokens: 18 });
  });

  it('raises the mid-stream upstream error as an APIError', async () => {
    const error: unknown = await anthropic('openai-chat/stream-error.sse').messages.stream(params).finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ error: { type: 'error', error: { type: 'api_error', message: expect.stringContaining('The server had an error') } } });
  });

  it('raises a cut-off stream as an error rather than a complete answer', async () => {
    const error: unknown = await anthropic('openai-chat/stream-truncated.sse').messages.stream(params).finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(String(error)).toMatch(/no finish_reason/);
  });

  it('reads a non-streamed answer with tool calls', async () => {
    const message = await anthropic('openai-chat/completion-tool-calls.json').messages.create(params);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[0]).toEqual({ type: 'tool_use', id: 'call_abc123', name: 'get_current_weather', input: { location: 'Boston, MA' } });
  });

  it('reads an OpenAI 400 as a BadRequestError in Anthropic’s shape', async () => {
    const error: unknown = await anthropic('openai-chat/error-400-invalid-request.json', 400).messages.create(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('tool_call_id') } } });
  });
});
