/**
 * What the network end-to-end suite stands up on 127.0.0.1, all stopped by the test: a provider
 * that answers from a script (503, 503, then 200), a TLS provider whose certificate a private CA
 * made here by openssl signed, and a forward proxy that does CONNECT tunnels and absolute-form
 * requests, recording both.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { upstreamFixture } from '../server/gateway-harness.js';

/** What a scripted answer is: a status (with optional headers), or a stream that breaks after its first event. */
export type ScriptStep = { status: number; headers?: Record<string, string> } | 'stream-breaks-after-first-event';

export interface ScriptedUpstream {
  url: string;
  /** The steps for requests carrying `x-script: <id>`, one per request; the last repeats. */
  script(id: string, steps: ScriptStep[]): void;
  /** The requests that carried `x-script: <id>`: when each arrived (ms since the epoch) and its headers. */
  received(id: string): Array<{ at: number; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

/** Answers chat completions (JSON or stream) from fixtures/upstream/, as the script for the request says. */
export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const scripts = new Map<string, ScriptStep[]>();
  const received = new Map<string, Array<{ at: number; headers: IncomingMessage['headers'] }>>();
  const server = createHttpServer((req, res) => {
    readBody(req, (body) => {
      const id = String(req.headers['x-script'] ?? '');
      const log = received.get(id) ?? [];
      received.set(id, log);
      log.push({ at: Date.now(), headers: req.headers });
      const steps = scripts.get(id) ?? [{ status: 200 }];
      const step = steps[Math.min(log.length - 1, steps.length - 1)]!;
      answerChat(res, body, step);
    });
  });
  const url = await listen(server);
  return {
    url,
    script: (id, steps) => void scripts.set(id, steps),
    received: (id) => received.get(id) ?? [],
    close: () => close(server),
  };
}

function answerChat(res: ServerResponse, body: { stream?: boolean }, step: ScriptStep): void {
  if (step === 'stream-breaks-after-first-event') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(upstreamFixture('openai-chat-stream.sse').split(/(?<=\n\n)/)[0]!);
    setTimeout(() => res.socket?.destroy(), 50);
    return;
  }
  if (step.status !== 200) {
    res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
    res.end(JSON.stringify({ error: { message: `scripted ${step.status}`, type: 'server_error' } }));
    return;
  }
  if (body.stream === true) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(upstreamFixture('openai-chat-stream.sse'));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(upstreamFixture('openai-chat-completion.json'));
}

export interface PrivateCa {
  /** The CA's certificate (PEM file): what `overrides.upstream_tls_ca_path` names. */
  caFile: string;
  serverKey: string;
  serverCert: string;
}

/** A CA and a certificate for 127.0.0.1 and localhost signed by it, made by openssl in `dir`. */
export function makePrivateCa(dir: string): PrivateCa {
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=plano test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '2', '-extfile', file('san.ext'));
  return { caFile: file('ca.pem'), serverKey: readFileSync(file('server.key'), 'utf8'), serverCert: readFileSync(file('server.pem'), 'utf8') };
}

export interface TlsUpstream {
  /** https://127.0.0.1:<port> */
  url: string;
  requests(): number;
  close(): Promise<void>;
}

/** A provider on HTTPS with the private CA's certificate, answering chat completions. */
export async function startTlsUpstream(ca: PrivateCa): Promise<TlsUpstream> {
  let count = 0;
  const server = createHttpsServer({ key: ca.serverKey, cert: ca.serverCert }, (req, res) => {
    readBody(req, (body) => {
      count++;
      answerChat(res, body, { status: 200 });
    });
  });
  const url = (await listen(server)).replace('http://', 'https://');
  return { url, requests: () => count, close: () => close(server) };
}

export interface ForwardProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  /** `CONNECT host:port` tunnels opened, and absolute-form request URLs forwarded, in order. */
  tunnels: string[];
  forwarded: string[];
  close(): Promise<void>;
}

/** A forward proxy as corporate networks have: CONNECT for TLS, absolute-form requests for plain HTTP. */
export async function startForwardProxy(): Promise<ForwardProxy> {
  const tunnels: string[] = [];
  const forwarded: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((req, res) => {
    forwarded.push(req.url ?? '');
    const target = new URL(req.url ?? '');
    const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const url = await listen(server);
  return {
    url,
    tunnels,
    forwarded,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await close(server);
    },
  };
}

function readBody(req: IncomingMessage, done: (body: { stream?: boolean }) => void): void {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (text += chunk));
  req.on('end', () => done(text === '' ? {} : (JSON.parse(text) as { stream?: boolean })));
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
