import { describe, expect, it } from 'vitest';
import { newAccessLogEntry, type AccessLogEntry } from '../../src/server/access-log.js';
import { CallLog, type CallLogEvent } from '../../src/server/call-log.js';

function served(model: string, overrides: Partial<AccessLogEntry> = {}): AccessLogEntry {
  return {
    ...newAccessLogEntry('POST', '/v1/chat/completions', 'chat_completions'),
    requested: model.split('/')[1]!,
    model,
    provider: model.split('/')[0]!,
    upstreamModel: model.split('/')[1]!,
    status: 200,
    totalMs: 12.345,
    ttfbMs: 3.21,
    usage: { input_tokens: 10, output_tokens: 5 },
    attempts: 1,
    upstreamUrl: 'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions?key=AIzaSECRET',
    ...overrides,
  };
}

describe('CallLog', () => {
  it('keeps model calls only, newest last, within its capacity; totals count every call since start', () => {
    const log = new CallLog({ capacity: 3 });
    expect(log.add({ ...newAccessLogEntry('GET', '/healthz', null), status: 200 })).toBeUndefined();
    for (let i = 0; i < 5; i++) log.add(served('openai/gpt-4o'));
    log.add(served('anthropic/claude-sonnet-4-5', { status: 529, error: 'overloaded', usage: null }));
    expect(log.recent().map((c) => c.id)).toEqual([4, 5, 6]);
    const totals = Object.fromEntries(log.totals().map((t) => [t.model, t]));
    expect(totals['openai/gpt-4o']).toMatchObject({ calls: 5, errors: 0, inputTokens: 50, outputTokens: 25, unpricedCalls: 5 });
    expect(totals['anthropic/claude-sonnet-4-5']).toMatchObject({ calls: 1, errors: 1, unpricedCalls: 1 });
  });

  it('cuts credentials out of the upstream URL and rounds times', () => {
    const [call] = [new CallLog().add(served('gemini/gemini-2.0-flash'))!];
    expect(call!.upstreamUrl).toBe('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions?key=***');
    expect([call!.totalMs, call!.ttfbMs]).toEqual([12.3, 3.2]);
  });

  it('gathers calls no model served under one total, whatever names clients sent', () => {
    const log = new CallLog();
    for (const name of ['a', 'b', 'c']) log.add({ ...newAccessLogEntry('POST', '/v1/chat/completions', 'chat_completions'), requested: name, status: 404 });
    expect(log.totals()).toEqual([expect.objectContaining({ model: '(not served)', calls: 3, errors: 3 })]);
  });

  it('prices calls with its pricer, sums known costs, and counts the unknown apart', () => {
    const log = new CallLog({ price: (entry) => (entry.provider === 'openai' ? { usd: 0.5, source: 'genai-prices' } : null) });
    log.add(served('openai/gpt-4o'));
    log.add(served('openai/gpt-4o'));
    log.add(served('ollama/llama3'));
    const totals = Object.fromEntries(log.totals().map((t) => [t.model, t]));
    expect(totals['openai/gpt-4o']).toMatchObject({ costUsd: 1, unpricedCalls: 0 });
    expect(totals['ollama/llama3']).toMatchObject({ costUsd: 0, unpricedCalls: 1 });
    expect(log.recent().map((c) => c.costUsd)).toEqual([0.5, 0.5, null]);
  });

  it('keeps inspections for the newest calls only, and says so on the evicted ones', () => {
    const log = new CallLog({ inspectedCapacity: 2 });
    const inspection = { clientRequest: { headers: {}, body: { text: '{}', bytes: 2, truncated: false } } };
    for (let i = 0; i < 3; i++) log.add(served('openai/gpt-4o', { inspection }));
    expect(log.find(1)).toMatchObject({ call: { inspected: false }, inspection: undefined });
    expect(log.find(3)).toMatchObject({ call: { inspected: true }, inspection });
    expect(log.find(99)).toBeUndefined();
  });

  it('tells each listener of each call with its model’s totals, until it unsubscribes', () => {
    const log = new CallLog();
    const heard: CallLogEvent[] = [];
    const stop = log.subscribe((event) => heard.push(event));
    log.add(served('openai/gpt-4o'));
    stop();
    log.add(served('openai/gpt-4o'));
    expect(heard).toHaveLength(1);
    expect(heard[0]!.totals).toMatchObject({ model: 'openai/gpt-4o', calls: 1 });
  });
});
