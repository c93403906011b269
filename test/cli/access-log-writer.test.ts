import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accessLogWriter } from '../../src/cli/access-log-writer.js';
import { newAccessLogEntry } from '../../src/server/access-log.js';

function entry(path = '/v1/chat/completions') {
  return { ...newAccessLogEntry('POST', path, 'chat_completions'), status: 200, totalMs: 1.5, model: 'openai/gpt-4o', provider: 'openai' };
}

function recordingStream() {
  const writes: string[] = [];
  return { writes, stream: { write: (text: string) => (writes.push(text), true) } };
}

describe('accessLogWriter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the lines of requests that finish close together in one write, at most 50 ms later', () => {
    const { writes, stream } = recordingStream();
    const log = accessLogWriter(stream, 'text');
    log.write(entry());
    log.write(entry());
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(49);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split('\n')).toHaveLength(3);
    expect(writes[0]).toMatch(/POST \/v1\/chat\/completions .*\n.*POST \/v1\/chat\/completions .*\n$/);
  });

  it('never puts more than 4096 bytes (PIPE_BUF) in one write, and splits only between lines', () => {
    const { writes, stream } = recordingStream();
    const log = accessLogWriter(stream, 'json');
    for (let i = 0; i < 200; i++) log.write(entry(`/v1/chat/completions/${i}`));
    log.flush();
    expect(writes.length).toBeGreaterThan(1);
    for (const write of writes) {
      expect(Buffer.byteLength(write)).toBeLessThanOrEqual(4096);
      expect(write.endsWith('\n')).toBe(true);
    }
    const lines = writes.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(200);
    expect(lines.map((line) => JSON.parse(line).path)).toEqual(Array.from({ length: 200 }, (_, i) => `/v1/chat/completions/${i}`));
  });

  it('flush writes what is waiting at once (on shutdown), and nothing when nothing is', () => {
    const { writes, stream } = recordingStream();
    const log = accessLogWriter(stream, 'text');
    log.flush();
    expect(writes).toEqual([]);
    log.write(entry());
    log.flush();
    expect(writes).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(writes).toHaveLength(1);
  });
});
