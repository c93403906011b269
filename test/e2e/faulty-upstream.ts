/**
 * A provider that misbehaves on request, for the upstream-fault suite: one node:http server on
 * 127.0.0.1 answering chat completions, messages and responses from fixtures/upstream/, with the
 * fault the request's `x-mock-fault` header names (the SDKs send it as a default header; plano
 * forwards it):
 *   gzip         the answer gzip-compressed, labelled `content-encoding: gzip`
 *   reset        a stream's first half, then the TCP connection reset
 *   eof          a stream's first half, then a clean end (no final event)
 *   stall        a stream's first half, then silence (until the other side gives up)
 *   wrong-shape  a 200 JSON answer without the API's required fields
 *   rate-limit   a 429 in the API's error shape, with retry-after and x-ratelimit-* headers
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { upstreamFixture } from '../server/gateway-harness.js';

export interface FaultyUpstream {
  url: string;
  /** How many requests have arrived, by fault. */
  count(fault: string): number;
  close(): Promise<void>;
}

const ANSWERS: Record<string, { json: string; stream: string; wrongShape: unknown; rateLimit: unknown }> = {
  '/chat/completions': {
    json: 'openai-chat-completion.json',
    stream: 'openai-chat-stream.sse',
    wrongShape: { id: 'chatcmpl-mock', object: 'chat.completion', model: 'gpt-4o' },
    rateLimit: JSON.parse(upstreamFixture('openai-error-rate-limit.json')),
  },
  '/messages': {
    json: 'anthropic-message.json',
    stream: 'anthropic-message-stream.sse',
    wrongShape: { id: 'msg_mock', type: 'message', role: 'assistant' },
    rateLimit: { type: 'error', error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' } },
  },
  '/responses': {
    json: 'openai-response.json',
    stream: 'openai-responses-stream.sse',
    wrongShape: { id: 'resp_mock', object: 'response' },
    rateLimit: JSON.parse(upstreamFixture('openai-error-rate-limit.json')),
  },
};

export const RATE_LIMIT_HEADERS = { 'retry-after': '7', 'retry-after-ms': '7000', 'x-ratelimit-remaining-requests': '0' };

export async function startFaultyUpstream(): Promise<FaultyUpstream> {
  const counts = new Map<string, number>();
  const stalled = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => answer(req, res, JSON.parse(text) as Record<string, unknown>));
  });

  function answer(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): void {
    const fault = String(req.headers['x-mock-fault'] ?? 'none');
    counts.set(fault, (counts.get(fault) ?? 0) + 1);
    const path = (req.url ?? '').split('?')[0]!;
    const suffix = Object.keys(ANSWERS).find((s) => path.endsWith(s));
    if (!suffix) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no such path on the mock"}}');
      return;
    }
    const answers = ANSWERS[suffix]!;
    if (fault === 'rate-limit') {
      res.writeHead(429, { 'content-type': 'application/json', ...RATE_LIMIT_HEADERS }).end(JSON.stringify(answers.rateLimit));
      return;
    }
    if (fault === 'wrong-shape') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers.wrongShape));
      return;
    }
    if (body.stream !== true) {
      const json = upstreamFixture(answers.json);
      if (fault === 'gzip') res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(json));
      else res.writeHead(200, { 'content-type': 'application/json' }).end(json);
      return;
    }
    const stream = upstreamFixture(answers.stream);
    if (fault === 'gzip') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' }).end(gzipSync(stream));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    const events = stream.split(/(?<=\n\n)/);
    if (fault === 'none') {
      res.end(stream);
      return;
    }
    res.write(events.slice(0, Math.floor(events.length / 2)).join(''));
    if (fault === 'reset') setTimeout(() => res.socket?.resetAndDestroy(), 50);
    else if (fault === 'eof') setTimeout(() => res.end(), 50);
    else if (fault === 'stall') {
      stalled.add(res);
      res.on('close', () => stalled.delete(res));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: (fault) => counts.get(fault) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of stalled) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
