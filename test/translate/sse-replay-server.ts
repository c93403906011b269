/**
 * A tiny HTTP server on 127.0.0.1 that answers every request with the body it was last given,
 * so the real `openai` and `@anthropic-ai/sdk` clients can parse a translated stream exactly as
 * they would parse Plano's. Each test file starts one and stops it in `afterAll`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReplayServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** What the next requests get. */
  respondWith(body: string, contentType?: string): void;
  close(): Promise<void>;
}

export async function startReplayServer(): Promise<ReplayServer> {
  let body = '';
  let contentType = 'text/event-stream';
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': contentType });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    respondWith(next, type = 'text/event-stream') {
      body = next;
      contentType = type;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
