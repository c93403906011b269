import { describe, expect, it } from 'vitest';
import { anthropicToChatChunks } from '../../src/translate/anthropic-stream-to-chat.js';
import { sseEvent } from '../../src/translate/sse.js';
import type { JsonObject, TranslateContext } from '../../src/translate/types.js';
import { decodeSse, fixtureText } from './harness.js';

/** Each item the machine makes from the stream, as sseEvent writes it and as a plain JSON.stringify would. */
function written(fixture: string, ctx: TranslateContext, includeUsage: boolean): { fast: string; plain: string }[] {
  const machine = anthropicToChatChunks(ctx, includeUsage);
  const items = decodeSse(fixtureText(fixture)).flatMap((message) => machine.onEvent(JSON.parse(message.data) as JsonObject));
  return [...items, ...machine.onEnd()].map((item) => ({
    fast: sseEvent(item),
    plain: typeof item === 'string' ? sseEvent(item) : `data: ${JSON.stringify(item)}\n\n`,
  }));
}

describe('chat chunks written from the machine’s template', () => {
  // A client model name holding the template's marker, quotes and a line break must not move the text.
  const names = ['anthropic/claude-sonnet-4-5', 'odd\u0000"name"\n\u2028', '\u0000'];
  for (const clientModel of names) {
    for (const includeUsage of [true, false]) {
      it(`are what JSON.stringify writes (model ${JSON.stringify(clientModel)}, include_usage ${includeUsage})`, () => {
        const ctx: TranslateContext = { upstreamModel: 'claude-sonnet-4-5', clientModel, stream: true };
        const events = written('anthropic/stream-text.sse', ctx, includeUsage);
        expect(events.length).toBeGreaterThan(3);
        for (const { fast, plain } of events) expect(fast).toBe(plain);
      });
    }
  }
});
