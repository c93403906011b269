import { describe, expect, it } from 'vitest';
import { formatAccessLog, isoTime, newAccessLogEntry, type AccessLogEntry } from '../../src/server/access-log.js';

const served: AccessLogEntry = {
  ...newAccessLogEntry('POST', '/v1/chat/completions', 'chat_completions'),
  time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  requested: 'fast',
  model: 'openai/gpt-4o-mini',
  provider: 'openai',
  upstreamModel: 'gpt-4o-mini',
  stream: true,
  status: 200,
  ttfbMs: 12.345,
  totalMs: 340.06,
  usage: { input_tokens: 9, output_tokens: 3 },
  attempts: 1,
};

describe('access log lines', () => {
  it('text: method, path, requested → resolved [provider], status, timings, tokens', () => {
    expect(formatAccessLog(served, 'text')).toBe(
      '2026-01-02T03:04:05.678Z POST /v1/chat/completions fast → openai/gpt-4o-mini [openai] stream 200 ttfb=12.3ms total=340.1ms tokens=9/3',
    );
  });

  it('text: a request that named no model and failed says so', () => {
    const failed = { ...served, requested: null, model: null, provider: null, stream: false, status: 502, ttfbMs: 1, usage: null, error: 'could not reach http://127.0.0.1:1: connection refused (ECONNREFUSED)' };
    expect(formatAccessLog(failed, 'text')).toBe(
      '2026-01-02T03:04:05.678Z POST /v1/chat/completions (default) 502 ttfb=1ms total=340.1ms error="could not reach http://127.0.0.1:1: connection refused (ECONNREFUSED)"',
    );
  });

  it('text: client-supplied strings that could forge a line or reach the terminal are quoted and escaped', () => {
    const forged = { ...served, requested: 'evil\n2026-01-01T00:00:00.000Z POST /v1/chat/completions FORGED\u001b[31m', model: null, provider: null, stream: false, status: 404, ttfbMs: null, usage: null };
    const line = formatAccessLog(forged, 'text');
    expect(line).toBe(
      '2026-01-02T03:04:05.678Z POST /v1/chat/completions "evil\\n2026-01-01T00:00:00.000Z POST /v1/chat/completions FORGED\\u001b[31m" 404 total=340.1ms',
    );
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('text: C1 controls, bidi overrides, spaces and a look-alike of (default) are quoted too', () => {
    const tricky = (requested: string) => formatAccessLog({ ...served, requested, model: null, provider: null, stream: false, status: 404, ttfbMs: null, usage: null }, 'text');
    expect(tricky('a\u009b31mb')).toContain(' "a\\u009b31mb" 404');
    expect(tricky('gpt\u202e4o')).toContain(' "gpt\\u202e4o" 404');
    expect(tricky('fast → openai/gpt-4o [openai]')).toContain(' "fast → openai/gpt-4o [openai]" 404');
    expect(tricky('(default)')).toContain(' "(default)" 404');
    expect(tricky('')).toContain(' "" 404');
    expect(formatAccessLog({ ...served, model: 'litellm/x\ny' }, 'text')).toContain('fast → "litellm/x\\ny" [openai]');
  });

  it('text: a request whose body was not read (413) or not understood names no model, not (default)', () => {
    const refused = { ...newAccessLogEntry('POST', '/v1/messages', 'messages'), time: served.time, status: 413, totalMs: 1.5, error: 'too large' };
    expect(formatAccessLog(refused, 'text')).toBe('2026-01-02T03:04:05.678Z POST /v1/messages 413 total=1.5ms error="too large"');
    expect(JSON.parse(formatAccessLog(refused, 'json')).requested_model).toBeNull();
  });

  it('json: one object with snake_case fields', () => {
    expect(JSON.parse(formatAccessLog(served, 'json'))).toEqual({
      time: '2026-01-02T03:04:05.678Z',
      method: 'POST',
      path: '/v1/chat/completions',
      api: 'chat_completions',
      requested_model: 'fast',
      model: 'openai/gpt-4o-mini',
      provider: 'openai',
      upstream_model: 'gpt-4o-mini',
      stream: true,
      status: 200,
      ttfb_ms: 12.3,
      total_ms: 340.1,
      input_tokens: 9,
      output_tokens: 3,
      error: null,
      attempts: 1,
    });
  });

  it('retries: the attempts and why each retry was made, in both formats', () => {
    const retried = { ...served, attempts: 3, retries: ['openai/gpt-4o-mini: HTTP 503; again after 400 ms', 'openai/gpt-4o-mini: HTTP 503; again after 900 ms'] };
    expect(formatAccessLog(retried, 'text')).toBe(
      '2026-01-02T03:04:05.678Z POST /v1/chat/completions fast → openai/gpt-4o-mini [openai] stream 200 ttfb=12.3ms total=340.1ms tokens=9/3 attempts=3 ' +
        'retry="openai/gpt-4o-mini: HTTP 503; again after 400 ms" retry="openai/gpt-4o-mini: HTTP 503; again after 900 ms"',
    );
    const json = JSON.parse(formatAccessLog(retried, 'json'));
    expect(json.attempts).toBe(3);
    expect(json.retries).toEqual(retried.retries);
  });
});

describe('isoTime', () => {
  it('writes what Date#toISOString writes, whatever second or millisecond', () => {
    const times = [0, 999, 1000, 1001, 59_999, Date.UTC(2026, 10, 22, 23, 59, 59, 999), Date.UTC(2026, 10, 23, 0, 0, 0, 7), 1_763_769_600_042, -1];
    for (const time of [...times, ...times.map((t) => t + 10), ...times.map((t) => t + 100)]) {
      expect(isoTime(time)).toBe(new Date(time).toISOString());
    }
  });
});
