import { describe, expect, it } from 'vitest';
import { composeTranslations } from '../../src/translate/compose.js';
import { findTranslation } from '../../src/translate/index.js';
import type { JsonObject, StreamTransducer, TranslateContext, Translation } from '../../src/translate/types.js';
import { normalizeGenerated, normalizeGeneratedText } from './generated-values.js';
import { useReplayServer } from './sse-replay-server.js';
import { decodeSse, fixtureBytes, fixtureJson, randomCuts, requestCases, runInPieces, seededRandom } from './harness.js';

/** A stand-in translation that marks what passes through it, to see the order composition keeps. */
function marking(name: string, client: Translation['client'], upstream: Translation['upstream'], seen: JsonObject[]): Translation {
  const wrap = (text: string): string => `${name}(${text})`;
  return {
    client,
    upstream,
    request: (body) => ({ ...body, path: [...((body['path'] as string[]) ?? []), `${name}.request`] }),
    response: (body) => ({ ...body, path: [...((body['path'] as string[]) ?? []), `${name}.response`] }),
    stream(ctx): StreamTransducer {
      seen.push({ name, clientRequest: ctx.clientRequest });
      const decoder = new TextDecoder();
      return {
        push: (chunk) => wrap(decoder.decode(chunk)),
        end: () => wrap('end'),
        usage: () => ({ output_tokens: name.length }),
      };
    },
  };
}

describe('composeTranslations', () => {
  const seen: JsonObject[] = [];
  const outer = marking('outer', 'responses', 'openai_chat', seen);
  const inner = marking('inner', 'chat_completions', 'anthropic_messages', seen);
  const composed = composeTranslations(outer, inner);
  const ctx: TranslateContext = { upstreamModel: 'u', clientModel: 'c', stream: true, clientRequest: { input: 'hi' } };

  it('is the client API of outer and the upstream API of inner', () => {
    expect([composed.client, composed.upstream]).toEqual(['responses', 'anthropic_messages']);
  });

  it('sends requests outer then inner, and answers inner then outer', () => {
    expect(composed.request({}, ctx)['path']).toEqual(['outer.request', 'inner.request']);
    expect(composed.response({}, ctx)['path']).toEqual(['inner.response', 'outer.response']);
  });

  it('streams upstream bytes through inner, then outer; inner sees outer’s translation of the request', () => {
    seen.length = 0;
    const stream = composed.stream(ctx);
    expect(stream.push(new TextEncoder().encode('bytes'))).toBe('outer(inner(bytes))');
    expect(stream.end()).toBe('outer(inner(end))outer(end)');
    expect(seen).toEqual([
      { name: 'inner', clientRequest: { input: 'hi', path: ['outer.request'] } },
      { name: 'outer', clientRequest: { input: 'hi' } },
    ]);
    // The upstream side's count is the one reported.
    expect(stream.usage()).toEqual({ output_tokens: 'inner'.length });
  });

  it('refuses translations whose middle APIs differ', () => {
    expect(() => composeTranslations(outer, marking('x', 'messages', 'openai_chat', []))).toThrow(/middle APIs differ/);
  });
});

describe('Responses client on Anthropic (Responses → chat → Messages)', () => {
  const translation = findTranslation('responses', 'anthropic_messages')!;
  const ctx = (stream: boolean): TranslateContext => ({
    upstreamModel: 'claude-sonnet-4-5-20250929',
    clientModel: 'anthropic/claude-sonnet-4-5',
    stream,
    clientRequest: { model: 'anthropic/claude-sonnet-4-5', input: 'hi', stream },
  });

  for (const [name, testCase] of requestCases('responses/to-anthropic')) {
    it(`request ${name}: ${testCase.description}`, () => {
      expect(translation.request(testCase.client, testCase.context)).toEqual(testCase.upstream);
    });
  }

  it('a Message with text and two tool calls → a message item and two function_call items', () => {
    const out = normalizeGenerated(translation.response(fixtureJson('anthropic/message-tool-use.json'), ctx(false)));
    expect(out).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'claude-sonnet-4-5-20250929',
      output: [
        { type: 'message', status: 'completed', content: [{ type: 'output_text', text: "I'll check the current weather in San Francisco for you." }] },
        { type: 'function_call', id: 'fc_*', call_id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}', status: 'completed' },
        { type: 'function_call', id: 'fc_*', call_id: 'toolu_01B19r01rx01mr028946mr0', name: 'get_time', arguments: '{"timezone":"America/Los_Angeles"}', status: 'completed' },
      ],
      usage: { input_tokens: 384, output_tokens: 112, total_tokens: 496 },
    });
  });

  describe('streams', () => {
    const sdk = useReplayServer();

    const expectedToolStream = {
      status: 'completed',
      output: [
        { type: 'message', status: 'completed', content: [{ type: 'output_text', text: "I'll check the weather in both cities." }] },
        { type: 'function_call', call_id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}' },
        { type: 'function_call', call_id: 'toolu_01HqJ9sQ5vMZ8VXtWbQaKX3e', name: 'get_weather', arguments: '{"location": "Zürich", "unit": "celsius"}' },
      ],
      // Anthropic's input_tokens leave out the 1024 cached tokens; Responses counts them in.
      usage: { input_tokens: 1496, input_tokens_details: { cached_tokens: 1024 }, output_tokens: 89, total_tokens: 1585 },
    };

    it('Anthropic tool-use stream → Responses events the openai SDK assembles', async () => {
      const sse = runInPieces(translation.stream(ctx(true)), fixtureBytes('anthropic/stream-tool-use.sse'));
      const data = decodeSse(sse).map((event) => JSON.parse(event.data) as JsonObject);
      expect(data.map((d) => d['sequence_number'])).toEqual(data.map((_, i) => i));
      expect(data.at(-1)?.['type']).toBe('response.completed');
      sdk.respondWith(sse);
      const response = await sdk.openai.responses.stream({ model: 'anthropic/claude-sonnet-4-5', input: 'hi' }).finalResponse();
      expect(normalizeGenerated(response)).toMatchObject(expectedToolStream);
    });

    it('gives the same events whatever the read boundaries', () => {
      const input = fixtureBytes('anthropic/stream-tool-use.sse');
      const whole = normalizeGeneratedText(runInPieces(translation.stream(ctx(true)), input));
      const random = seededRandom(7);
      for (let round = 0; round < 40; round++) {
        const cuts = randomCuts(random, input.length, 2 + Math.floor(random() * 60));
        const pieces = normalizeGeneratedText(runInPieces(translation.stream(ctx(true)), input, cuts));
        if (pieces !== whole) expect({ cuts, pieces }).toEqual({ cuts, pieces: whole });
      }
    });

    it('an Anthropic error event mid-stream → error event and response.failed, raised by the SDK', async () => {
      const sse = runInPieces(translation.stream(ctx(true)), fixtureBytes('anthropic/stream-error.sse'));
      const data = decodeSse(sse).map((event) => JSON.parse(event.data) as JsonObject);
      expect(data.slice(-2)).toMatchObject([
        { type: 'error', code: 'overloaded_error', message: 'Overloaded' },
        { type: 'response.failed', response: { status: 'failed', error: { code: 'overloaded_error', message: 'Overloaded' } } },
      ]);
      sdk.respondWith(sse);
      await expect(sdk.openai.responses.stream({ model: 'anthropic/claude-sonnet-4-5', input: 'hi' }).finalResponse()).rejects.toThrow('Overloaded');
    });
  });
});
