/**
 * A provider stand-in for the `plano up` end-to-end tests: one node:http server on 127.0.0.1
 * that answers chat completions, messages and responses with the recorded bodies and streams
 * in fixtures/upstream/, and records every request it gets.
 *
 * A request carrying `x-mock-pace-ms: N` gets its stream one event every N ms (a model still
 * generating), for tests that need a stream in flight.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { upstreamFixture } from '../server/gateway-harness.js';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface MockUpstream {
  url: string;
  received: ReceivedRequest[];
  /** Resolves when a response the mock was still streaming is closed by the other side. */
  nextAbandonedStream(): Promise<void>;
  close(): Promise<void>;
}

const ANSWERS: Record<string, { json: string; stream: string }> = {
  '/chat/completions': { json: 'openai-chat-completion.json', stream: 'openai-chat-stream.sse' },
  '/messages/count_tokens': { json: 'anthropic-count-tokens.json', stream: 'anthropic-count-tokens.json' },
  '/messages': { json: 'anthropic-message.json', stream: 'anthropic-message-stream.sse' },
  '/responses': { json: 'openai-response.json', stream: 'openai-responses-stream.sse' },
  '/embeddings': { json: 'openai-embeddings.json', stream: 'openai-embeddings.json' },
};

export async function startMockUpstream(): Promise<MockUpstream> {
  const received: ReceivedRequest[] = [];
  let abandoned: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      const path = req.url ?? '';
      received.push({ path, headers: req.headers, body });
      const suffix = Object.keys(ANSWERS).find((s) => path.split('?')[0]!.endsWith(s));
      if (!suffix) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"no such path on the mock","type":"invalid_request_error"}}');
        return;
      }
      const answer = ANSWERS[suffix]!;
      if (body.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_mock' });
        res.end(upstreamFixture(answer.json));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      const events = upstreamFixture(answer.stream).split(/(?<=\n\n)/);
      const pace = Number(req.headers['x-mock-pace-ms'] ?? 0);
      if (pace === 0) {
        for (const event of events) res.write(event);
        res.end();
        return;
      }
      const timer = setInterval(() => {
        const event = events.shift();
        if (event === undefined) {
          clearInterval(timer);
          res.end();
        } else {
          res.write(event);
        }
      }, pace);
      res.on('close', () => {
        clearInterval(timer);
        if (res.writableFinished) return;
        for (const notify of abandoned) notify();
        abandoned = [];
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    nextAbandonedStream: () => new Promise<void>((resolve) => abandoned.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
