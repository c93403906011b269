import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BatchingSink, nodeReplySink, webReplySink, type ReplySink } from '../../src/server/reply.js';

/**
 * A sink made per request must not carry its own getter: an object literal with one kept every
 * request's objects alive through young-generation GCs (src/server/reply.ts). The getter lives
 * on the prototype, shared.
 */
const ownGetters = (sink: ReplySink): string[] =>
  Object.entries(Object.getOwnPropertyDescriptors(sink))
    .filter(([, descriptor]) => descriptor.get !== undefined)
    .map(([name]) => name);

describe('reply sinks', () => {
  it('keep headersSent on the prototype, not on each sink', async () => {
    const server = createServer((_req, res: ServerResponse) => {
      const sink = nodeReplySink(res);
      sink.send(200, { 'content-type': 'text/plain' }, `own getters: [${ownGetters(sink).join(',')}], headers sent: ${sink.headersSent}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const text = await new Promise<string>((resolve, reject) => {
        request({ port, host: '127.0.0.1', method: 'GET' }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk));
          res.on('end', () => resolve(body));
        })
          .on('error', reject)
          .end();
      });
      expect(text).toBe('own getters: [], headers sent: false');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }

    const { sink, response } = webReplySink(() => {});
    expect(ownGetters(sink)).toEqual([]);
    expect(sink.headersSent).toBe(false);
    sink.send(201, { 'x-a': '1' }, 'ok');
    expect(sink.headersSent).toBe(true);
    const answered = await response;
    expect([answered.status, answered.headers.get('x-a'), await answered.text()]).toEqual([201, '1', 'ok']);
  });
});

/** A sink that records what reaches it; `accept` says what its writes answer (backpressure). */
function recordingSink(accept = true) {
  const calls: string[] = [];
  let drain: (() => void) | undefined;
  const sink: ReplySink = {
    send: () => void calls.push('send'),
    head: () => void calls.push('head'),
    write: (chunk) => {
      calls.push(`write ${typeof chunk === 'string' ? chunk : `bytes:${Buffer.from(chunk).toString()}`}`);
      return accept;
    },
    onDrain: (resume) => void (drain = resume),
    end: () => void calls.push('end'),
    destroy: () => void calls.push('destroy'),
    headersSent: false,
  };
  return { sink, calls, drain: () => drain?.() };
}

describe('BatchingSink', () => {
  it('sends the string writes of one turn as one write, before anything else can run', async () => {
    const { sink, calls } = recordingSink();
    const batching = new BatchingSink(sink);
    batching.head(200, {});
    batching.write('a');
    batching.write('b');
    batching.write('c');
    expect(calls).toEqual(['head']);
    await Promise.resolve();
    expect(calls).toEqual(['head', 'write abc']);
    batching.write('d');
    batching.end();
    expect(calls).toEqual(['head', 'write abc', 'write d', 'end']);
  });

  it('keeps the order when bytes follow strings, and drops what is pending when destroyed', () => {
    const { sink, calls } = recordingSink();
    const batching = new BatchingSink(sink);
    batching.write('a');
    batching.write(Buffer.from('b'));
    batching.write('c');
    batching.destroy(new Error('gone'));
    expect(calls).toEqual(['write a', 'write bytes:b', 'destroy']);
  });

  it('answers false once a batch was refused, until the client drains', async () => {
    const { sink, drain } = recordingSink(false);
    const batching = new BatchingSink(sink);
    expect(batching.write('a')).toBe(true);
    await Promise.resolve();
    expect(batching.write('b')).toBe(false);
    let resumed = false;
    batching.onDrain(() => (resumed = true));
    drain();
    expect(resumed).toBe(true);
    expect(batching.write('c')).toBe(true);
  });
});
