import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientGone } from '../../src/server/client-gone.js';
import {
  createUpstreamClient,
  exchangeWith,
  UpstreamFailure,
  type UpstreamBody,
  type UpstreamClient,
  type UpstreamExchangeRequest,
} from '../../src/server/upstream-client.js';

const servers: Server[] = [];
const clients: UpstreamClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

/**
 * An origin nothing listens on. Port 1 (tcpmux) needs root to bind, so no parallel test can take
 * it, as one could a port this test had just closed.
 */
const REFUSING_ORIGIN = 'http://127.0.0.1:1';

/** A server that holds each request unanswered; `arrived` resolves when it has one, `closed` when that connection closes. */
async function silentServer(): Promise<{ origin: string; arrived: Promise<void>; closed: Promise<void> }> {
  let arrive!: () => void;
  let close!: () => void;
  const arrived = new Promise<void>((r) => (arrive = r));
  const closed = new Promise<void>((r) => (close = r));
  const origin = await mockServer((req) => {
    req.socket.on('close', () => close());
    arrive();
  });
  return { origin, arrived, closed };
}

async function mockServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(timeouts = { connectMs: 2_000, headersMs: 2_000, bodyIdleMs: 2_000 }): UpstreamClient {
  const c = createUpstreamClient(timeouts);
  clients.push(c);
  return c;
}

const request = (origin: string, extra: Partial<Parameters<UpstreamClient['send']>[0]> = {}) => ({
  origin,
  path: '/v1/chat/completions?api-version=1',
  headers: { 'content-type': 'application/json' },
  body: '{"model":"m"}',
  signal: new AbortController().signal,
  ...extra,
});

async function readAll(body: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of body) text += chunk.toString();
  return text;
}

describe('upstream client', () => {
  it('posts the body with the given path, headers and Host, and streams the answer back', async () => {
    let seen: { url?: string; host?: string; body: string; custom?: string } = { body: '' };
    const origin = await mockServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen = { url: req.url, host: req.headers.host, body, custom: req.headers['x-team'] as string };
        res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r1' });
        res.end('{"ok":true}');
      });
    });
    const response = await client().send(request(origin, { headers: { host: 'llm-proxy.internal', 'x-team': 'research' } }));
    expect(response.status).toBe(201);
    expect(response.headers['x-request-id']).toBe('r1');
    expect(await readAll(response.body)).toBe('{"ok":true}');
    expect(seen).toEqual({ url: '/v1/chat/completions?api-version=1', host: 'llm-proxy.internal', body: '{"model":"m"}', custom: 'research' });
  });

  it('reuses pooled connections (keep-alive)', async () => {
    const ports = new Set<number>();
    const origin = await mockServer((req, res) => {
      ports.add(req.socket.remotePort!);
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    const c = client();
    // undici may open a second socket while the first is being released; never one per request.
    for (let i = 0; i < 6; i++) await readAll((await c.send(request(origin))).body);
    expect(ports.size).toBeLessThan(6);
  });

  it('connection refused is `unreachable`', async () => {
    const origin = REFUSING_ORIGIN;
    const failure = await client().send(request(origin)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UpstreamFailure);
    expect((failure as UpstreamFailure).kind).toBe('unreachable');
    expect((failure as UpstreamFailure).message).toBe(`could not reach ${origin}: connection refused (ECONNREFUSED)`);
  });

  it('no response headers in time is `timeout`', async () => {
    const origin = await mockServer(() => {
      // Never answers.
    });
    const failure = await client({ connectMs: 2_000, headersMs: 50, bodyIdleMs: 2_000 }).send(request(origin)).catch((e: unknown) => e);
    expect((failure as UpstreamFailure).kind).toBe('timeout');
    expect((failure as UpstreamFailure).message).toBe(`timed out waiting for ${origin}`);
  });

  it('an aborted signal cancels the request and is `aborted`', async () => {
    const upstream = await silentServer();
    const controller = new AbortController();
    const pending = client().send(request(upstream.origin, { signal: controller.signal })).catch((e: unknown) => e);
    await upstream.arrived;
    controller.abort();
    expect(((await pending) as UpstreamFailure).kind).toBe('aborted');
    await upstream.closed;
  });
});

// `exchange`: the gateway's relay path on undici's dispatcher (the in-process app tests use stub
// clients with `send` only, so this is where the real one is exercised).

const exchangeRequest = (origin: string, gone = new ClientGone()): UpstreamExchangeRequest => ({
  origin,
  path: '/v1/chat/completions',
  headers: { 'content-type': 'application/json' },
  body: '{"model":"m","stream":true}',
  gone,
});

type Outcome = { chunks: string[]; end: true } | { chunks: string[]; error: unknown };

/** Everything the body delivers, read after `delayMs` (chunks that came with the head wait until then). */
function readBody(body: UpstreamBody, delayMs = 0): Promise<Outcome> {
  return new Promise((resolve) => {
    const chunks: string[] = [];
    setTimeout(
      () =>
        body.read({
          data: (chunk) => void chunks.push(chunk.toString()),
          end: () => resolve({ chunks, end: true }),
          error: (error) => resolve({ chunks, error }),
        }),
      delayMs,
    );
  });
}

/** A handler that answers SSE `events` one `paceMs` apart, then ends. */
/** Reads `body` to its end, pausing it `forMs` after the `after`-th chunk: the chunks, and how many came while paused. */
async function readPausing(body: UpstreamBody, { after, forMs }: { after: number; forMs: number }): Promise<{ chunks: string[]; deliveredWhilePaused: number }> {
  const chunks: string[] = [];
  let paused = false;
  let deliveredWhilePaused = 0;
  await new Promise<void>((resolve) =>
    body.read({
      data(chunk) {
        if (paused) deliveredWhilePaused++;
        chunks.push(chunk.toString());
        if (chunks.length === after) {
          paused = true;
          body.pause();
          setTimeout(() => {
            paused = false;
            body.resume();
          }, forMs);
        }
      },
      end: resolve,
      error: resolve,
    }),
  );
  return { chunks, deliveredWhilePaused };
}

const sse =
  (events: string[], paceMs = 0) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-upstream': 'mock' });
      let i = 0;
      const next = (): void => {
        if (i === events.length) return void res.end();
        res.write(events[i++]);
        setTimeout(next, paceMs);
      };
      next();
    });
  };

describe('upstream client: exchange', () => {
  it('settles on the head; chunks that arrived before `read` are delivered first, in order, then the end', async () => {
    const events = ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n'];
    const origin = await mockServer(sse(events));
    const answer = await client().exchange!(exchangeRequest(origin));
    expect(answer.status).toBe(200);
    expect(answer.headers['x-upstream']).toBe('mock');
    // The whole (short) body has arrived by the time it is read.
    expect(await readBody(answer.body, 50)).toEqual({ chunks: events, end: true });
  });

  it('pause stops delivery until resume (backpressure), with nothing lost', async () => {
    const events = Array.from({ length: 6 }, (_, i) => `data: ${i}\n\n`);
    const origin = await mockServer(sse(events, 5));
    const { body } = await client().exchange!(exchangeRequest(origin));
    const { chunks, deliveredWhilePaused } = await readPausing(body, { after: 2, forMs: 60 });
    expect(deliveredWhilePaused).toBe(0);
    expect(chunks.join('')).toBe(events.join(''));
  });

  it('pause holds chunks that arrived before the body was read, too (a busy event loop reads late)', async () => {
    const events = Array.from({ length: 6 }, (_, i) => `data: ${i}\n\n`);
    const origin = await mockServer(sse(events, 0));
    const { body } = await client().exchange!(exchangeRequest(origin));
    // Every event arrives, and waits, before the body is read.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { chunks, deliveredWhilePaused } = await readPausing(body, { after: 1, forMs: 30 });
    expect(deliveredWhilePaused).toBe(0);
    expect(chunks.join('')).toBe(events.join(''));
  });

  it('a client that leaves before the head rejects the call as `aborted`, and the upstream connection is closed', async () => {
    const upstream = await silentServer();
    const gone = new ClientGone();
    const pending = client().exchange!(exchangeRequest(upstream.origin, gone)).catch((e: unknown) => e);
    await upstream.arrived;
    gone.abort();
    const failure = (await pending) as UpstreamFailure;
    expect(failure).toBeInstanceOf(UpstreamFailure);
    expect(failure.kind).toBe('aborted');
    await upstream.closed;
  });

  it('a client that has left already: no call is made', async () => {
    let calls = 0;
    const origin = await mockServer((_req, res) => {
      calls++;
      res.end();
    });
    const gone = new ClientGone();
    gone.abort();
    const failure = (await client().exchange!(exchangeRequest(origin, gone)).catch((e: unknown) => e)) as UpstreamFailure;
    expect(failure.kind).toBe('aborted');
    expect(calls).toBe(0);
  });

  it('destroy mid-body abandons the upstream response; nothing more is delivered', async () => {
    let closed!: () => void;
    const upstreamSawClose = new Promise<void>((r) => (closed = r));
    const origin = await mockServer((req, res) => {
      res.on('close', () => closed());
      sse(Array.from({ length: 50 }, (_, i) => `data: ${i}\n\n`), 10)(req, res);
    });
    const { body } = await client().exchange!(exchangeRequest(origin));
    const chunks: string[] = [];
    let finished = false;
    body.read({
      data(chunk) {
        chunks.push(chunk.toString());
        if (chunks.length === 2) body.destroy();
      },
      end: () => (finished = true),
      error: () => (finished = true),
    });
    await upstreamSawClose;
    await new Promise((r) => setTimeout(r, 30));
    expect(chunks).toHaveLength(2);
    expect(finished).toBe(false);
  });

  it('an upstream that breaks off mid-body is an error on the body, after the chunks it sent', async () => {
    const origin = await mockServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: 1\n\n');
        setTimeout(() => res.socket?.destroy(), 20);
      });
    });
    const { body } = await client().exchange!(exchangeRequest(origin));
    const outcome = await readBody(body);
    expect(outcome.chunks).toEqual(['data: 1\n\n']);
    expect('error' in outcome).toBe(true);
  });

  it('connection refused rejects as `unreachable`', async () => {
    const origin = REFUSING_ORIGIN;
    const failure = (await client().exchange!(exchangeRequest(origin)).catch((e: unknown) => e)) as UpstreamFailure;
    expect(failure.kind).toBe('unreachable');
    expect(failure.message).toBe(`could not reach ${origin}: connection refused (ECONNREFUSED)`);
  });
});

describe('exchangeWith: a client with `send` only', () => {
  it('reads its Node stream through the same UpstreamBody, and passes the client leaving on as a signal', async () => {
    let signal: AbortSignal | undefined;
    const sendOnly: UpstreamClient = {
      async send(req) {
        signal = req.signal;
        return { status: 201, headers: { 'x-stub': 'yes' }, body: Readable.from([Buffer.from('a'), Buffer.from('b')]) };
      },
      close: async () => {},
    };
    const gone = new ClientGone();
    const answer = await exchangeWith(sendOnly, exchangeRequest('http://127.0.0.1:1', gone));
    expect(answer.status).toBe(201);
    expect(await readBody(answer.body)).toEqual({ chunks: ['a', 'b'], end: true });
    expect(signal?.aborted).toBe(false);
    gone.abort();
    expect(signal?.aborted).toBe(true);
  });
});
