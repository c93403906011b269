/**
 * The live view: a small web page on the gateway's own port, `/_plano/`, listing each model call
 * as it completes (server-sent events), with totals per model and a latency timeline, and one
 * call's bodies when `--inspect` kept them.
 *
 *   GET /_plano/                  the page (HTML; its script at /_plano/live-view.js)
 *   GET /_plano/api/calls         {calls, totals}: the calls kept, oldest first
 *   GET /_plano/api/calls/{id}    {call, inspection}: one call, its bodies when kept
 *   GET /_plano/api/events        text/event-stream: `snapshot` ({calls, totals}) first, then a
 *                                 `call` ({call, totals}) per completed call
 *
 * Who may see it: the calls of everyone using the gateway. It is served only when the gateway
 * listens on a loopback address (or the user asked for it elsewhere, --live-view-public, and was
 * warned), and — against DNS rebinding, where a web page makes a browser send requests to
 * 127.0.0.1 under its own host name — only to requests whose Host is a loopback name, unless
 * public. Nothing it shows carries a credential (call-log.ts, call-inspection.ts).
 */
import type { Context, Hono } from 'hono';
import type { CallLog, CallLogEvent } from './call-log.js';
import { JSON_CONTENT_TYPE } from './errors.js';
import { LIVE_VIEW_PAGE, LIVE_VIEW_SCRIPT } from './live-view-page.js';

export const LIVE_VIEW_PATH = '/_plano/';

export interface LiveViewOptions {
  calls: CallLog;
  /** Serve to any Host (--live-view-public); otherwise only to loopback names. */
  public: boolean;
  /** How often an idle event stream gets a comment, so proxies and browsers keep it open. */
  keepAliveMs?: number;
}

export interface LiveView {
  /** Ends every open event stream (the gateway is stopping: they would hold it open). */
  close(): void;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The page runs its own script only, talks to its own origin only, and is never framed.
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Mounts the live view on `app`. */
export function mountLiveView(app: Hono, options: LiveViewOptions): LiveView {
  const { calls } = options;
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const encoder = new TextEncoder();
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  let closed = false;

  app.use('/_plano/*', async (c, next) => {
    if (!options.public && !isLoopbackHost(c.req.header('host'))) {
      return c.json(
        {
          error: {
            message: `the live view answers requests addressed to a loopback name (localhost, 127.0.0.1, [::1]), not to '${c.req.header('host') ?? ''}'`,
            type: 'forbidden',
          },
        },
        403,
      );
    }
    await next();
  });
  app.get('/_plano', (c) => c.redirect(LIVE_VIEW_PATH, 308));
  app.get(LIVE_VIEW_PATH, (c) => c.body(LIVE_VIEW_PAGE, 200, PAGE_HEADERS));
  app.get('/_plano/live-view.js', (c) =>
    c.body(LIVE_VIEW_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }),
  );
  app.get('/_plano/api/calls', (c) => json(c, { calls: calls.recent(), totals: calls.totals() }));
  app.get('/_plano/api/calls/:id', (c) => {
    const found = calls.find(Number(c.req.param('id')));
    if (!found) return json(c, { error: { message: `no call ${c.req.param('id')} is kept (the live view keeps the newest calls)`, type: 'not_found' } }, 404);
    return json(c, { call: found.call, inspection: found.inspection ?? null });
  });
  app.get('/_plano/api/events', (c) => {
    // Stopping: a reconnecting viewer would hold the stop open again.
    if (closed) return json(c, { error: { message: 'the gateway is stopping', type: 'unavailable' } }, 503);
    let unsubscribe = (): void => {};
    let keepAlive: NodeJS.Timeout | undefined;
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const stop = (): void => {
      unsubscribe();
      clearInterval(keepAlive);
      if (controller) streams.delete(controller);
    };
    const body = new ReadableStream<Uint8Array>(
      {
        start(c) {
          controller = c;
          streams.add(c);
          const send = (text: string): void => {
            // A viewer that stopped reading (a frozen tab) is let go rather than queued for without
            // end; its EventSource reconnects and starts again from a snapshot.
            if ((c.desiredSize ?? 0) <= 0) {
              stop();
              c.close();
              return;
            }
            c.enqueue(encoder.encode(text));
          };
          const event = (name: string, data: unknown): void => send(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
          event('snapshot', { calls: calls.recent(), totals: calls.totals() });
          unsubscribe = calls.subscribe((update: CallLogEvent) => event('call', update));
          keepAlive = setInterval(() => send(': keep-alive\n\n'), keepAliveMs);
          keepAlive.unref();
        },
        cancel: stop,
      },
      // Events waiting for a slow viewer: past this many it is let go (above).
      { highWaterMark: 1024 },
    );
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
    });
  });

  return {
    close() {
      closed = true;
      for (const controller of [...streams]) {
        try {
          controller.close();
        } catch {
          // Already closed by its client.
        }
      }
      streams.clear();
    },
  };
}

/**
 * Answers `/_plano/…` on a gateway bound to a non-loopback address without --live-view-public:
 * a 404 that says why and how to see it.
 */
export function mountLiveViewRefusal(app: Hono, host: string): void {
  app.all('/_plano/*', (c) =>
    json(
      c,
      {
        error: {
          message: `the live view is not served on ${host}, a non-loopback address: it shows every call made through this gateway. Bind to 127.0.0.1, or start with --live-view-public to serve it there.`,
          type: 'not_found',
        },
      },
      404,
    ),
  );
}

/** Whether the gateway's bind address keeps the page on this machine. */
export function isLoopbackAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}

/** Whether a Host header names this machine's loopback (with or without a port). */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d+$/, '');
  return isLoopbackAddress(host) || host.toLowerCase().endsWith('.localhost');
}

function json(c: Context, body: unknown, status: 200 | 404 | 503 = 200): Response {
  return c.body(JSON.stringify(body), status, { 'content-type': JSON_CONTENT_TYPE, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
}
