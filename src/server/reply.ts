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
  return new NodeReplySink(res);
}

/*
 * The sinks are classes, their `headersSent` getters on the prototype. An object literal with a
 * getter, made per request, is built by V8 in dictionary mode with an accessor pair in the old
 * generation; that pair, through the getter's closure, kept the response — and with it the whole
 * request — alive through every young-generation collection until the next full one: ~4 KB of
 * every request promoted, GC 8–9% of the gateway's CPU where it is 5–7% now (bench/RESULTS.md,
 * issue 6). test/server/reply.test.ts keeps the getters off the instances.
 */

class NodeReplySink implements ReplySink {
  readonly #res: ServerResponse;
  #bodyStarted = false;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  send(status: number, headers: OutgoingHttpHeaders, body: string | Uint8Array): void {
    const res = this.#res;
    // The client already left (a failed upstream call noticed it late): nothing to send to.
    if (res.destroyed) return;
    headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    res.writeHead(status, headers);
    res.end(body);
  }

  head(status: number, headers: OutgoingHttpHeaders): void {
    this.#res.writeHead(status, headers);
    // The head leaves with the first body chunk (one write to the socket, not two: most answers
    // arrive with their headers). A stream's leaves by the next turn of the event loop even
    // without one, so its client sees the status before the first token does.
    if (String(headers['content-type']).startsWith('text/event-stream')) setImmediate(flushHeadUnlessStarted, this);
  }

  write(chunk: string | Uint8Array): boolean {
    this.#bodyStarted = true;
    return this.#res.write(chunk);
  }

  onDrain(resume: () => void): void {
    this.#res.once('drain', resume);
  }

  end(): void {
    this.#bodyStarted = true;
    this.#res.end();
  }

  destroy(error: Error): void {
    this.#res.destroy(error);
  }

  get headersSent(): boolean {
    return this.#res.headersSent;
  }

  flushHead(): void {
    if (!this.#bodyStarted && !this.#res.destroyed) this.#res.flushHeaders();
  }
}

const flushHeadUnlessStarted = (sink: NodeReplySink): void => sink.flushHead();

/**
 * A sink that builds a Web `Response`; `response` settles when the head is known. `onCancel`
 * runs when the reader of a streamed body stops reading (the client went away).
 */
export function webReplySink(onCancel: () => void): { sink: ReplySink; response: Promise<Response> } {
  let resolve!: (response: Response) => void;
  const response = new Promise<Response>((r) => (resolve = r));
  return { sink: new WebReplySink(resolve, onCancel), response };
}

const encoder = new TextEncoder();

function toHeaders(headers: OutgoingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) out.append(name, String(one));
  }
  return out;
}

class WebReplySink implements ReplySink {
  readonly #resolve: (response: Response) => void;
  readonly #onCancel: () => void;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  #drained: (() => void) | undefined;
  #sent = false;

  constructor(resolve: (response: Response) => void, onCancel: () => void) {
    this.#resolve = resolve;
    this.#onCancel = onCancel;
  }

  send(status: number, headers: OutgoingHttpHeaders, body: string | Uint8Array): void {
    this.#sent = true;
    this.#resolve(new Response(body, { status, headers: toHeaders(headers) }));
  }

  head(status: number, headers: OutgoingHttpHeaders): void {
    this.#sent = true;
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => void (this.#controller = controller),
        pull: () => {
          const resume = this.#drained;
          this.#drained = undefined;
          resume?.();
        },
        cancel: this.#onCancel,
      },
      { highWaterMark: 16 },
    );
    this.#resolve(new Response(body, { status, headers: toHeaders(headers) }));
  }

  write(chunk: string | Uint8Array): boolean {
    const controller = this.#controller!;
    controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
    return (controller.desiredSize ?? 0) > 0;
  }

  onDrain(resume: () => void): void {
    this.#drained = resume;
  }

  end(): void {
    this.#controller!.close();
  }

  destroy(error: Error): void {
    this.#controller!.error(error);
  }

  get headersSent(): boolean {
    return this.#sent;
  }
}

/** A sink that passes everything on to another; subclasses change what they need to. */
export class ForwardingSink implements ReplySink {
  constructor(protected readonly sink: ReplySink) {}

  send(status: number, headers: OutgoingHttpHeaders, body: string | Uint8Array): void {
    this.sink.send(status, headers, body);
  }

  head(status: number, headers: OutgoingHttpHeaders): void {
    this.sink.head(status, headers);
  }

  write(chunk: string | Uint8Array): boolean {
    return this.sink.write(chunk);
  }

  onDrain(resume: () => void): void {
    this.sink.onDrain(resume);
  }

  end(): void {
    this.sink.end();
  }

  destroy(error: Error): void {
    this.sink.destroy(error);
  }

  get headersSent(): boolean {
    return this.sink.headersSent;
  }
}

/**
 * A seam for speed: the string writes of one turn of the event loop sent to the client as one.
 * A translated stream produces a string per upstream read, and undici hands over a read's
 * chunks one by one; written one by one, each costs the HTTP layer a chunk header and the socket
 * a writev entry. Measured (bench/RESULTS.md, issue 14): a chat client's back-to-back stream from
 * an Anthropic model cost plano 195 µs of CPU per request with a write per chunk, 166 µs batched.
 * The batch leaves in a microtask, before anything else can happen (the head's flush, a timer),
 * so no byte waits for the next chunk; Uint8Array writes (passed-through bytes) are not batched.
 * Backpressure: the answer `write` gives is the last flush's — a relay pauses one batch late.
 */
export class BatchingSink extends ForwardingSink {
  #pending = '';
  #scheduled = false;
  #blocked = false;

  override write(chunk: string | Uint8Array): boolean {
    if (typeof chunk !== 'string') {
      this.flush();
      return this.sink.write(chunk);
    }
    this.#pending += chunk;
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.flush());
    }
    return !this.#blocked;
  }

  /** Sends what is pending now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending === '') return;
    const out = this.#pending;
    this.#pending = '';
    if (!this.sink.write(out)) this.#blocked = true;
  }

  override onDrain(resume: () => void): void {
    this.sink.onDrain(() => {
      this.#blocked = false;
      resume();
    });
  }

  override end(): void {
    this.flush();
    this.sink.end();
  }

  override destroy(error: Error): void {
    this.#pending = '';
    this.sink.destroy(error);
  }
}
