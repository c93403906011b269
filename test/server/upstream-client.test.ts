import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createUpstreamClient, UpstreamFailure, type UpstreamClient } from '../../src/server/upstream-client.js';

const servers: Server[] = [];
const clients: UpstreamClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

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
    const origin = await mockServer(() => {});
    const closing = servers.pop()!;
    await new Promise((r) => closing.close(r));
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
    let closed: () => void;
    const upstreamSawClose = new Promise<void>((r) => (closed = r));
    const origin = await mockServer((req) => req.socket.on('close', () => closed()));
    const controller = new AbortController();
    const pending = client().send(request(origin, { signal: controller.signal })).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 20);
    expect(((await pending) as UpstreamFailure).kind).toBe('aborted');
    await upstreamSawClose;
  });
});
