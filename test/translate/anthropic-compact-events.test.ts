/**
 * The fast paths for Anthropic's events (src/translate/anthropic-compact-events.ts) read exactly
 * what JSON.parse reads, or decline: never a different text or event. And a chat client's stream from an Anthropic model
 * is the same with it as without it.
 */
import { describe, expect, it } from 'vitest';
import { anthropicToChatChunks, anthropicToChatStream } from '../../src/translate/anthropic-stream-to-chat.js';
import { anthropicCompactEvent, anthropicTextDelta } from '../../src/translate/anthropic-compact-events.js';
import { sseEvents } from '../../src/translate/sse.js';
import type { JsonObject, TranslateContext } from '../../src/translate/types.js';
import { decodeSse, fixtureText } from './harness.js';

/** What the general path reads from the same data: the block index and text of a text delta, else undefined. */
function parsed(data: string): { index: number; text: string } | undefined {
  try {
    const event = JSON.parse(data) as JsonObject;
    const delta = event['delta'] as JsonObject | undefined;
    if (event['type'] !== 'content_block_delta' || delta?.['type'] !== 'text_delta' || typeof delta['text'] !== 'string') return undefined;
    return { index: event['index'] as number, text: delta['text'] };
  } catch {
    return undefined;
  }
}

/** The delta's index and text, with its `json` literal checked to read back as that text. */
function readBack(delta: { index: number; text: string; json: string }): { index: number; text: string } {
  expect(JSON.parse(delta.json)).toBe(delta.text);
  return { index: delta.index, text: delta.text };
}

const texts = ['Hello', '', ' ', 'a "quoted" word', 'back\\slash', 'line\nbreak\ttab', '\u0000\u001f', 'é 👋 \u2028', '"}}', '\\"}}', 'x\\u0041y'];

describe('anthropicTextDelta', () => {
  it('reads every text delta Anthropic writes (compact JSON) exactly as JSON.parse does', () => {
    for (const text of texts) {
      for (const index of [0, 1, 12, 123456789]) {
        const data = JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
        expect(anthropicTextDelta(data)).toEqual({ index, text, json: JSON.stringify(text) });
      }
    }
  });

  it('declines anything not exactly that shape, and never reads a text JSON.parse would not', () => {
    const others = [
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"},"extra":1}',
      '{"type":"content_block_delta", "index":0,"delta":{"type":"text_delta","text":"a"}}',
      '{"type":"content_block_delta","index":0,"delta":{"text":"a","type":"text_delta"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}}',
      '{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"a"}}',
      '{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"a"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"b"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\\"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"raw\ncontrol"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\\x41"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"}}',
      '{"type":"message_stop"}',
      '[DONE]',
    ];
    for (const data of others) {
      const fast = anthropicTextDelta(data);
      if (fast !== undefined) expect(readBack(fast)).toEqual(parsed(data));
    }
    expect(anthropicTextDelta(others[0]!)).toBeUndefined();
    expect(anthropicTextDelta(others[6]!)).toBeUndefined();
    expect(anthropicTextDelta(others[8]!)).toBeUndefined();
  });

  it('agrees with JSON.parse on random texts', () => {
    const alphabet = ['a', ' ', '"', '\\', '}', '\n', '\u0001', 'é', '👋', 'u', '0'];
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const good = JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
      expect(anthropicTextDelta(good)).toEqual({ index: 0, text, json: JSON.stringify(text) });
      // Written by hand, escapes unchecked: whatever it reads, JSON.parse reads the same.
      const raw = `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${text}"}}`;
      const fast = anthropicTextDelta(raw);
      if (fast !== undefined) expect(readBack(fast)).toEqual(parsed(raw));
    }
  });
});

describe('anthropicCompactEvent', () => {
  it('reads the fixed events Anthropic writes (compact JSON) exactly as JSON.parse does', () => {
    const events = [{ type: 'message_stop' }, { type: 'ping' }];
    for (const index of [0, 1, 12, 123456789]) {
      events.push({ type: 'content_block_stop', index } as never, { type: 'content_block_start', index, content_block: { type: 'text', text: '' } } as never);
    }
    for (const stopReason of ['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', null]) {
      for (const stopSequence of [null, 'END', 'a "quoted"\n\\ ✓ \u0001']) {
        for (const outputTokens of [0, 15, 123456789012345]) {
          events.push({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: stopSequence }, usage: { output_tokens: outputTokens } } as never);
        }
      }
    }
    for (const event of events) expect(anthropicCompactEvent(JSON.stringify(event))).toEqual(event);
    // A stop sequence written with escapes JSON.stringify would not use reads as JSON.parse reads it.
    const escaped = '{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"\\u0041\\/"},"usage":{"output_tokens":3}}';
    expect(anthropicCompactEvent(escaped)).toEqual(JSON.parse(escaped));
  });

  it('declines every other shape, and what it reads JSON.parse reads the same', () => {
    const others = [
      '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Hi"}}',
      '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}',
      '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}',
      '{"type":"content_block_start","index":0,"content_block":{"text":"","type":"text"}}',
      '{"type":"content_block_stop","index":01}',
      '{"type":"content_block_stop","index":-1}',
      '{"type":"content_block_stop","index":1234567890}',
      '{"type":"content_block_stop", "index":0}',
      '{"type":"content_block_stop","index":0,"extra":true}',
      '{"type":"message_stop" }',
      '{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":9}}',
      '{"type":"ping","x":1}',
      '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":9,"output_tokens":20}}',
      '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":20,"cache_read_input_tokens":0}}',
      '{"type":"message_delta","delta":{"stop_sequence":null,"stop_reason":"end_turn"},"usage":{"output_tokens":20}}',
      '{"type":"message_delta", "delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":20}}',
      '{"type":"message_delta","delta":{"stop_reason":"End Turn","stop_sequence":null},"usage":{"output_tokens":20}}',
      '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":020}}',
      '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":-1}}',
      '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":"a\\x"},"usage":{"output_tokens":1}}',
      '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":1.5}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}',
      '[DONE]',
      '',
    ];
    for (const data of others) expect(anthropicCompactEvent(data), data).toBeUndefined();
  });
});

describe('a chat client streaming from an Anthropic model', () => {
  for (const fixture of ['anthropic/stream-text.sse', 'anthropic/stream-tool-use.sse']) {
    it(`${fixture}: the same bytes as the general path (every event through JSON.parse and the machine)`, () => {
      const ctx: TranslateContext = { upstreamModel: 'claude-sonnet-4-5', clientModel: 'claude', stream: true, clientRequest: {} };
      const text = fixtureText(fixture);
      const machine = anthropicToChatChunks(ctx, false);
      const general =
        decodeSse(text).map((message) => sseEvents(machine.onEvent(JSON.parse(message.data) as JsonObject))).join('') + sseEvents(machine.onEnd());
      const stream = anthropicToChatStream(ctx);
      const fast = stream.push(new TextEncoder().encode(text)) + stream.end();
      expect(fast).toBe(general);
      expect(fast).toContain('"content":');
    });
  }

  it('copies a text delta written with escapes JSON.stringify would not use: the same text reaches the client', () => {
    const ctx: TranslateContext = { upstreamModel: 'claude-sonnet-4-5', clientModel: 'claude', stream: true, clientRequest: {} };
    const escaped = fixtureText('anthropic/stream-text.sse').replace(/"text_delta","text":"([^"\\]*)"/, '"text_delta","text":"\\u0041\\/$1"');
    const stream = anthropicToChatStream(ctx);
    const out = stream.push(new TextEncoder().encode(escaped)) + stream.end();
    const texts = decodeSse(out)
      .filter((m) => m.data !== '[DONE]')
      .map((m) => (JSON.parse(m.data) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '');
    expect(texts.join('')).toMatch(/^A\//);
  });
});
