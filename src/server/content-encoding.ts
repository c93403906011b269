/**
 * Upstream answers are relayed decoded. The gateway asks for identity (it does not forward the
 * client's Accept-Encoding: headers.ts), but some proxies compress regardless; the body is then
 * decompressed here, before usage is read or anything translated, and `content-encoding` and
 * `content-length` are dropped — a client is never handed a body labelled with an encoding it
 * does not have. (Plano's Envoy does the same with its decompressor filter.)
 */
import type { Transform } from 'node:stream';
import { brotliDecompressSync, createBrotliDecompress, createGunzip, createInflate, gunzipSync, inflateSync } from 'node:zlib';
import type { BodyConsumer, UpstreamBody, UpstreamExchange } from './upstream-client.js';

/** The content codings plano undoes, each as a stream (a relayed answer) and whole (a small body read at once). */
const DECODERS: Readonly<Record<string, { stream: () => Transform; whole: (bytes: Buffer, options: { maxOutputLength: number }) => Buffer }>> = {
  gzip: { stream: createGunzip, whole: gunzipSync },
  'x-gzip': { stream: createGunzip, whole: gunzipSync },
  deflate: { stream: createInflate, whole: inflateSync },
  br: { stream: createBrotliDecompress, whole: brotliDecompressSync },
};

/**
 * The exchange with its body decoded (as it is when it has no content-encoding), or the encoding
 * plano cannot decode.
 */
export function decodedExchange(exchange: UpstreamExchange): UpstreamExchange | { undecodable: string } {
  const header = exchange.headers['content-encoding'];
  if (header === undefined) return exchange;
  // Codings are undone last first.
  const codings = codingsOf(header);
  const { 'content-encoding': _encoding, 'content-length': _length, ...headers } = exchange.headers;
  let body = exchange.body;
  for (const coding of codings.reverse()) {
    const decoder = DECODERS[coding];
    if (!decoder) {
      exchange.body.destroy();
      return { undecodable: coding };
    }
    body = decodingBody(body, decoder.stream(), coding);
  }
  return { status: exchange.status, headers, body };
}

/** `body` through a zlib decoder, with the relay's pause and resume reaching the upstream through it. */
function decodingBody(body: UpstreamBody, decoder: Transform, coding: string): UpstreamBody {
  let failed = false;
  return {
    read(consumer: BodyConsumer) {
      decoder.on('data', (chunk: Buffer) => consumer.data(chunk));
      decoder.on('end', () => consumer.end());
      decoder.on('error', (error: Error) => {
        if (failed) return;
        failed = true;
        body.destroy();
        consumer.error(new Error(`its ${coding}-encoded body could not be decoded (${error.message})`, { cause: error }));
      });
      body.read({
        data(chunk) {
          // The decoder holds what the client has not taken yet: a full decoder pauses the upstream.
          if (!decoder.write(chunk)) {
            body.pause();
            decoder.once('drain', () => body.resume());
          }
        },
        end: () => decoder.end(),
        error(error) {
          if (failed) return;
          failed = true;
          decoder.destroy();
          consumer.error(error);
        },
      });
    },
    pause: () => void decoder.pause(),
    resume: () => void decoder.resume(),
    destroy() {
      failed = true;
      decoder.destroy();
      body.destroy();
    },
  };
}

/**
 * A small body read whole (a token count, a router's answer), decoded by its content-encoding.
 * Throws on an encoding plano cannot decode, and on one that decodes to more than `maxBytes` (a
 * few compressed kilobytes can stand for gigabytes).
 */
export function decodedBytes(bytes: Buffer, header: string | string[] | undefined, maxBytes = 8 * 1024 * 1024): Buffer {
  if (header === undefined) return bytes;
  let out = bytes;
  for (const coding of codingsOf(header).reverse()) {
    const decoder = DECODERS[coding];
    if (!decoder) throw new Error(`content-encoding ${coding}, which plano cannot decode`);
    out = decoder.whole(out, { maxOutputLength: maxBytes });
  }
  return out;
}

/** The codings a Content-Encoding header lists, in the order applied (RFC 9110 §8.4). */
function codingsOf(header: string | string[]): string[] {
  return (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}
