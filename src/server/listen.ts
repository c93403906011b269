/**
 * The gateway on a socket: a node:http server that gives the model routes to the app's Node
 * handler and everything else to the Hono app through @hono/node-server's adapter, and a
 * graceful stop — no new connections, in-flight requests and streams allowed to finish
 * (bounded), then whatever is left cut off.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';

export interface ListenOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningGateway {
  /** The URL clients use: the bound port, and a reachable host for a wildcard address. */
  url: string;
  host: string;
  port: number;
  /**
   * Stop accepting connections and wait up to `graceMs` for in-flight responses to finish;
   * resolves once every connection is closed (cut off after the grace period). Returns how many
   * responses were cut off.
   */
  stop(graceMs: number): Promise<number>;
  /** During `stop`: cut off what is still running now rather than at the end of the grace period. */
  cutOff(): void;
  /** Responses not yet complete. */
  inFlight(): number;
}

/** What the server runs: a Hono app's `fetch`, and optionally a Node handler that takes the requests it returns true for. */
export interface ServedApp {
  fetch: Parameters<typeof getRequestListener>[0];
  serveNode?(incoming: IncomingMessage, outgoing: ServerResponse): boolean;
}

export async function listenGateway(app: ServedApp, options: ListenOptions): Promise<RunningGateway> {
  const viaHono = getRequestListener(app.fetch);
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  const track = (res: ServerResponse): void => {
    inFlight.add(res);
    // While stopping, a request that arrives on a kept-alive connection is still served, and
    // its connection closed after it.
    if (stopping) res.setHeader('connection', 'close');
    // A response closes once, and dies with its request: no `once` wrapper needed.
    res.on('close', () => inFlight.delete(res));
  };
  const server = createServer((incoming, outgoing) => {
    track(outgoing);
    if (!app.serveNode?.(incoming, outgoing)) void viaHono(incoming, outgoing);
  });
  // `Expect: 100-continue` (RFC 9110 §10.1.1): Node would answer 100 Continue before any handler
  // ran. The model routes ask for the body themselves, so one declared larger than they accept
  // is refused with 413 unsent; any other route is told to continue at once.
  server.on('checkContinue', (incoming, outgoing) => {
    track(outgoing);
    if (app.serveNode?.(incoming, outgoing)) return;
    outgoing.writeContinue();
    void viaHono(incoming, outgoing);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  let cutOff = 0;
  const cut = (): void => {
    cutOff += inFlight.size;
    server.closeAllConnections();
  };

  return {
    url: `http://${urlHost(options.host)}:${address.port}`,
    host: options.host,
    port: address.port,
    stop(graceMs) {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle kept-alive connections would otherwise hold `close` open; busy ones are closed once
      // their last response is done.
      server.closeIdleConnections();
      const drained = (): void => {
        if (inFlight.size === 0) server.closeIdleConnections();
      };
      for (const res of inFlight) res.once('close', () => setImmediate(drained));
      const timer = setTimeout(cut, graceMs);
      return closed.then(() => {
        clearTimeout(timer);
        return cutOff;
      });
    },
    cutOff: cut,
    inFlight: () => inFlight.size,
  };
}

/** A host for URLs: the loopback address for a wildcard bind, IPv6 literals in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
