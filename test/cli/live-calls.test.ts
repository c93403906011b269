import { describe, expect, it } from 'vitest';
import { callLine, dashboard, formatCost } from '../../src/cli/render/live-calls.js';
import type { CallRecord } from '../../src/server/call-log.js';

const call: CallRecord = {
  id: 1, time: Date.UTC(2026, 11, 7, 1, 2, 3), api: 'chat_completions', path: '/v1/chat/completions', requested: 'gpt-4o', model: 'openai/gpt-4o', provider: 'openai',
  upstreamModel: 'gpt-4o', upstreamUrl: 'https://api.openai.com/v1/chat/completions', stream: false, status: 200, ttfbMs: 12.5, totalMs: 340,
  inputTokens: 19, outputTokens: 10, costUsd: 0.000147, costSource: 'genai-prices', attempts: 1, route: null, why: [], error: null, inspected: false,
};

describe('plano obs rendering', () => {
  it('prints unknown prices as unknown, never $0', () => {
    expect(formatCost(null)).toBe('unknown');
    expect(formatCost(0.000147)).toBe('$0.00015');
    expect(formatCost(1.5)).toBe('$1.5000');
    expect(callLine({ ...call, costUsd: null })).toContain('cost=unknown');
  });

  it('never lets a client-chosen name reach the terminal as an escape sequence', () => {
    const hostile = { ...call, requested: 'x\u001b[2J\u001b]0;pwned\u0007', error: 'bad\u009b31m' };
    const line = callLine(hostile);
    expect(line).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(line).toContain('x?[2J?]0;pwned?');
    expect(dashboard('http://127.0.0.1:12000', [hostile], [], 200, 40)).not.toMatch(/[\u001b\u0007\u009b]/);
  });

  it('fits the screen: lines cut to its width, only the newest calls that fit its height', () => {
    const calls = Array.from({ length: 100 }, (_, i) => ({ ...call, id: i + 1, requested: `model-${i + 1}` }));
    const screen = dashboard('http://127.0.0.1:12000', calls, [], 60, 20).trimEnd().split('\n');
    expect(screen.length).toBeLessThanOrEqual(20);
    expect(screen.every((line) => line.length <= 60)).toBe(true);
    expect(screen.join('\n')).toContain('model-100');
    expect(screen.join('\n')).not.toContain('model-1 ');
  });
});
