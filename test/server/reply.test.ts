import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { nodeReplySink, webReplySink, type ReplySink } from '../../src/server/reply.js';

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
