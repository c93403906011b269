import { describe, expect, it } from 'vitest';
import { chatToAnthropicStream } from '../../src/translate/chat-stream-to-anthropic.js';
import { chatToMessagesResponse, isOpenAiReasoningModel, messagesToChatRequest } from '../../src/translate/messages-to-chat.js';
import { TranslationError, type JsonObject, type TranslateContext } from '../../src/translate/types.js';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureText, requestCases, translationErrorOf, runInPieces, splitMismatches, ssePayloads, decodeSse } from './harness.js';

const ctx: TranslateContext = { upstreamModel: 'gpt-4o', clientModel: 'openai/gpt-4o', stream: false };


describe('Anthropic messages → chat request (fixtures/translate/messages-to-chat/requests)', () => {
  for (const [name, testCase] of requestCases('messages-to-chat/requests')) {
    it(`${name}: ${testCase.description}`, () => {
      expect(messagesToChatRequest(testCase.client, testCase.context)).toEqual(testCase.upstream);
    });
  }
});

describe('Anthropic messages → chat request: edge cases', () => {
  const user = [{ role: 'user', content: 'hi' }];

  it('recognises OpenAI reasoning models by family, with or without a router prefix', () => {
    for (const model of ['o1', 'o3-mini', 'o4-mini-2025-04-16', 'gpt-5', 'gpt-5-nano', 'openai/o3']) expect(isOpenAiReasoningModel(model), model).toBe(true);
    for (const model of ['gpt-4o', 'gpt-4.1-mini', 'llama3.2', 'omni-moderation', 'o', 'gpt-50x']) expect(isOpenAiReasoningModel(model), model).toBe(false);
  });

  it('maps tool_choice auto and none, and leaves parallel_tool_calls alone unless disabled', () => {
    const tools = [{ name: 't', input_schema: { type: 'object' } }];
    expect(messagesToChatRequest({ messages: user, tools, tool_choice: { type: 'auto' } }, ctx)).toMatchObject({ tool_choice: 'auto' });
    expect(messagesToChatRequest({ messages: user, tools, tool_choice: { type: 'none' } }, ctx)).toMatchObject({ tool_choice: 'none' });
    expect(messagesToChatRequest({ messages: user, tools }, ctx)).not.toHaveProperty('parallel_tool_calls');
  });

  it('sends no tools and no tool_choice when only server tools were given', () => {
    const out = messagesToChatRequest({ messages: user, tools: [{ type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'auto' } }, ctx);
    expect(out).not.toHaveProperty('tools');
    expect(out).not.toHaveProperty('tool_choice');
  });

  it('does not ask for stream usage on a request that does not stream', () => {
    expect(messagesToChatRequest({ messages: user, max_tokens: 10 }, ctx)).not.toHaveProperty('stream_options');
  });

  it('a system message inside messages (Claude Code, for model names it does not know) stays a system message, in place', () => {
    const out = messagesToChatRequest(
      {
        system: [{ type: 'text', text: 'You are Claude Code.' }],
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'system', content: [{ type: 'text', text: 'Reminder: be brief.', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'Use tools.' }] },
          { role: 'assistant', content: 'ok' },
          { role: 'system', content: '' },
        ],
        max_tokens: 100,
      },
      ctx,
    );
    expect(out['messages']).toEqual([
      { role: 'system', content: 'You are Claude Code.' },
      { role: 'user', content: 'hi' },
      { role: 'system', content: 'Reminder: be brief.\n\nUse tools.' },
      { role: 'assistant', content: 'ok' },
    ]);
  });

  const refusals: [string, JsonObject, string][] = [
    ['a role Anthropic does not have', { messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role'],
    ['a system message whose content is not text', { messages: [{ role: 'system', content: [{ type: 'image' }] }] }, 'messages[0].content[0]'],
    ['messages that are not an array', { messages: {} }, 'messages'],
    ['an image given by Anthropic file id', { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] }] }, 'messages[0].content[0].source'],
    ['a URL document', { messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'url', url: 'https://x/y.pdf' } }] }] }, 'messages[0].content[0].source'],
    ['an unknown block type', { messages: [{ role: 'user', content: [{ type: 'container_upload', file_id: 'f' }] }] }, 'messages[0].content[0]'],
    ['a tool_result without tool_use_id', { messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] }, 'messages[0].content[0].tool_use_id'],
    ['a custom tool without input_schema', { messages: user, tools: [{ name: 'x' }] }, 'tools[0]'],
    ['an unknown tool_choice', { messages: user, tools: [{ name: 't', input_schema: { type: 'object' } }], tool_choice: { type: 'sometimes' } }, 'tool_choice'],
    ['a system prompt that is not text', { system: [{ type: 'image' }], messages: user }, 'system[0]'],
  ];
  for (const [what, body, param] of refusals) {
    it(`refuses ${what} with a TranslationError naming ${param}`, () => {
      const error = translationErrorOf(() => messagesToChatRequest(body, ctx));
      expect(error).toBeInstanceOf(TranslationError);
      expect(error?.param).toBe(param);
    });
  }
});

describe('chat → Anthropic messages response', () => {
  it('text: length → max_tokens; cached prompt tokens become cache_read_input_tokens', () => {
    expect(chatToMessagesResponse(fixtureJson('openai-chat/completion-text.json'), ctx)).toEqual({
      id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4.1-2025-04-14',
      content: [{ type: 'text', text: 'Hello! How can I assist you today?' }],
      stop_reason: 'max_tokens',
      stop_sequence: null,
      usage: { input_tokens: 111, output_tokens: 10, cache_read_input_tokens: 1408, cache_creation_input_tokens: null },
    });
  });

  it('tool calls → tool_use blocks; arguments cut off mid-JSON are kept rather than lost', () => {
    const out = chatToMessagesResponse(fixtureJson('openai-chat/completion-tool-calls.json'), ctx);
    expect(out['content']).toEqual([
      { type: 'tool_use', id: 'call_abc123', name: 'get_current_weather', input: { location: 'Boston, MA' } },
      { type: 'tool_use', id: 'call_def456', name: 'get_current_weather', input: { _unparsed_arguments: '{"location": "Bost' } },
    ]);
    expect(out['stop_reason']).toBe('tool_use');
    expect(out['usage']).toEqual({ input_tokens: 82, output_tokens: 17, cache_read_input_tokens: 0, cache_creation_input_tokens: null });
  });

  it('reasoning_content → a thinking block before the text', () => {
    const out = chatToMessagesResponse(fixtureJson('openai-chat/completion-reasoning.json'), ctx);
    expect(out['content']).toEqual([
      { type: 'thinking', thinking: '9.11 has fewer tenths than 9.8.', signature: '' },
      { type: 'text', text: '9.8 is greater.' },
    ]);
    expect(out['stop_reason']).toBe('end_turn');
  });

  it('a refusal → its text, stop_reason refusal', () => {
    const out = chatToMessagesResponse(fixtureJson('openai-chat/completion-refusal.json'), ctx);
    expect(out['content']).toEqual([{ type: 'text', text: "I'm sorry, I cannot assist with that request." }]);
    expect(out['stop_reason']).toBe('refusal');
  });

  it('tool calls with finish_reason stop (Ollama) still say tool_use; content_filter → refusal', () => {
    const call = { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } };
    const stopWithTools = chatToMessagesResponse({ choices: [{ message: { role: 'assistant', content: '', tool_calls: [call] }, finish_reason: 'stop' }] }, ctx);
    expect(stopWithTools['stop_reason']).toBe('tool_use');
    const filtered = chatToMessagesResponse({ choices: [{ message: { role: 'assistant', content: '' }, finish_reason: 'content_filter' }] }, ctx);
    expect(filtered['stop_reason']).toBe('refusal');
  });
});

describe('chat → Anthropic messages stream', () => {
  const streamCtx: TranslateContext = { ...ctx, stream: true };
  const streams = fixtureNames('openai-chat', '.sse').map((name) => name.slice(0, -'.sse'.length));

  for (const name of streams) {
    it(`${name}: matches the reviewed output (fixtures/translate/messages-to-chat/${name}.messages.sse)`, () => {
      const out = runInPieces(chatToAnthropicStream(streamCtx), fixtureBytes(`openai-chat/${name}.sse`));
      expect(out).toBe(fixtureText(`messages-to-chat/${name}.messages.sse`));
    });

    it(`${name}: gives the same output however the upstream bytes are cut`, () => {
      expect(splitMismatches(() => chatToAnthropicStream(streamCtx), fixtureBytes(`openai-chat/${name}.sse`))).toEqual([]);
    });

    it(`${name}: follows Anthropic's envelope (event names match types; blocks start, delta and stop in order)`, () => {
      const events = decodeSse(runInPieces(chatToAnthropicStream(streamCtx), fixtureBytes(`openai-chat/${name}.sse`)));
      const payloads = events.map((e) => JSON.parse(e.data) as JsonObject);
      events.forEach((e, i) => expect(e.event).toBe(payloads[i]?.['type']));
      expect(payloads[0]?.['type']).toBe('message_start');
      let open: number | undefined;
      let next = 0;
      for (const p of payloads) {
        if (p['type'] === 'content_block_start') {
          expect(open).toBeUndefined();
          expect(p['index']).toBe(next++);
          open = p['index'] as number;
        } else if (p['type'] === 'content_block_delta') expect(p['index']).toBe(open);
        else if (p['type'] === 'content_block_stop') {
          expect(p['index']).toBe(open);
          open = undefined;
        } else if (p['type'] === 'message_delta' || p['type'] === 'message_stop') expect(open).toBeUndefined();
      }
      const last = payloads.at(-1)?.['type'];
      expect(['message_stop', 'error']).toContain(last);
    });
  }

  it('carries the usage of the final usage-only chunk into message_delta', () => {
    const payloads = ssePayloads(runInPieces(chatToAnthropicStream(streamCtx), fixtureBytes('openai-chat/stream-text.sse')));
    expect(payloads.find((p) => typeof p === 'object' && p['type'] === 'message_delta')).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 93, output_tokens: 15, cache_read_input_tokens: 1024 },
    });
  });

  it('reports the prompt tokens in message_start when the first chunk has usage (continuous usage stats), and again in message_delta', () => {
    const chunk = (delta: JsonObject, usage: JsonObject, finish: string | null = null): string =>
      `data: ${JSON.stringify({ id: 'x', choices: [{ index: 0, delta, finish_reason: finish }], usage })}\n\n`;
    const body =
      chunk({ role: 'assistant', content: 'Hi' }, { prompt_tokens: 41, completion_tokens: 1, total_tokens: 42 }) +
      chunk({}, { prompt_tokens: 41, completion_tokens: 2, total_tokens: 43 }, 'stop') +
      'data: [DONE]\n\n';
    const payloads = ssePayloads(runInPieces(chatToAnthropicStream(streamCtx), new TextEncoder().encode(body))) as JsonObject[];
    expect((payloads[0]!['message'] as JsonObject)['usage']).toEqual({ input_tokens: 41, output_tokens: 0 });
    expect(payloads.find((p) => p['type'] === 'message_delta')!['usage']).toMatchObject({ input_tokens: 41, output_tokens: 2 });
  });

  it('sends a fragment of an earlier, interleaved tool call to that call’s block', () => {
    const chunk = (toolCall: JsonObject): string => `data: ${JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { tool_calls: [toolCall] }, finish_reason: null }] })}\n\n`;
    const body =
      chunk({ index: 0, id: 'a', function: { name: 'f', arguments: '{"x":' } }) +
      chunk({ index: 1, id: 'b', function: { name: 'g', arguments: '{}' } }) +
      chunk({ index: 0, function: { arguments: '1}' } }) +
      `data: ${JSON.stringify({ id: 'x', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })}\n\ndata: [DONE]\n\n`;
    const payloads = ssePayloads(runInPieces(chatToAnthropicStream(streamCtx), new TextEncoder().encode(body))) as JsonObject[];
    const deltas = payloads.filter((p) => p['type'] === 'content_block_delta').map((p) => [p['index'], (p['delta'] as JsonObject)['partial_json']]);
    expect(deltas).toEqual([
      [0, '{"x":'],
      [1, '{}'],
      [0, '1}'],
    ]);
  });

  it('reports usage for the access log', () => {
    const transducer = chatToAnthropicStream(streamCtx);
    runInPieces(transducer, fixtureBytes('openai-chat/stream-tool-calls.sse'));
    expect(transducer.usage()).toEqual({ input_tokens: 82, output_tokens: 49 });
  });
});

describe('tool calls round-trip through an Anthropic client', () => {
  it('an OpenAI tool-call answer, read by an Anthropic client and sent back with results, reaches the upstream as the same calls', () => {
    const answer = fixtureJson('openai-chat/completion-tool-calls.json');
    const original = ((answer['choices'] as JsonObject[])[0]?.['message'] as JsonObject)['tool_calls'] as { id: string; function: { name: string; arguments: string } }[];
    const message = chatToMessagesResponse(answer, ctx);
    const next = messagesToChatRequest(
      {
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'Weather in Boston?' },
          { role: 'assistant', content: message['content'] },
          { role: 'user', content: original.map((call) => ({ type: 'tool_result', tool_use_id: call.id, content: 'cloudy' })) },
        ],
      },
      ctx,
    );
    const [, assistant, ...tools] = next['messages'] as JsonObject[];
    const calls = assistant?.['tool_calls'] as { id: string; function: { name: string; arguments: string } }[];
    expect(calls.map((c) => [c.id, c.function.name])).toEqual(original.map((c) => [c.id, c.function.name]));
    // Valid JSON comes back as the same value; arguments that were cut off come back byte for byte.
    expect(JSON.parse(calls[0]?.function.arguments ?? '')).toEqual(JSON.parse(original[0]?.function.arguments ?? ''));
    expect(calls[1]?.function.arguments).toBe(original[1]?.function.arguments);
    expect(tools).toEqual(original.map((call) => ({ role: 'tool', tool_call_id: call.id, content: 'cloudy' })));
  });
});

describe('an output cap over what the model can write (Claude Code asks every model for 32,000)', () => {
  it('is clamped to the known limit, and said in a note; a model whose limit is not known gets what was asked', () => {
    const notes: string[] = [];
    const out = messagesToChatRequest({ max_tokens: 32_000, messages: [{ role: 'user', content: 'hi' }] }, { ...ctx, notes });
    expect(out['max_tokens']).toBe(16_384);
    expect(notes).toEqual(['max_tokens 32000 is more than gpt-4o can write: sent 16384']);
    const unknown = messagesToChatRequest({ max_tokens: 32_000, messages: [{ role: 'user', content: 'hi' }] }, { ...ctx, upstreamModel: 'llama3.1' });
    expect(unknown['max_tokens']).toBe(32_000);
    expect(messagesToChatRequest({ max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] }, ctx)['max_tokens']).toBe(1000);
  });
});

describe('Claude Code 2.1.197 (fixtures/translate/messages-to-chat/claude-code-2.1.197-request.json, recorded)', () => {
  const recorded = fixtureJson<{ request: JsonObject }>('messages-to-chat/claude-code-2.1.197-request.json').request;

  it('translates for gpt-4o: its system message kept in place after the user turn, the cap clamped, its tools carried, its Anthropic-only options dropped', () => {
    const notes: string[] = [];
    const out = messagesToChatRequest(recorded, { ...ctx, stream: true, notes });
    const messages = out['messages'] as JsonObject[];
    expect(messages.map((m) => m['role'])).toEqual(['system', 'user', 'system']);
    expect(messages[2]!['content']).toBe((recorded['messages'] as JsonObject[])[1]!['content']);
    expect(out['max_tokens']).toBe(16_384);
    expect(notes).toEqual(['max_tokens 32000 is more than gpt-4o can write: sent 16384']);
    expect((out['tools'] as { function: { name: string } }[]).map((t) => t.function.name)).toEqual((recorded['tools'] as { name: string }[]).map((t) => t.name));
    for (const dropped of ['thinking', 'context_management', 'output_config', 'system']) expect(out[dropped]).toBeUndefined();
  });
});
