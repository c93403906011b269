import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { createSseDecoder, parseEventJson, sseEvent, type SseMessage } from '../../src/translate/sse.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function decodeInPieces(input: Uint8Array, cuts: number[]): SseMessage[] {
  const decoder = createSseDecoder();
  const out: SseMessage[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    out.push(...decoder.push(input.subarray(from, cut)));
    from = cut;
  }
  out.push(...decoder.end());
  return out;
}

describe('createSseDecoder', () => {
  const stream = bytes(
    'event: message_start\ndata: {"type":"message_start"}\n\n' +
      ': keep-alive comment\n\n' +
      'data: {"text":"héllo 👋"}\r\n\r\n' +
      'event: multi\ndata: line one\ndata: line two\n\n' +
      'data: [DONE]\n\n',
  );
  const expected: SseMessage[] = [
    { event: 'message_start', data: '{"type":"message_start"}' },
    { event: undefined, data: '{"text":"héllo 👋"}' },
    { event: 'multi', data: 'line one\nline two' },
    { event: undefined, data: '[DONE]' },
  ];

  it('decodes events, comments skipped, CRLF accepted, multi-line data joined', () => {
    expect(decodeInPieces(stream, [])).toEqual(expected);
  });

  it('gives the same events for every two-piece split, including inside multi-byte characters', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      expect(decodeInPieces(stream, [cut])).toEqual(expected);
    }
  });

  it('gives the same events when fed one byte at a time', () => {
    expect(decodeInPieces(stream, Array.from({ length: stream.length - 1 }, (_, i) => i + 1))).toEqual(expected);
  });

  it('dispatches a last event the upstream did not end with a blank line', () => {
    expect(decodeInPieces(bytes('data: {"a":1}\n\ndata: [DONE]\n'), [])).toEqual([
      { event: undefined, data: '{"a":1}' },
      { event: undefined, data: '[DONE]' },
    ]);
    expect(decodeInPieces(bytes('data: [DONE]'), [])).toEqual([{ event: undefined, data: '[DONE]' }]);
  });

  it('returns nothing at the end of an empty stream', () => {
    expect(decodeInPieces(bytes(''), [])).toEqual([]);
  });

  it('drops a byte order mark the stream starts with (the SSE spec allows one), wherever the read splits it', () => {
    const withBom = bytes('\ufeffevent: first\ndata: {"a":1}\n\n');
    for (const cuts of [[], [1], [2], [3], [1, 2]]) {
      expect(decodeInPieces(withBom, cuts)).toEqual([{ event: 'first', data: '{"a":1}' }]);
    }
    // Only at the start: a later U+FEFF is text.
    expect(decodeInPieces(bytes('data: \ufeffx\n\n'), [])).toEqual([{ event: undefined, data: '\ufeffx' }]);
  });
});

describe('sseEvent', () => {
  it('writes JSON data with an optional event line', () => {
    expect(sseEvent({ type: 'ping' }, 'ping')).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    expect(sseEvent({ a: 1 })).toBe('data: {"a":1}\n\n');
    expect(sseEvent('[DONE]')).toBe('data: [DONE]\n\n');
  });

  it('writes one data line per line of a string, which decodes back to the same string', () => {
    const written = sseEvent('one\ntwo', 'x');
    expect(written).toBe('event: x\ndata: one\ndata: two\n\n');
    expect(decodeInPieces(bytes(written), [])).toEqual([{ event: 'x', data: 'one\ntwo' }]);
  });
});

describe('parseEventJson', () => {
  it('parses objects and rejects everything else', () => {
    expect(parseEventJson('{"a":1}')).toEqual({ a: 1 });
    expect(parseEventJson('[DONE]')).toBeUndefined();
    expect(parseEventJson('[1]')).toBeUndefined();
    expect(parseEventJson('null')).toBeUndefined();
  });
});

describe('createSseDecoder against eventsource-parser fed the whole stream', () => {
  /** The reference: the same bytes through eventsource-parser only (the end dispatching a last event, as createSseDecoder does). */
  function reference(input: string): SseMessage[] {
    const out: SseMessage[] = [];
    const parser = createParser({ onEvent: (m) => void out.push({ event: m.event, data: m.data }) });
    parser.feed(`${input.replace(/^\ufeff/, '')}\n\n`);
    return out;
  }

  it('decodes random streams cut at random places as the parser does', () => {
    let seed = 11;
    const next = (n: number): number => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const pieces = [
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0}\n\n',
      'data: {"a":1}\n\n',
      'data: [DONE]\n\n',
      'event: ping\ndata: {}\n\n',
      'event:\ndata: x\n\n',
      'event: named\n\n',
      ': a comment\n\n',
      'data: one\ndata: two\n\n',
      'id: 7\ndata: with id\n\n',
      'data:no-space\n\n',
      'event:tight\ndata: y\n\n',
      'data: \n\n',
      '\n',
      'retry: 1000\n\n',
      'data: é 👋 \u2028\n\n',
      'event: crlf\r\ndata: z\r\n\r\n',
    ];
    for (let run = 0; run < 300; run++) {
      // Most streams use LF only; a few switch to CRLF part way.
      const count = 1 + next(12);
      let input = '';
      for (let i = 0; i < count; i++) {
        const piece = pieces[next(pieces.length)]!;
        input += run % 5 === 0 || !piece.includes('\r') ? piece : pieces[0]!;
      }
      if (next(4) === 0) input += 'data: unterminated';
      const bytes = new TextEncoder().encode(input);
      const cuts = [...new Set(Array.from({ length: next(6) }, () => 1 + next(Math.max(1, bytes.length - 1))))].sort((a, b) => a - b);
      const decoded = decodeInPieces(bytes, cuts).map((m) => ({ event: m.event, data: m.data }));
      expect(decoded, JSON.stringify({ input, cuts })).toEqual(reference(input));
    }
  });
});
