import { describe, expect, it } from 'vitest';
import { anthropicToChatChunks } from '../../src/translate/anthropic-stream-to-chat.js';
import { sseEvent } from '../../src/translate/sse.js';
import type { JsonObject, TranslateContext } from '../../src/translate/types.js';
import { decodeSse, fixtureText } from './harness.js';

/** Each item the machine makes from the stream, as sseEvent writes it and as a plain JSON.stringify would. */
function written(fixture: string, ctx: TranslateContext, includeUsage: boolean, upstreamModel?: string): { fast: string; plain: string }[] {
  const machine = anthropicToChatChunks(ctx, includeUsage);
  const events = decodeSse(fixtureText(fixture)).map((message) => JSON.parse(message.data) as JsonObject);
  // The model the upstream names in message_start is the one every chunk carries.
  if (upstreamModel !== undefined) for (const event of events) if (event['type'] === 'message_start') (event['message'] as JsonObject)['model'] = upstreamModel;
  const items = events.flatMap((event) => machine.onEvent(event));
  return [...items, ...machine.onEnd()].map((item) => ({
    fast: sseEvent(item),
    plain: typeof item === 'string' ? sseEvent(item) : `data: ${JSON.stringify(item)}\n\n`,
  }));
}

describe('chat chunks written from the machine’s template', () => {
  // A model name holding the template's markers, quotes and a line break must not move the delta or finish_reason.
  const names = ['anthropic/claude-sonnet-4-5', 'odd\u0000"name"\n\u2028', '\u0000', '\u0001', 'a\u0001b\u0000c'];
  for (const name of names) {
    for (const includeUsage of [true, false]) {
      it(`are what JSON.stringify writes (model ${JSON.stringify(name)}, include_usage ${includeUsage})`, () => {
        const ctx: TranslateContext = { upstreamModel: name, clientModel: name, stream: true };
        const events = written('anthropic/stream-text.sse', ctx, includeUsage, name);
        expect(events.length).toBeGreaterThan(3);
        expect(events.some((e) => e.plain.includes('"finish_reason":"stop"'))).toBe(true);
        for (const { fast, plain } of events) expect(fast).toBe(plain);
      });
    }
  }
});
