import { describe, expect, it } from 'vitest';
import { StreamUsageReader, usageOf } from '../../src/server/usage.js';

describe('usageOf: the token counts an upstream answer reports, for the access log', () => {
  it('reads each API’s field names', () => {
    expect(usageOf({ usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } })).toEqual({ input_tokens: 9, output_tokens: 3 });
    expect(usageOf({ type: 'message', usage: { input_tokens: 25, output_tokens: 15 } })).toEqual({ input_tokens: 25, output_tokens: 15 });
    // Bedrock Converse (AWS Bedrock API reference, "Converse" → TokenUsage): camelCase.
    expect(usageOf({ output: { message: { role: 'assistant', content: [] } }, stopReason: 'end_turn', usage: { inputTokens: 375, outputTokens: 60, totalTokens: 435 } })).toEqual({
      input_tokens: 375,
      output_tokens: 60,
    });
  });

  it('keeps what an earlier stream event said when a later one reports only part of it', () => {
    const started = usageOf({ type: 'message_start', message: { usage: { input_tokens: 25, output_tokens: 1 } } });
    expect(usageOf({ type: 'message_delta', usage: { output_tokens: 15 } }, started)).toEqual({ input_tokens: 25, output_tokens: 15 });
    expect(usageOf({ usage: null }, started)).toBe(started);
  });
});

describe('StreamUsageReader: usage from a passed-through stream', () => {
  const read = (...chunks: string[]) => {
    const reader = new StreamUsageReader();
    for (const chunk of chunks) reader.push(new TextEncoder().encode(chunk));
    return reader.usage();
  };

  it('finds a usage object however the JSON is spaced: before the colon, or a line break before the brace', () => {
    expect(read('data: {"choices":[],"usage" : {"prompt_tokens":9,"completion_tokens":3}}\n\n')).toEqual({ input_tokens: 9, output_tokens: 3 });
    expect(read('data: {"choices":[],"usage":\ndata: {"prompt_tokens":7,"completion_tokens":2}}\n\n')).toEqual({ input_tokens: 7, output_tokens: 2 });
    expect(read('data: {"type":"message_delta","usage"\t:\ndata: \t{"output_tokens":15}}\n\n')).toEqual({ output_tokens: 15 });
  });

  it('passes over `"usage":null` and the word usage in text, and keeps the last usage object', () => {
    expect(
      read(
        'data: {"choices":[{"delta":{"content":"\\"usage\\": {"}}],"usage":null}\n\n',
        'data: {"choices":[],"usage" :{"prompt_tokens":4,"completion_tokens":1}}\n\n',
        'data: {"choices":[{"delta":{"content":"usage"}}],"usage": null}\n\n',
        'data: [DONE]\n\n',
      ),
    ).toEqual({ input_tokens: 4, output_tokens: 1 });
    expect(read('data: {"choices":[],"usage":null}\n\n')).toBeUndefined();
  });
});
