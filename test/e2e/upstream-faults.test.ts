/**
 * Issue 12, "Upstream faults reach the client as errors in its own API shape": the built
 * `plano up` in front of a provider that compresses, resets, stops early, stalls, answers the
 * wrong shape or rate-limits (faulty-upstream.ts), driven by the official SDKs as users drive it.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamFixture } from '../server/gateway-harness.js';
import { RATE_LIMIT_HEADERS, startFaultyUpstream, type FaultyUpstream } from './faulty-upstream.js';
import { CONFIGURED_KEYS } from './gateway-on-mock.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

let upstream: FaultyUpstream | undefined;
let plano: PlanoUp | undefined;
let dir: string | undefined;

beforeAll(async () => {
  upstream = await startFaultyUpstream();
  dir = await mkdtemp(join(tmpdir(), 'plano-faults-'));
  // A short listener timeout: a stalled stream is given up on within the test's time.
  const config = upstreamFixture('gateway.yaml')
    .replaceAll('http://127.0.0.1:1', upstream.url)
    .replace('    port: 12000\n', '    port: 12000\n    timeout: 1s\n');
  await writeFile(join(dir, 'plano_config.yaml'), config);
  plano = await startPlanoUp([], CONFIGURED_KEYS, dir);
});

afterAll(async () => {
  plano?.kill();
  await plano?.exited;
  await upstream?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const GPT = 'gpt-4o';
const CLAUDE = 'claude-sonnet-4-20250514';
const hello = [{ role: 'user' as const, content: 'Hello' }];

const openai = (fault: string) => new OpenAI({ baseURL: `${plano!.url}/v1`, apiKey: 'sk-client', maxRetries: 0, defaultHeaders: { 'x-mock-fault': fault } });
const anthropic = (fault: string) => new Anthropic({ baseURL: plano!.url, apiKey: 'sk-client', maxRetries: 0, defaultHeaders: { 'x-mock-fault': fault } });

/** Iterates a stream to its end; the error it threw, or undefined, and what it yielded. */
async function drain<T>(stream: AsyncIterable<T>): Promise<{ error: unknown; items: T[] }> {
  const items: T[] = [];
  try {
    for await (const item of stream) items.push(item);
    return { error: undefined, items };
  } catch (error) {
    return { error, items };
  }
}

const chatText = (items: OpenAI.Chat.Completions.ChatCompletionChunk[]) => items.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('a compressed answer is decoded, and never labelled with an encoding it does not have', () => {
  it('same format, JSON and stream', async () => {
    const { data, response } = await openai('gzip').chat.completions.create({ model: GPT, messages: hello }).withResponse();
    expect(data.choices[0]!.message.content).toBeTruthy();
    expect(response.headers.get('content-encoding')).toBeNull();
    const streamed = await drain(await openai('gzip').chat.completions.create({ model: GPT, messages: hello, stream: true }));
    expect(streamed.error).toBeUndefined();
    expect(chatText(streamed.items).length).toBeGreaterThan(0);
  });

  it('across formats, JSON and stream', async () => {
    const { data, response } = await anthropic('gzip').messages.create({ model: GPT, max_tokens: 8, messages: hello }).withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text' });
    expect(response.headers.get('content-encoding')).toBeNull();
    const streamed = await anthropic('gzip').messages.stream({ model: GPT, max_tokens: 8, messages: hello }).finalMessage();
    expect(streamed.stop_reason).toBeTruthy();
    const chat = await openai('gzip').chat.completions.create({ model: CLAUDE, messages: hello });
    expect(chat.choices[0]!.message.content).toBeTruthy();
  });
});

describe('a stream that breaks off ends with an error event the SDK raises', () => {
  it.each([
    ['reset', 'connection reset'],
    ['stall', 'timed out'],
  ])('%s: OpenAI SDK, same format and translated from Anthropic', async (fault, says) => {
    for (const model of [GPT, CLAUDE]) {
      const { error, items } = await drain(await openai(fault).chat.completions.create({ model, messages: hello, stream: true }));
      expect(error, model).toBeInstanceOf(OpenAI.APIError);
      expect((error as Error).message).toContain(says);
      expect(items.length, model).toBeGreaterThan(0);
    }
  });

  it.each([
    ['reset', 'connection reset'],
    ['stall', 'timed out'],
  ])('%s: Anthropic SDK, same format and translated from chat', async (fault, says) => {
    for (const model of [CLAUDE, GPT]) {
      const { error } = await drain(await anthropic(fault).messages.create({ model, max_tokens: 8, messages: hello, stream: true }));
      expect(error, model).toBeInstanceOf(Anthropic.APIError);
      expect((error as Error).message).toContain(says);
    }
  });

  it('reset: a Responses client (same format, and translated twice to Anthropic) gets response.failed', async () => {
    for (const model of [GPT, CLAUDE]) {
      const { items } = await drain(await openai('reset').responses.create({ model, input: 'Hello', stream: true }));
      const last = items.at(-1)!;
      expect(last.type, model).toBe('response.failed');
      expect((last as OpenAI.Responses.ResponseFailedEvent).response.error?.message).toContain('connection reset');
    }
  });

  it('the access log says how the stream ended', async () => {
    await drain(await openai('reset').chat.completions.create({ model: GPT, messages: hello, stream: true }));
    await plano!.waitForStderr(/broke off: connection reset/);
  });
});

describe('a stream that ends early, without an error, is not passed off as complete', () => {
  it('OpenAI SDK, chat: the stream raises instead of ending with finish_reason null', async () => {
    const { error, items } = await drain(await openai('eof').chat.completions.create({ model: GPT, messages: hello, stream: true }));
    expect(items.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('ended before its final event');
  });

  it('Anthropic SDK, messages', async () => {
    const { error } = await drain(await anthropic('eof').messages.create({ model: CLAUDE, max_tokens: 8, messages: hello, stream: true }));
    expect(error).toBeInstanceOf(Anthropic.APIError);
  });

  it('OpenAI SDK, responses: response.failed', async () => {
    const { items } = await drain(await openai('eof').responses.create({ model: GPT, input: 'Hello', stream: true }));
    expect(items.at(-1)!.type).toBe('response.failed');
  });

  it('a complete stream gets nothing added', async () => {
    const { error, items } = await drain(await openai('none').chat.completions.create({ model: GPT, messages: hello, stream: true }));
    expect(error).toBeUndefined();
    expect(items.at(-1)!.choices[0]?.finish_reason ?? items.at(-2)!.choices[0]?.finish_reason).toBeTruthy();
    const anthropicDone = await drain(await anthropic('none').messages.create({ model: CLAUDE, max_tokens: 8, messages: hello, stream: true }));
    expect(anthropicDone.error).toBeUndefined();
    const responsesDone = await drain(await openai('none').responses.create({ model: GPT, input: 'Hello', stream: true }));
    expect(responsesDone.items.at(-1)!.type).toBe('response.completed');
  });
});

describe('a translated answer of the wrong shape is a 502, not an empty 200', () => {
  it('OpenAI SDK on an Anthropic model, Anthropic SDK on an OpenAI model', async () => {
    const chatError = await openai('wrong-shape').chat.completions.create({ model: CLAUDE, messages: hello }).catch((e: unknown) => e);
    expect(chatError).toBeInstanceOf(OpenAI.APIError);
    expect((chatError as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((chatError as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_invalid_response');
    expect((chatError as Error).message).toContain('a message without a `content` list');
    const messagesError = await anthropic('wrong-shape').messages.create({ model: GPT, max_tokens: 8, messages: hello }).catch((e: unknown) => e);
    expect(messagesError).toBeInstanceOf(Anthropic.APIError);
    expect((messagesError as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
    expect((messagesError as Error).message).toContain('a chat completion without `choices`');
  });
});

describe("a 429's back-off headers reach the client whatever format it speaks", () => {
  it.each([
    ['OpenAI SDK on an Anthropic model', () => openai('rate-limit').chat.completions.create({ model: CLAUDE, messages: hello })],
    ['Anthropic SDK on an OpenAI model', () => anthropic('rate-limit').messages.create({ model: GPT, max_tokens: 8, messages: hello })],
    ['OpenAI SDK, same format', () => openai('rate-limit').chat.completions.create({ model: GPT, messages: hello })],
  ])('%s', async (_who, call) => {
    const error = (await call().catch((e: unknown) => e)) as { status: number; headers: Headers };
    expect(error.status).toBe(429);
    for (const [name, value] of Object.entries(RATE_LIMIT_HEADERS)) expect(error.headers.get(name), name).toBe(value);
  });
});
