import { describe, expect, it } from 'vitest';
import { StreamUsageReader, usageOf, usageOfJsonBody } from '../../src/server/usage.js';

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

  it('finds the key at either edge of a read, whole events or not', () => {
    // A read that is exactly one event starting with the key's quote, and one ending just after it.
    expect(read('"usage":{"prompt_tokens":2}\n\n')).toBeUndefined(); // no `data:` field: not an event
    expect(read('data: {"x":1}\n\n', 'data: {"usage', '":{"prompt_tokens":6,"completion_tokens":2}}\n\n')).toEqual({ input_tokens: 6, output_tokens: 2 });
    expect(read('data: {"choices":[],"usage":\n\n')).toBeUndefined();
    expect(read('data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":8}}\n\n')).toEqual({ input_tokens: 1, output_tokens: 8 });
    expect(read('data: {"usage":{"prompt_tokens":5}}\n\n')).toEqual({ input_tokens: 5 });
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

describe('usageOfJsonBody: usage from a passed-through JSON answer, read from its top-level member', () => {
  const read = (text: string, split = 0) => {
    const bytes = Buffer.from(text);
    const chunks = split > 0 ? [bytes.subarray(0, split), bytes.subarray(split)] : [bytes];
    return usageOfJsonBody(chunks, bytes.length);
  };
  const fullParse = (text: string) => usageOf(JSON.parse(text));

  it('reads each API’s answer, spaced or not, whole or in pieces', () => {
    const chat = '{"id":"c1","choices":[{"message":{"role":"assistant","content":"Hi"}}],"usage":{"prompt_tokens":9,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":0}},"system_fingerprint":"fp_1"}';
    expect(read(chat)).toEqual({ input_tokens: 9, output_tokens: 3 });
    expect(read(chat, 17)).toEqual({ input_tokens: 9, output_tokens: 3 });
    const messages = '{\n  "type": "message",\n  "content": [{"type": "text", "text": "Hi"}],\n  "usage" :\n  { "input_tokens": 25, "output_tokens": 15, "service_tier": "standard" }\n}\n';
    expect(read(messages)).toEqual({ input_tokens: 25, output_tokens: 15 });
    const responses = '{"object":"response","output":[],"usage":{"input_tokens":5,"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0}},"user":null,"metadata":{}}';
    expect(read(responses)).toEqual({ input_tokens: 5, output_tokens: 2 });
  });

  it('no usage, `"usage": null`, or the word in the text: nothing', () => {
    expect(read('{"choices":[{"message":{"content":"\\"usage\\": {\\"prompt_tokens\\": 1}"}}]}')).toBeUndefined();
    expect(read('{"choices":[],"usage":null}')).toBeUndefined();
    expect(read('{"choices":[],"usage":null,"note":"x"}')).toBeUndefined();
    expect(read('{"choices":[{"message":{"content":"usage"}}]}')).toBeUndefined();
  });

  it('only the top-level member counts: not a `usage` inside the content, a tool’s input, or a string', () => {
    const nested = '{"type":"message","usage":{"input_tokens":7,"output_tokens":1},"content":[{"type":"tool_use","input":{"usage":{"input_tokens":999}}}]}';
    expect(read(nested)).toEqual({ input_tokens: 7, output_tokens: 1 });
    const valueNotKey = '{"usage":{"prompt_tokens":3,"completion_tokens":4},"tags":["usage"],"usage_note":{"usage":1}}';
    expect(read(valueNotKey)).toEqual({ input_tokens: 3, output_tokens: 4 });
    const bracesInStrings = '{"choices":[{"message":{"content":"} ] \\\\"}}],"usage":{"prompt_tokens":3,"completion_tokens":4,"note":"} ] \\" {"}}';
    expect(read(bracesInStrings)).toEqual({ input_tokens: 3, output_tokens: 4 });
    expect(read('{"u\\u0073age":{"prompt_tokens":2,"completion_tokens":1}}')).toEqual({ input_tokens: 2, output_tokens: 1 });
  });

  it('a key written twice: the last one, as JSON.parse reads it', () => {
    expect(read('{"usage":{"prompt_tokens":1},"usage":{"prompt_tokens":2,"completion_tokens":5}}')).toEqual({ input_tokens: 2, output_tokens: 5 });
  });

  it('a body that is not JSON, or too large to be worth parsing for the log: nothing', () => {
    expect(read('<html>"usage": {</html>')).toBeUndefined();
    expect(read('{"usage":{"prompt_tokens":1')).toBeUndefined();
    expect(read('{"usage":{"prompt_tokens":1}')).toEqual({ input_tokens: 1 });
    expect(read('["usage",{"usage":{"prompt_tokens":1}}]')).toBeUndefined();
    expect(usageOfJsonBody([Buffer.alloc(2 << 20, 0x20)], 2 << 20)).toBeUndefined();
  });
});
