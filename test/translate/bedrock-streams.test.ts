import { describe, expect, it } from 'vitest';
import type { ClientApi } from '../../src/providers/types.js';
import type { JsonObject, StreamTransducer } from '../../src/translate/types.js';
import { bedrockEventStreamBody, encodeBedrockFrame, type BedrockStreamEventJson } from './bedrock-event-stream-body.js';
import { BEDROCK_CASES, BEDROCK_CLIENT_MODEL, bedrockContext, bedrockTranslation } from './bedrock-cases.js';
import { normalizeGenerated, normalizeGeneratedText } from './generated-values.js';
import { useReplayServer } from './sse-replay-server.js';
import { decodeSse, fixtureJson, fixtureNames, randomCuts, runInPieces, seededRandom } from './harness.js';

const CLIENTS: ClientApi[] = ['chat_completions', 'messages', 'responses'];
// What each client asked for: chat clients get the usage chunk only with include_usage.
const CLIENT_REQUEST: Record<ClientApi, JsonObject> = {
  chat_completions: { model: BEDROCK_CLIENT_MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
  messages: { model: BEDROCK_CLIENT_MODEL, max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }], stream: true },
  responses: { model: BEDROCK_CLIENT_MODEL, input: 'hi', stream: true },
};

function transducer(client: ClientApi): StreamTransducer {
  return bedrockTranslation(client).stream(bedrockContext(client, true, CLIENT_REQUEST[client]));
}

/** The translated stream as events with generated ids and timestamps replaced. */
function normalizedEvents(sse: string): unknown[] {
  return decodeSse(sse).map((message) => ({ event: message.event, data: normalizeGenerated(message.data === '[DONE]' ? '[DONE]' : JSON.parse(message.data)) }));
}

function translate(client: ClientApi, events: readonly BedrockStreamEventJson[], cuts: number[] = []): string {
  return runInPieces(transducer(client), bedrockEventStreamBody(events), cuts);
}

describe('ConverseStream bytes cut anywhere give the same client stream', () => {
  for (const testCase of BEDROCK_CASES) {
    const body = bedrockEventStreamBody(testCase.stream);
    for (const client of CLIENTS) {
      it(`${testCase.name} → ${client}: every single cut, and 30 seeded multi-cuts`, () => {
        const whole = normalizeGeneratedText(runInPieces(transducer(client), body));
        expect(decodeSse(whole).length).toBeGreaterThan(2);
        // Every offset for one client per case keeps the run short; the frame decoder is shared.
        const singleCuts = client === 'chat_completions' ? Array.from({ length: body.length - 1 }, (_, i) => [i + 1]) : [];
        const random = seededRandom(body.length);
        const multiCuts = Array.from({ length: 30 }, () => randomCuts(random, body.length, 2 + Math.floor(random() * 40)));
        for (const cuts of [...singleCuts, ...multiCuts, Array.from({ length: body.length - 1 }, (_, i) => i + 1)]) {
          const pieces = normalizeGeneratedText(runInPieces(transducer(client), body, cuts));
          if (pieces !== whole) expect({ cuts, pieces }).toEqual({ cuts, pieces: whole });
        }
      });
    }
  }
});

describe('the official SDKs assemble each translated stream into the non-streaming translation', () => {
  const sdk = useReplayServer();

  for (const testCase of BEDROCK_CASES) {
    it(`${testCase.name}: chat completions stream`, async () => {
      sdk.respondWith(translate('chat_completions', testCase.stream));
      const stream = sdk.openai.chat.completions.stream(CLIENT_REQUEST.chat_completions as never);
      const completion = normalizeGenerated(await stream.finalChatCompletion()) as JsonObject;
      // The SDK does not assemble `reasoning_content` (not an OpenAI field): compare it from the deltas.
      const expected = structuredClone(testCase.expected.chat_completions) as { choices: { message: JsonObject }[] };
      const reasoning = expected.choices[0]!.message['reasoning_content'];
      delete expected.choices[0]!.message['reasoning_content'];
      expect(completion).toMatchObject(expected);
      const deltas = decodeSse(translate('chat_completions', testCase.stream)).flatMap((m) => (m.data === '[DONE]' ? [] : [JSON.parse(m.data).choices?.[0]?.delta?.reasoning_content ?? '']));
      expect(deltas.join('')).toBe(reasoning ?? '');
    });

    it(`${testCase.name}: Anthropic messages stream`, async () => {
      sdk.respondWith(translate('messages', testCase.stream));
      const message = await sdk.anthropic.messages.stream(CLIENT_REQUEST.messages as never).finalMessage();
      expect(normalizeGenerated(message)).toMatchObject(testCase.expected.messages);
    });

    it(`${testCase.name}: Responses stream`, async () => {
      sdk.respondWith(translate('responses', testCase.stream));
      const response = await sdk.openai.responses.stream(CLIENT_REQUEST.responses as never).finalResponse();
      expect(normalizeGenerated(response)).toMatchObject(testCase.expected.responses);
    });
  }
});

describe('stream wire format', () => {
  const toolUse = BEDROCK_CASES.find((c) => c.name === 'tool-use.json')!;

  it('chat: role first, tool-call indices count calls from 0, finish reason, usage chunk, [DONE]', () => {
    const payloads = decodeSse(translate('chat_completions', toolUse.stream)).map((m) => (m.data === '[DONE]' ? m.data : JSON.parse(m.data)));
    expect(payloads[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const calls = payloads.flatMap((p) => (typeof p === 'string' ? [] : (p.choices[0]?.delta?.tool_calls ?? [])));
    expect(calls[0]).toEqual({ index: 0, id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'top_song', arguments: '' } });
    expect(calls.slice(1).map((c: JsonObject) => c['index'])).toEqual([0, 0]);
    const last = payloads.slice(-3);
    expect(last[0].choices[0].finish_reason).toBe('tool_calls');
    expect(last[1]).toMatchObject({ choices: [], usage: { prompt_tokens: 375, completion_tokens: 60, total_tokens: 435 } });
    expect(last[2]).toBe('[DONE]');
  });

  it('chat: no usage chunk unless the client asked for it', () => {
    const ctx = bedrockContext('chat_completions', true, { model: 'm', messages: [], stream: true });
    const payloads = decodeSse(runInPieces(bedrockTranslation('chat_completions').stream(ctx), bedrockEventStreamBody(toolUse.stream)));
    expect(payloads.some((m) => m.data.includes('"usage"'))).toBe(false);
    expect(payloads.at(-1)?.data).toBe('[DONE]');
  });

  it('messages: every block is started, stopped and numbered in order; message_delta carries stop reason and usage', () => {
    const events = decodeSse(translate('messages', toolUse.stream));
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const data = events.map((e) => JSON.parse(e.data));
    expect(data.map((d) => d.type)).toEqual(events.map((e) => e.event));
    expect(data.filter((d) => d.type === 'content_block_start').map((d) => d.index)).toEqual([0, 1]);
    expect(data[5].content_block).toEqual({ type: 'tool_use', id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', input: {} });
    expect(data[6].delta).toEqual({ type: 'input_json_delta', partial_json: '{"sign":"WZ' });
    expect(data[9]).toEqual({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 375, output_tokens: 60 } });
  });

  it('responses: typed events with sequence numbers 0,1,2…, no [DONE], completed last', () => {
    const events = decodeSse(translate('responses', toolUse.stream));
    const data = events.map((e) => JSON.parse(e.data));
    expect(data.map((d) => d.sequence_number)).toEqual(data.map((_, i) => i));
    expect(data.map((d) => d.type)).toEqual(events.map((e) => e.event));
    expect(data.map((d) => d.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(data[12]).toMatchObject({ output_index: 1, name: 'top_song', arguments: '{"sign":"WZPZ"}' });
    expect(data[14].response.usage).toMatchObject({ input_tokens: 375, output_tokens: 60, total_tokens: 435 });
  });

  it('messages: usage that arrives before messageStop still ends the message at messageStop', () => {
    const events = decodeSse(
      translate('messages', [
        { messageStart: { role: 'assistant' } },
        { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'ok' } } },
        { metadata: { usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 } } },
        { messageStop: { stopReason: 'end_turn' } },
      ]),
    );
    expect(events.map((e) => e.event).slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(JSON.parse(events.at(-2)!.data).usage).toEqual({ input_tokens: 3, output_tokens: 1 });
  });

  it('reports the upstream usage for the access log', () => {
    const text = BEDROCK_CASES.find((c) => c.name === 'text.json')!;
    for (const client of CLIENTS) {
      const stream = transducer(client);
      runInPieces(stream, bedrockEventStreamBody(text.stream));
      expect(stream.usage()).toEqual({ input_tokens: 112, output_tokens: 14 });
    }
  });
});

interface ErrorStreamCase {
  description: string;
  events: BedrockStreamEventJson[];
  /** How many bytes of the last frame to leave out (a body cut mid-frame). */
  truncateLastFrameBy?: number;
  expected: Record<ClientApi, JsonObject[]>;
}

describe('exceptions and broken streams end in an error in the client’s stream shape (fixtures/translate/bedrock/streams)', () => {
  for (const name of fixtureNames('bedrock/streams', '.json')) {
    const testCase = fixtureJson<ErrorStreamCase>(`bedrock/streams/${name}`);
    let body = bedrockEventStreamBody(testCase.events);
    if (testCase.truncateLastFrameBy !== undefined) body = body.subarray(0, body.length - testCase.truncateLastFrameBy);
    for (const client of CLIENTS) {
      it(`${name} → ${client}: ${testCase.description}`, () => {
        const events = normalizedEvents(runInPieces(transducer(client), body)) as { event: string | undefined; data: unknown }[];
        const tail = events.slice(-testCase.expected[client].length).map((e) => e.data);
        expect(tail).toMatchObject(testCase.expected[client]);
      });
    }
  }

  it('bytes that are not an event-stream (a proxy’s HTML page) are reported, not passed on', () => {
    const html = new TextEncoder().encode('<html><body>502 Bad Gateway</body></html>');
    const events = decodeSse(runInPieces(transducer('messages'), html));
    expect(events.map((e) => e.event)).toEqual(['error']);
    expect(JSON.parse(events[0]!.data).error.message).toContain('not an AWS event-stream frame');
  });

  it('a frame with a bad checksum is reported', () => {
    const frame = encodeBedrockFrame({ messageStart: { role: 'assistant' } });
    frame[frame.length - 1] = (frame[frame.length - 1] ?? 0) ^ 0xff;
    const payloads = decodeSse(runInPieces(transducer('chat_completions'), frame)).map((m) => JSON.parse(m.data));
    expect(payloads).toHaveLength(1);
    expect(payloads[0].error.message).toContain('corrupt AWS event-stream frame');
  });
});
