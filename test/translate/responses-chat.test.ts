import { describe, expect, it } from 'vitest';
import { findTranslation } from '../../src/translate/index.js';
import type { JsonObject, TranslateContext } from '../../src/translate/types.js';
import { normalizeGenerated, normalizeGeneratedText } from './generated-values.js';
import { useReplayServer } from './sse-replay-server.js';
import { decodeSse, fixtureBytes, fixtureJson, fixtureNames, randomCuts, requestCases, runInPieces, seededRandom, translationErrorOf } from './harness.js';

const translation = findTranslation('responses', 'openai_chat')!;
const CLIENT_MODEL = 'groq/llama-3.3-70b';
const ctx = (stream: boolean, clientRequest?: JsonObject): TranslateContext => ({ upstreamModel: 'llama-3.3-70b-versatile', clientModel: CLIENT_MODEL, stream, clientRequest });

describe('Responses → chat request (fixtures/translate/responses/requests)', () => {
  for (const [name, testCase] of requestCases('responses/requests')) {
    it(`${name}: ${testCase.description}`, () => {
      expect(translation.request(testCase.client, testCase.context)).toEqual(testCase.upstream);
    });
  }
});

describe('Responses → chat request: what chat cannot carry is refused with a message', () => {
  const refused = (body: JsonObject) => {
    const error = translationErrorOf(() => translation.request({ model: CLIENT_MODEL, ...body }, ctx(false)));
    expect(error?.name).toBe('TranslationError');
    return error!;
  };

  it('previous_response_id: no stored state for a chat provider', () => {
    const error = refused({ input: 'and then?', previous_response_id: 'resp_123' });
    expect(error.param).toBe('previous_response_id');
    expect(error.message).toContain('previous_response_id is not supported for groq/llama-3.3-70b');
    expect(error.message).toContain('no native Responses API');
    expect(error.message).toContain('Send the whole conversation in "input"');
  });

  it('a tool of a kind nobody can carry, or a hosted tool that tool_choice forces: refused, naming it', () => {
    const error = refused({ input: 'x', tools: [{ type: 'function', name: 'f', parameters: {} }, { type: 'local_shell' }] });
    expect(error.param).toBe('tools[1]');
    expect(error.message).toContain('"local_shell" tools run inside OpenAI');
    expect(refused({ input: 'news?', tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search' } }).param).toBe('tool_choice');
  });

  it('an image given as a file_id', () => {
    const error = refused({ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-abc', detail: 'auto' }] }] });
    expect(error.param).toBe('input[0].content[0]');
    expect(error.message).toContain('file_id');
  });

  it('item references, hosted tool choices, background mode and unknown items', () => {
    expect(refused({ input: [{ type: 'item_reference', id: 'msg_1' }] }).param).toBe('input[0]');
    expect(refused({ input: 'x', tool_choice: { type: 'web_search_preview' } }).param).toBe('tool_choice');
    expect(refused({ input: 'x', background: true }).param).toBe('background');
    expect(refused({ input: [{ type: 'computer_call', call_id: 'c' }] }).message).toContain('"computer_call" item');
  });

  it('an OpenAI reasoning model behind a chat endpoint gets max_completion_tokens and no sampling settings', () => {
    const out = translation.request(
      { model: 'azure/o3-mini', input: 'hi', max_output_tokens: 500, temperature: 0.2, top_p: 0.5, reasoning: { effort: 'low' } },
      { upstreamModel: 'o3-mini', clientModel: 'azure/o3-mini', stream: false },
    );
    expect(out).toEqual({ model: 'o3-mini', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 500, reasoning_effort: 'low' });
  });

  it('drops reasoning items the client replays (chat cannot take them back)', () => {
    const out = translation.request(
      { model: CLIENT_MODEL, input: [{ type: 'reasoning', id: 'rs_1', summary: [] }, { role: 'user', content: 'hi' }] },
      ctx(false),
    );
    expect(out['messages']).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('a function_call with no assistant message before it becomes its own assistant message', () => {
    const out = translation.request(
      {
        model: CLIENT_MODEL,
        input: [
          { role: 'user', content: 'weather?' },
          { type: 'function_call', call_id: 'c1', name: 'w', arguments: '{}' },
          { type: 'function_call', call_id: 'c2', name: 'w', arguments: '{"x":1}' },
          { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: 'sunny' }] },
        ],
      },
      ctx(false),
    );
    expect(out['messages']).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } },
          { id: 'c2', type: 'function', function: { name: 'w', arguments: '{"x":1}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
    ]);
  });
});

interface AnswerCase {
  description: string;
  completion?: string;
  stream?: string;
  events?: string[];
  expected: JsonObject;
}

const ANSWERS = fixtureNames('responses/chat-answers', '.json').map((name) => ({ name, ...fixtureJson<AnswerCase>(`responses/chat-answers/${name}`) }));

describe('chat completion → Response object (fixtures/translate/responses/chat-answers)', () => {
  for (const answer of ANSWERS.filter((a) => a.completion !== undefined)) {
    it(`${answer.name}: ${answer.description}`, () => {
      const out = translation.response(fixtureJson(answer.completion!), ctx(false));
      expect(normalizeGenerated(out)).toMatchObject(answer.expected);
      // The model that answered, as the upstream names it (one rule for every route: types.ts).
      expect(out['model']).toBe(fixtureJson<JsonObject>(answer.completion!)['model']);
    });
  }
});

describe('chat stream → Responses events (fixtures/translate/responses/chat-answers)', () => {
  const streams = ANSWERS.filter((a) => a.stream !== undefined);
  const sdk = useReplayServer();

  for (const answer of streams) {
    const input = fixtureBytes(answer.stream!);
    const translate = (cuts: number[] = []): string => runInPieces(translation.stream(ctx(true, { model: CLIENT_MODEL, input: 'hi', stream: true })), input, cuts);

    it(`${answer.name}: ${answer.description}`, () => {
      const events = decodeSse(translate());
      const data = events.map((event) => JSON.parse(event.data) as JsonObject);
      expect(events.map((event) => event.event)).toEqual(answer.events);
      // Every event names its type in the data too, and sequence numbers count from 0 without gaps.
      expect(data.map((d) => d['type'])).toEqual(answer.events);
      expect(data.map((d) => d['sequence_number'])).toEqual(data.map((_, i) => i));
      expect(events.some((event) => event.data === '[DONE]')).toBe(false);
      const last = data.at(-1)!;
      expect(normalizeGenerated(last['response'])).toMatchObject(answer.expected);
    });

    it(`${answer.name}: the same events whatever the read boundaries`, () => {
      const whole = normalizeGeneratedText(translate());
      const random = seededRandom(input.length);
      const cutSets = [
        ...Array.from({ length: input.length - 1 }, (_, i) => [i + 1]),
        ...Array.from({ length: 30 }, () => randomCuts(random, input.length, 2 + Math.floor(random() * 40))),
      ];
      for (const cuts of cutSets) {
        const pieces = normalizeGeneratedText(translate(cuts));
        if (pieces !== whole) expect({ cuts, pieces }).toEqual({ cuts, pieces: whole });
      }
    });

    it(`${answer.name}: the openai SDK's stream parser assembles the final response (or raises the failure)`, async () => {
      sdk.respondWith(translate());
      const final = sdk.openai.responses.stream({ model: CLIENT_MODEL, input: 'hi' }).finalResponse();
      if (answer.expected['status'] === 'failed') {
        // The SDK raises the `error` event as an exception: a failed stream is never a quiet success.
        await expect(final).rejects.toThrow(String((answer.expected['error'] as JsonObject)['message']));
      } else {
        expect(normalizeGenerated(await final)).toMatchObject(answer.expected);
      }
    });
  }

  it('the stream and the JSON answer agree (text stream ≡ the same answer unstreamed)', async () => {
    const streamed = decodeSse(runInPieces(translation.stream(ctx(true)), fixtureBytes('openai-chat/stream-tool-calls.sse'))).at(-1)!;
    const response = JSON.parse(streamed.data).response as JsonObject;
    const completion = {
      id: 'chatcmpl-BQ9XXnVxKjCCfw1bZ6nYWgJ0dpxjb',
      object: 'chat.completion',
      created: 1745695141,
      model: 'gpt-4.1-2025-04-14',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: (response['output'] as JsonObject[]).map((item) => ({ id: item['call_id'], type: 'function', function: { name: item['name'], arguments: item['arguments'] } })),
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 82, completion_tokens: 49, total_tokens: 131, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
    };
    const unstreamed = translation.response(completion, ctx(false));
    expect(normalizeGenerated({ ...unstreamed, created_at: 0 })).toEqual(normalizeGenerated({ ...response, created_at: 0 }));
  });

  it('reports usage for the access log', () => {
    const stream = translation.stream(ctx(true));
    runInPieces(stream, fixtureBytes('openai-chat/stream-text.sse'));
    expect(stream.usage()).toEqual({ input_tokens: 1117, output_tokens: 15 });
  });
});

describe('work that grows with the request stays linear (issue 12)', () => {
  it('a turn of 100,000 function calls becomes one assistant message with all of them, in order', () => {
    // A size a quadratic translation (each call copying the calls before it) cannot finish.
    const calls = Array.from({ length: 100_000 }, (_, i) => ({ type: 'function_call', call_id: `call_${i}`, name: 'f', arguments: '{}' }));
    const out = translation.request({ model: CLIENT_MODEL, input: [{ role: 'user', content: 'go' }, ...calls] }, ctx(false));
    const messages = out['messages'] as JsonObject[];
    expect(messages).toHaveLength(2);
    const toolCalls = messages[1]!['tool_calls'] as JsonObject[];
    expect(toolCalls).toHaveLength(100_000);
    expect(toolCalls[99_999]).toMatchObject({ id: 'call_99999', type: 'function' });
  });
});

describe('Codex CLI 0.171 (fixtures/translate/responses/codex-0.171-request.json, recorded)', () => {
  const recorded = fixtureJson<{ request: JsonObject }>('responses/codex-0.171-request.json').request;

  it('translates: namespace tools flattened into function tools, the hosted web_search left out with a note', () => {
    const notes: string[] = [];
    const out = translation.request(recorded, { ...ctx(true, recorded), clientModel: 'claude-sonnet-4-5', notes });
    const names = (out['tools'] as { function: { name: string } }[]).map((t) => t.function.name);
    expect(names).toEqual([
      'exec_command', 'write_stdin', 'request_user_input', 'view_image',
      'close_agent', 'resume_agent', 'send_input', 'spawn_agent', 'wait_agent',
      'get_goal', 'create_goal', 'update_goal',
    ]);
    const spawn = (out['tools'] as { function: JsonObject }[]).find((t) => t.function['name'] === 'spawn_agent')!;
    expect(String(spawn.function['description'])).toMatch(/^Tools for spawning and managing sub-agents\.\n\n/);
    expect(spawn.function['parameters']).toMatchObject({ type: 'object' });
    expect(notes).toEqual(['left out the hosted "web_search" tool: it runs inside OpenAI\'s Responses API, which claude-sonnet-4-5 does not have']);
    // The Responses fields Codex sends are accepted: reasoning, include, store: false, prompt_cache_key, client_metadata.
    expect(out).toMatchObject({ stream: true, tool_choice: 'auto', parallel_tool_calls: recorded['parallel_tool_calls'] });
  });

  it('a call of a namespaced function comes back naming its namespace, as Codex routes it (JSON and stream)', () => {
    const call = { id: 'call_9', type: 'function', function: { name: 'close_agent', arguments: '{"target":"a1"}' } };
    const json = translation.response({ id: 'x', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }] }, ctx(false, recorded));
    expect((json['output'] as JsonObject[])[0]).toMatchObject({ type: 'function_call', name: 'close_agent', namespace: 'multi_agent_v1', call_id: 'call_9' });
    const body = `data: ${JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...call }] }, finish_reason: 'tool_calls' }] })}\n\ndata: [DONE]\n\n`;
    const events = decodeSse(runInPieces(translation.stream(ctx(true, recorded)), new TextEncoder().encode(body))).map((e) => JSON.parse(e.data) as JsonObject);
    expect(events.find((e) => e['type'] === 'response.output_item.added')!['item']).toMatchObject({ name: 'close_agent', namespace: 'multi_agent_v1' });
    expect(events.find((e) => e['type'] === 'response.output_item.done')!['item']).toMatchObject({ name: 'close_agent', namespace: 'multi_agent_v1', arguments: '{"target":"a1"}' });
    // An ordinary function has none.
    const plain = translation.response({ id: 'x', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ ...call, function: { name: 'exec_command', arguments: '{}' } }] }, finish_reason: 'tool_calls' }] }, ctx(false, recorded));
    expect((plain['output'] as JsonObject[])[0]).not.toHaveProperty('namespace');
  });

  it('through the composed translation to Anthropic too', () => {
    const toAnthropic = findTranslation('responses', 'anthropic_messages')!;
    const out = toAnthropic.request(recorded, { upstreamModel: 'claude-sonnet-4-5', clientModel: 'anthropic/claude-sonnet-4-5', stream: true, clientRequest: recorded });
    expect((out['tools'] as { name: string }[]).map((t) => t.name)).toContain('spawn_agent');
  });
});

describe('custom tools (free-form input, as Codex sends apply_patch for the model ids it knows)', () => {
  const applyPatch = {
    type: 'custom',
    name: 'apply_patch',
    description: 'Use the `apply_patch` tool to edit files.',
    format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' },
  };
  const request = { model: CLIENT_MODEL, input: 'fix it', tools: [applyPatch], tool_choice: { type: 'custom', name: 'apply_patch' } };
  const patch = '*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch';
  const chatCall = { id: 'call_1', type: 'function', function: { name: 'apply_patch', arguments: JSON.stringify({ input: patch }) } };

  it('go to chat as a function taking one string, the grammar in its description; tool_choice names it', () => {
    const out = translation.request(request, ctx(false, request));
    expect(out['tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'apply_patch',
          description: 'Use the `apply_patch` tool to edit files.',
          parameters: {
            type: 'object',
            properties: { input: { type: 'string', description: "The tool's whole input, as free-form text in this lark grammar:\nstart: begin_patch hunk+ end_patch" } },
            required: ['input'],
            additionalProperties: false,
          },
        },
      },
    ]);
    expect(out['tool_choice']).toEqual({ type: 'function', function: { name: 'apply_patch' } });
  });

  it('a call and its output sent back are an assistant tool call and a tool message', () => {
    const out = translation.request(
      { ...request, input: [{ type: 'custom_tool_call', call_id: 'call_1', name: 'apply_patch', input: patch }, { type: 'custom_tool_call_output', call_id: 'call_1', output: 'Done!' }] },
      ctx(false),
    );
    expect(out['messages']).toEqual([
      { role: 'assistant', content: null, tool_calls: [chatCall] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Done!' },
    ]);
  });

  it('the model’s call comes back as a custom_tool_call item with the text as input', () => {
    const out = translation.response(
      { id: 'x', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [chatCall] }, finish_reason: 'tool_calls' }] },
      ctx(false, request),
    );
    expect((normalizeGenerated(out) as JsonObject)['output']).toEqual([{ type: 'custom_tool_call', id: 'ctc_*', call_id: 'call_1', name: 'apply_patch', input: patch, status: 'completed' }]);
  });

  it('streamed: the input arrives whole in custom_tool_call_input events, the item is a custom_tool_call', () => {
    const args = JSON.stringify({ input: patch });
    const chunk = (delta: JsonObject, finish: string | null = null) => `data: ${JSON.stringify({ id: 'x', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const body =
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'apply_patch', arguments: args.slice(0, 10) } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(10) } }] }) +
      chunk({}, 'tool_calls') +
      'data: [DONE]\n\n';
    const events = decodeSse(runInPieces(translation.stream(ctx(true, request)), new TextEncoder().encode(body))).map((e) => JSON.parse(e.data) as JsonObject);
    const types = events.map((e) => e['type']);
    expect(types).not.toContain('response.function_call_arguments.delta');
    expect(events.find((e) => e['type'] === 'response.custom_tool_call_input.done')).toMatchObject({ input: patch });
    expect(events.find((e) => e['type'] === 'response.output_item.added')!['item']).toMatchObject({ type: 'custom_tool_call', input: '' });
    expect((normalizeGenerated(events.find((e) => e['type'] === 'response.completed')!['response']) as JsonObject)['output']).toEqual([
      { type: 'custom_tool_call', id: 'ctc_*', call_id: 'call_1', name: 'apply_patch', input: patch, status: 'completed' },
    ]);
  });
});
