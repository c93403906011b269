import { describe, expect, it } from 'vitest';
import { usageOf } from '../../src/server/usage.js';

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
