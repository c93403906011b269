import { describe, expect, it } from 'vitest';
import { captureBody, InspectingSink, MAX_INSPECTED_BODY, redactedHeaders, type CallInspection } from '../../src/server/call-inspection.js';
import { isLoopbackAddress, isLoopbackHost } from '../../src/server/live-view.js';
import type { ReplySink } from '../../src/server/reply.js';

describe('who the live view answers', () => {
  it('treats loopback addresses and names as loopback, and nothing else', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) expect(isLoopbackAddress(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '127.0.0.1.example.com']) expect(isLoopbackAddress(host), host).toBe(false);
    for (const host of ['127.0.0.1:12000', 'localhost:8080', '[::1]:12000', 'app.localhost:3000', 'LOCALHOST']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [undefined, '', 'attacker.example', 'attacker.example:12000', '127.0.0.1.nip.io', 'localhost.attacker.example']) {
      expect(isLoopbackHost(host), String(host)).toBe(false);
    }
  });
});

describe('what --inspect keeps', () => {
  it('shows *** for headers that authenticate, by name or by a value that looks like a key', () => {
    expect(
      redactedHeaders({
        authorization: 'Bearer sk-abc',
        'x-api-key': 'whatever',
        'api-key': 'azure',
        cookie: 'session=1',
        'x-goog-api-key': 'AIza',
        'x-custom-token': 'abc',
        'x-team': 'research',
        'x-forwarded-note': 'sk-proj-0123456789abcdefghij',
        accept: ['a', 'b'],
      }),
    ).toEqual({
      authorization: '***',
      'x-api-key': '***',
      'api-key': '***',
      cookie: '***',
      'x-goog-api-key': '***',
      'x-custom-token': '***',
      'x-team': 'research',
      'x-forwarded-note': '***',
      accept: 'a, b',
    });
  });

  it('keeps the first 64 KiB of a body, without a character cut in half', () => {
    const long = `${'a'.repeat(MAX_INSPECTED_BODY - 1)}é and more`;
    const captured = captureBody(long);
    expect(captured).toMatchObject({ bytes: Buffer.byteLength(long), truncated: true });
    expect(captured.text).toBe('a'.repeat(MAX_INSPECTED_BODY - 1));
    expect(captureBody('{"a":1}')).toEqual({ text: '{"a":1}', bytes: 7, truncated: false });
  });

  it('records the answer as it goes out, a stream cut off included', () => {
    const written: Array<string | Uint8Array> = [];
    const sink: ReplySink = {
      send: () => {},
      head: () => {},
      write: (chunk) => {
        written.push(chunk);
        return true;
      },
      onDrain: () => {},
      end: () => {},
      destroy: () => {},
      headersSent: false,
    };
    const inspection: CallInspection = { clientRequest: { headers: {}, body: captureBody('') } };
    const inspecting = new InspectingSink(sink, inspection);
    inspecting.head(200, { 'content-type': 'text/event-stream', 'set-cookie': 'a=b' });
    inspecting.write('data: one\n\n');
    inspecting.write(Buffer.from('data: two\n\n'));
    inspecting.destroy(new Error('upstream broke off'));
    expect(written).toHaveLength(2);
    expect(inspection.answer).toEqual({
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'set-cookie': '***' },
      body: { text: 'data: one\n\ndata: two\n\n', bytes: 22, truncated: false },
    });
  });
});
