/**
 * Where a response goes. The request pipeline writes to a `ReplySink` and does not know whether
 * it is talking to a Node `ServerResponse` (the server: bytes go straight to the socket, no Web
 * stream in between) or to a Web `Response` under construction (`app.request` in tests, other
 * runtimes). Both behave the same: head once, then a body sent whole or written piece by piece
 * with backpressure.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export interface ReplySink {
  /** A complete response in one go. */
  send(status: number, headers: OutgoingHttpHeaders, body: string | Uint8Array): void;
  /** Status and headers of a response whose body follows through `write`. */
  head(status: number, headers: OutgoingHttpHeaders): void;
  /** False when the client is not keeping up: stop until `onDrain` calls back. */
  write(chunk: string | Uint8Array): boolean;
  onDrain(resume: () => void): void;
  end(): void;
  /** The body cannot be completed (the upstream failed mid-stream): cut the response off. */
  destroy(error: Error): void;
  /** Whether status and headers have gone out (after that, errors can only cut the body). */
  readonly headersSent: boolean;
}

export function nodeReplySink(res: ServerResponse): ReplySink {
  let bodyStarted = false;
  const flushHead = (): void => {
    if (!bodyStarted && !res.destroyed) res.flushHeaders();
  };
  return {
    send(status, headers, body) {
      // The client already left (a failed upstream call noticed it late): nothing to send to.
      if (res.destroyed) return;
      headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      res.writeHead(status, headers);
      res.end(body);
    },
    head(status, headers) {
      res.writeHead(status, headers);
      // The head leaves with the first body chunk (one write to the socket, not two: most answers
      // arrive with their headers). A stream's leaves by the next turn of the event loop even
      // without one, so its client sees the status before the first token does.
      if (String(headers['content-type']).startsWith('text/event-stream')) setImmediate(flushHead);
    },
    write(chunk) {
      bodyStarted = true;
      return res.write(chunk);
    },
    onDrain: (resume) => void res.once('drain', resume),
    end() {
      bodyStarted = true;
      res.end();
    },
    destroy: (error) => void res.destroy(error),
    get headersSent() {
      return res.headersSent;
    },
  };
}

/**
 * A sink that builds a Web `Response`; `response` settles when the head is known. `onCancel`
 * runs when the reader of a streamed body stops reading (the client went away).
 */
export function webReplySink(onCancel: () => void): { sink: ReplySink; response: Promise<Response> } {
  const encoder = new TextEncoder();
  let resolve!: (response: Response) => void;
  const response = new Promise<Response>((r) => (resolve = r));
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let drained: (() => void) | undefined;
  let sent = false;
  const toHeaders = (headers: OutgoingHttpHeaders): Headers => {
    const out = new Headers();
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) out.append(name, String(one));
    }
    return out;
  };
  const sink: ReplySink = {
    send(status, headers, body) {
      sent = true;
      resolve(new Response(body, { status, headers: toHeaders(headers) }));
    },
    head(status, headers) {
      sent = true;
      const body = new ReadableStream<Uint8Array>(
        {
          start: (c) => void (controller = c),
          pull: () => {
            const resume = drained;
            drained = undefined;
            resume?.();
          },
          cancel: onCancel,
        },
        { highWaterMark: 16 },
      );
      resolve(new Response(body, { status, headers: toHeaders(headers) }));
    },
    write(chunk) {
      controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      return (controller.desiredSize ?? 0) > 0;
    },
    onDrain: (resume) => void (drained = resume),
    end: () => controller.close(),
    destroy: (error) => controller.error(error),
    get headersSent() {
      return sent;
    },
  };
  return { sink, response };
}
