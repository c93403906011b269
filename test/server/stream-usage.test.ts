import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamUsageReader } from '../../src/server/usage.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'upstream');
const stream = (name: string): Buffer => readFileSync(join(FIXTURES, name));

/** The usage the reader finds when the stream arrives in these pieces. */
function usageOfPieces(pieces: Buffer[]) {
  const reader = new StreamUsageReader();
  for (const piece of pieces) reader.push(piece);
  return reader.usage();
}

/** The stream cut at every `every` bytes. */
function cut(bytes: Buffer, every: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += every) pieces.push(bytes.subarray(at, at + every));
  return pieces;
}

/** The stream cut after each event (the way upstreams write), as the bytes say. */
function byEvent(bytes: Buffer, separator: string): Buffer[] {
  const text = bytes.toString('utf8');
  return text.split(new RegExp(`(?<=${separator})`)).map((event) => Buffer.from(event));
}

describe('StreamUsageReader: the usage of a passed-through stream, however its reads are cut', () => {
  for (const [fixture, expected] of [
    ['anthropic-message-stream.sse', { input_tokens: 25, output_tokens: 15 }],
    // The final chunk's usage; the chunks before it carry "usage":null.
    ['openai-chat-stream.sse', { input_tokens: 9, output_tokens: 3 }],
    // response.completed's; response.created carries "usage":null.
    ['openai-responses-stream.sse', { input_tokens: 37, output_tokens: 11 }],
  ] as const) {
    it(`${fixture}: the same usage whole, event by event, and cut anywhere (also inside "usage")`, () => {
      const bytes = stream(fixture);
      const whole = usageOfPieces([bytes]);
      expect(whole).toEqual(expected);
      expect(usageOfPieces(byEvent(bytes, '\n\n'))).toEqual(whole);
      for (const every of [1, 3, 7, 64, 200]) expect(usageOfPieces(cut(bytes, every)), `cut every ${every} bytes`).toEqual(whole);
    });
  }

  it('reads events ended with CRLF and with CR line endings, cut between events', () => {
    const bytes = stream('anthropic-message-stream.sse').toString('utf8');
    for (const ending of ['\r\n', '\r']) {
      const converted = Buffer.from(bytes.replace(/\n/g, ending));
      const events = byEvent(converted, ending + ending);
      expect(events.length).toBeGreaterThan(3);
      expect(usageOfPieces(events), JSON.stringify(ending)).toEqual({ input_tokens: 25, output_tokens: 15 });
    }
  });

  it('finds usage in an event whose start came in a read that held only whole events before it', () => {
    const first = Buffer.from('data: {"choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"choices":[],');
    const second = Buffer.from('"usage":{"prompt_tokens":9,"completion_tokens":2}}\n\n');
    expect(usageOfPieces([first, second])).toEqual({ input_tokens: 9, output_tokens: 2 });
  });
});
