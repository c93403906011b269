/**
 * A mock HTTP upstream on 127.0.0.1 (an ephemeral port) for routing tests: it records every
 * request and answers each with what the test's `respond` function returns. A reply may be
 * `'hang'` (never answered, for timeouts), or a body left open (a stream still being generated);
 * `stop()` closes every connection, hung ones too.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: Record<string, unknown> | undefined;
  /** Resolves when the other side closes the connection before the answer was complete. */
  abandoned: Promise<void>;
}

/** `body`: text or bytes sent as they are, anything else as JSON; `keepOpen`: the answer never ends after it. */
export type MockReply = { status?: number; headers?: Record<string, string>; body: unknown; keepOpen?: boolean } | 'hang';

export interface MockUpstream {
  url: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export async function startMockUpstream(respond: (request: RecordedRequest) => MockReply): Promise<MockUpstream> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      const abandoned = new Promise<void>((resolve) => res.once('close', () => !res.writableFinished && resolve()));
      const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json, abandoned };
      requests.push(recorded);
      const reply = respond(recorded);
      if (reply === 'hang') return;
      // Bytes (a binary stream such as Bedrock's event-stream) and text go as they are; anything else as JSON.
      const payload = typeof reply.body === 'string' || reply.body instanceof Uint8Array ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      if (reply.keepOpen) res.write(payload);
      else res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A Chat Completions response whose answer is `content`. */
export function chatAnswer(content: string | null): { body: unknown } {
  return {
    body: {
      id: 'chatcmpl-router',
      object: 'chat.completion',
      created: 0,
      model: 'Arch-Router-1.5B',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    },
  };
}
