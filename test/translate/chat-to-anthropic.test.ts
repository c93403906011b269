import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { anthropicToChatStream } from '../../src/translate/anthropic-stream-to-chat.js';
import { chatToMessagesRequest, DEFAULT_ANTHROPIC_MAX_TOKENS, messagesToChatResponse } from '../../src/translate/chat-to-anthropic.js';
import { TranslationError, type JsonObject, type TranslateContext } from '../../src/translate/types.js';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureText, requestCases, translationErrorOf, runInPieces, splitMismatches, ssePayloads } from './harness.js';

const ctx: TranslateContext = { upstreamModel: 'claude-sonnet-4-5-20250929', clientModel: 'anthropic/claude-sonnet-4-5', stream: false };
const NOW = Date.UTC(2025, 5, 1);


describe('chat → Anthropic request (fixtures/translate/chat-to-anthropic/requests)', () => {
  for (const [name, testCase] of requestCases('chat-to-anthropic/requests')) {
    it(`${name}: ${testCase.description}`, () => {
      expect(chatToMessagesRequest(testCase.client, testCase.context)).toEqual(testCase.upstream);
    });
  }
});

describe('chat → Anthropic request: edge cases', () => {
  const user = [{ role: 'user', content: 'hi' }];

  it('uses the documented default when the client gives no max_tokens', () => {
    expect(chatToMessagesRequest({ messages: user }, ctx)['max_tokens']).toBe(DEFAULT_ANTHROPIC_MAX_TOKENS);
    expect(DEFAULT_ANTHROPIC_MAX_TOKENS).toBe(4096);
  });

  it('keeps temperatures within 0–1 unchanged', () => {
    expect(chatToMessagesRequest({ messages: user, temperature: 0.7 }, ctx)['temperature']).toBe(0.7);
    expect(chatToMessagesRequest({ messages: user, temperature: 0 }, ctx)['temperature']).toBe(0);
  });

  it('drops tool_choice and parallel_tool_calls when there are no tools', () => {
    const out = chatToMessagesRequest({ messages: user, tool_choice: 'required', parallel_tool_calls: false }, ctx);
    expect(out).not.toHaveProperty('tool_choice');
    expect(out).not.toHaveProperty('tools');
  });

  const tools = [{ type: 'function', function: { name: 'a' } }, { type: 'function', function: { name: 'b' } }];

  it('puts disable_parallel_tool_use on an implicit auto choice, and never on none', () => {
    expect(chatToMessagesRequest({ messages: user, tools, parallel_tool_calls: false }, ctx)['tool_choice']).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(chatToMessagesRequest({ messages: user, tools, tool_choice: 'none', parallel_tool_calls: false }, ctx)['tool_choice']).toEqual({ type: 'none' });
    expect(chatToMessagesRequest({ messages: user, tools, tool_choice: 'auto' }, ctx)['tool_choice']).toEqual({ type: 'auto' });
  });

  it('narrows the tool list for allowed_tools', () => {
    const out = chatToMessagesRequest(
      { messages: user, tools, tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'b' } }] } } },
      ctx,
    );
    expect(out['tools']).toEqual([{ name: 'b', input_schema: { type: 'object', properties: {} } }]);
    expect(out['tool_choice']).toEqual({ type: 'any' });
  });

  it('sends stream:true only for streamed requests', () => {
    expect(chatToMessagesRequest({ messages: user }, { ...ctx, stream: true })['stream']).toBe(true);
    expect(chatToMessagesRequest({ messages: user, stream: false }, ctx)).not.toHaveProperty('stream');
  });

  it('drops response_format json_object (the prompt must already ask for JSON) and text', () => {
    expect(chatToMessagesRequest({ messages: user, response_format: { type: 'json_object' } }, ctx)).not.toHaveProperty('response_format');
    expect(chatToMessagesRequest({ messages: user, response_format: { type: 'text' } }, ctx)).not.toHaveProperty('response_format');
  });

  it('passes Anthropic-only extras a client may send (thinking, top_k)', () => {
    const out = chatToMessagesRequest({ messages: user, thinking: { type: 'enabled', budget_tokens: 2000 }, top_k: 5 }, ctx);
    expect(out['thinking']).toEqual({ type: 'enabled', budget_tokens: 2000 });
    expect(out['top_k']).toBe(5);
  });

  const refusals: [string, JsonObject, string][] = [
    ['n > 1', { messages: user, n: 2 }, 'n'],
    ['logprobs', { messages: user, logprobs: true }, 'logprobs'],
    ['a json_schema response_format', { messages: user, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }, 'response_format'],
    ['audio output', { messages: user, modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } }, 'modalities'],
    ['legacy functions', { messages: user, functions: [{ name: 'f' }] }, 'functions'],
    ['a role:function message', { messages: [...user, { role: 'function', name: 'f', content: 'x' }] }, 'messages[1].role'],
    ['an unknown role', { messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
    ['messages that are not an array', { messages: 'hi' }, 'messages'],
    ['audio input', { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }] }] }, 'messages[0].content[0]'],
    ['an image that is neither http(s) nor data:', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] }, 'messages[0].content[0].image_url.url'],
    ['a file given by id', { messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }] }, 'messages[0].content[0].file'],
    [
      'tool-call arguments that are not a JSON object',
      { messages: [...user, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":' } }] }] },
      'messages[1].tool_calls[0].function.arguments',
    ],
    ['a tool message without tool_call_id', { messages: [...user, { role: 'tool', content: 'x' }] }, 'messages[1].tool_call_id'],
    ['a custom tool', { messages: user, tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0]'],
    ['an unknown tool_choice', { messages: user, tools, tool_choice: 'sometimes' }, 'tool_choice'],
  ];
  for (const [what, body, param] of refusals) {
    it(`refuses ${what} with a TranslationError naming ${param}`, () => {
      const error = translationErrorOf(() => chatToMessagesRequest(body, ctx));
      expect(error).toBeInstanceOf(TranslationError);
      expect(error?.param).toBe(param);
    });
  }
});

describe('Anthropic → chat response', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('text: stop_sequence → stop, cache tokens counted into prompt_tokens and cached_tokens', () => {
    expect(messagesToChatResponse(fixtureJson('anthropic/message-text.json'), ctx)).toEqual({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      object: 'chat.completion',
      created: NOW / 1000,
      model: 'claude-sonnet-4-5-20250929',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi! My name is Claude.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3995, completion_tokens: 503, total_tokens: 4498, prompt_tokens_details: { cached_tokens: 1800 } },
    });
  });

  it('tool_use blocks → tool_calls with JSON arguments, tool_use → tool_calls', () => {
    const out = messagesToChatResponse(fixtureJson('anthropic/message-tool-use.json'), ctx);
    expect(out['choices']).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: "I'll check the current weather in San Francisco for you.",
          refusal: null,
          tool_calls: [
            { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } },
            { id: 'toolu_01B19r01rx01mr028946mr0', type: 'function', function: { name: 'get_time', arguments: '{"timezone":"America/Los_Angeles"}' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
    expect(out['usage']).toEqual({ prompt_tokens: 384, completion_tokens: 112, total_tokens: 496, prompt_tokens_details: { cached_tokens: 0 } });
  });

  it('thinking → reasoning_content, redacted thinking dropped, max_tokens → length', () => {
    const out = messagesToChatResponse(fixtureJson('anthropic/message-thinking.json'), ctx);
    expect(out['choices']).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: '27 × 453 = 12,231', refusal: null, reasoning_content: '27 * 453 = 27 * 400 + 27 * 53 = 10800 + 1431 = 12231' },
        logprobs: null,
        finish_reason: 'length',
      },
    ]);
  });

  it('maps every documented stop_reason', () => {
    const reasons: Record<string, string> = { end_turn: 'stop', stop_sequence: 'stop', pause_turn: 'stop', max_tokens: 'length', tool_use: 'tool_calls', refusal: 'content_filter', model_context_window_exceeded: 'length' };
    for (const [stop, finish] of Object.entries(reasons)) {
      const out = messagesToChatResponse({ content: [], stop_reason: stop, usage: {} }, ctx);
      expect((out['choices'] as JsonObject[])[0]?.['finish_reason'], stop).toBe(finish);
    }
  });
});

describe('Anthropic → chat stream', () => {
  const streamCtx = (includeUsage: boolean): TranslateContext => ({
    ...ctx,
    stream: true,
    clientRequest: includeUsage ? { stream: true, stream_options: { include_usage: true } } : { stream: true },
  });
  const streams = fixtureNames('anthropic', '.sse').map((name) => name.slice(0, -'.sse'.length));

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  for (const name of streams) {
    it(`${name}: matches the reviewed output (fixtures/translate/chat-to-anthropic/${name}.chat.sse)`, () => {
      const out = runInPieces(anthropicToChatStream(streamCtx(true)), fixtureBytes(`anthropic/${name}.sse`));
      expect(out).toBe(fixtureText(`chat-to-anthropic/${name}.chat.sse`));
    });

    it(`${name}: gives the same output however the upstream bytes are cut`, () => {
      expect(splitMismatches(() => anthropicToChatStream(streamCtx(true)), fixtureBytes(`anthropic/${name}.sse`))).toEqual([]);
    });
  }

  it('gives every chunk one id, the role first, and [DONE] last', () => {
    const payloads = ssePayloads(runInPieces(anthropicToChatStream(streamCtx(false)), fixtureBytes('anthropic/stream-tool-use.sse')));
    expect(payloads.at(-1)).toBe('[DONE]');
    const chunks = payloads.slice(0, -1) as JsonObject[];
    expect(new Set(chunks.map((c) => c['id']))).toEqual(new Set(['msg_014p7gG3wDgGV9EUtLvnow3U']));
    expect(chunks[0]).toMatchObject({ choices: [{ index: 0, delta: { role: 'assistant' } }] });
    const finishes = chunks.map((c) => (c['choices'] as JsonObject[])[0]?.['finish_reason']).filter((f) => f !== null);
    expect(finishes).toEqual(['tool_calls']);
  });

  it('sends no usage chunk and no usage fields unless the client asked with stream_options.include_usage', () => {
    const payloads = ssePayloads(runInPieces(anthropicToChatStream(streamCtx(false)), fixtureBytes('anthropic/stream-text.sse')));
    for (const payload of payloads.slice(0, -1)) {
      expect(payload).not.toHaveProperty('usage');
      expect((payload as JsonObject)['choices']).toHaveLength(1);
    }
  });

  it('reports usage for the access log, cache reads included in input', () => {
    const transducer = anthropicToChatStream(streamCtx(false));
    runInPieces(transducer, fixtureBytes('anthropic/stream-tool-use.sse'));
    expect(transducer.usage()).toEqual({ input_tokens: 472 + 1024, output_tokens: 89 });
  });

  it('finishes a stream that closes after message_delta without message_stop', () => {
    const text = fixtureText('anthropic/stream-text.sse');
    const cut = text.slice(0, text.indexOf('event: message_stop'));
    const payloads = ssePayloads(runInPieces(anthropicToChatStream(streamCtx(false)), new TextEncoder().encode(cut)));
    expect(payloads.at(-1)).toBe('[DONE]');
  });

  it('ends an empty upstream body with an error, not [DONE]', () => {
    expect(ssePayloads(runInPieces(anthropicToChatStream(streamCtx(false)), new Uint8Array()))).toEqual([
      { error: { message: 'the Anthropic upstream stream ended before the message was complete', type: 'api_error', param: null, code: null } },
    ]);
  });
});

describe('tool calls round-trip through a chat client', () => {
  it('an Anthropic tool_use answer, read by a chat client and sent back with results, reaches Anthropic as the same blocks', () => {
    const answer = fixtureJson('anthropic/message-tool-use.json');
    const message = (messagesToChatResponse(answer, ctx)['choices'] as JsonObject[])[0]?.['message'] as JsonObject;
    const calls = message['tool_calls'] as { id: string }[];
    const next = chatToMessagesRequest(
      {
        messages: [
          { role: 'user', content: 'Weather and time in San Francisco?' },
          message,
          ...calls.map((call, i) => ({ role: 'tool', tool_call_id: call.id, content: `result ${i}` })),
        ],
      },
      ctx,
    );
    expect(next['messages']).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather and time in San Francisco?' }] },
      { role: 'assistant', content: answer['content'] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: 'result 0' },
          { type: 'tool_result', tool_use_id: 'toolu_01B19r01rx01mr028946mr0', content: 'result 1' },
        ],
      },
    ]);
  });

  it('makes ids from other providers acceptable to Anthropic, the same way in tool_use and tool_result', () => {
    const next = chatToMessagesRequest(
      {
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', tool_calls: [{ id: 'functions.get_weather:0', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'functions.get_weather:0', content: 'sunny' },
        ],
      },
      ctx,
    );
    const [, assistant, results] = next['messages'] as { content: JsonObject[] }[];
    expect(assistant?.content[0]?.['id']).toBe('functions_get_weather_0');
    expect(results?.content[0]?.['tool_use_id']).toBe('functions_get_weather_0');
  });
});

describe('a request of any size the body limit allows (issue 12)', () => {
  it('a message of 300,000 parts, and two such user messages joined into one turn: translated, not a stack overflow', () => {
    const parts = Array.from({ length: 300_000 }, (_, i) => ({ type: 'text', text: `p${i}` }));
    const out = chatToMessagesRequest({ messages: [{ role: 'system', content: parts }, { role: 'user', content: parts }, { role: 'user', content: parts }] }, ctx);
    expect((out['system'] as JsonObject[]).length).toBe(300_000);
    const turns = out['messages'] as { role: string; content: JsonObject[] }[];
    expect(turns).toHaveLength(1);
    expect(turns[0]!.content).toHaveLength(600_000);
    expect(turns[0]!.content[599_999]).toEqual({ type: 'text', text: 'p299999' });
  });
});
