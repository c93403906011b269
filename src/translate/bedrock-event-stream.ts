/**
 * Bedrock ConverseStream's body: the AWS event-stream binary framing
 * (`application/vnd.amazon.eventstream`), decoded with @smithy/eventstream-codec.
 *
 * Each frame is `total length u32 | headers length u32 | prelude CRC32 | headers | payload |
 * message CRC32` (AWS "Event stream encoding"). The codec decodes and checks whole frames only,
 * so this module cuts them out of reads with arbitrary boundaries using the length prelude.
 * Headers say what the JSON payload is: `:message-type` `event` (with `:event-type`, e.g.
 * `contentBlockDelta`), `exception` (with `:exception-type`, e.g. `throttlingException`) or
 * `error` (with `:error-code` / `:error-message`).
 */
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { parseEventJson } from './sse.js';
import { decodingTransducer } from './decoding-transducer.js';
import type { JsonObject, StreamTransducer } from './types.js';

/** One decoded frame, reduced to what a translation needs. */
export type BedrockStreamFrame =
  | { kind: 'event'; eventType: string; payload: JsonObject }
  /** An exception or error frame, or bytes that are not a valid frame: the stream cannot go on. */
  | { kind: 'exception'; exceptionType: string; message: string };

export interface BedrockFrameDecoder {
  /** Decode the next bytes (any boundaries); returns the frames they completed, in order. */
  push(chunk: Uint8Array): BedrockStreamFrame[];
  /** The body ended: reports a frame cut short, if any. */
  end(): BedrockStreamFrame[];
}

const PRELUDE_BYTES = 12;
const MINIMUM_FRAME_BYTES = 16;
// The format allows 16 MiB of payload and 128 KiB of headers; a larger length means the bytes
// are not event-stream at all (for example a proxy's HTML error page).
const MAXIMUM_FRAME_BYTES = 16 * 1024 * 1024 + 128 * 1024 + MINIMUM_FRAME_BYTES;

export function createBedrockFrameDecoder(): BedrockFrameDecoder {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  let pending: Uint8Array = new Uint8Array(0);
  let broken = false;

  const fail = (message: string): BedrockStreamFrame[] => {
    broken = true;
    pending = new Uint8Array(0);
    return [{ kind: 'exception', exceptionType: 'malformedEventStream', message }];
  };

  return {
    push(chunk) {
      if (broken || chunk.byteLength === 0) return [];
      pending = appendBytes(pending, chunk);
      const frames: BedrockStreamFrame[] = [];
      let offset = 0;
      while (pending.byteLength - offset >= PRELUDE_BYTES) {
        const view = new DataView(pending.buffer, pending.byteOffset + offset, PRELUDE_BYTES);
        const total = view.getUint32(0, false);
        if (total < MINIMUM_FRAME_BYTES || total > MAXIMUM_FRAME_BYTES) {
          return [...frames, ...fail(`The upstream sent bytes that are not an AWS event-stream frame (length prelude ${total}).`)];
        }
        if (pending.byteLength - offset < total) break;
        let message: Message;
        try {
          message = codec.decode(pending.subarray(offset, offset + total));
        } catch (error) {
          return [...frames, ...fail(`The upstream sent a corrupt AWS event-stream frame: ${(error as Error).message}`)];
        }
        offset += total;
        frames.push(frameOf(message));
      }
      // Keep only the unfinished tail; copy it so the caller's chunk buffer can be reused.
      pending = offset === 0 ? pending : pending.slice(offset);
      return frames;
    },
    end() {
      if (broken || pending.byteLength === 0) return [];
      return fail(`The upstream stream ended inside an event-stream frame (${pending.byteLength} bytes left over).`);
    },
  };
}

function appendBytes(head: Uint8Array, tail: Uint8Array): Uint8Array {
  if (head.byteLength === 0) return tail.slice();
  const joined = new Uint8Array(head.byteLength + tail.byteLength);
  joined.set(head, 0);
  joined.set(tail, head.byteLength);
  return joined;
}

function headerText(message: Message, name: string): string | undefined {
  const header = message.headers[name];
  return header?.type === 'string' ? header.value : undefined;
}

function frameOf(message: Message): BedrockStreamFrame {
  const messageType = headerText(message, ':message-type') ?? 'event';
  const payload = parseEventJson(toUtf8(message.body));
  if (messageType === 'event') {
    const eventType = headerText(message, ':event-type');
    if (eventType !== undefined && payload !== undefined) return { kind: 'event', eventType, payload };
    return {
      kind: 'exception',
      exceptionType: 'malformedEventStream',
      message: 'The upstream sent an event-stream event without an :event-type header or a JSON payload.',
    };
  }
  if (messageType === 'exception') {
    const text = payload?.['message'] ?? payload?.['Message'];
    return {
      kind: 'exception',
      exceptionType: headerText(message, ':exception-type') ?? 'unknownException',
      message: typeof text === 'string' ? text : toUtf8(message.body),
    };
  }
  return {
    kind: 'exception',
    exceptionType: headerText(message, ':error-code') ?? 'unknownError',
    message: headerText(message, ':error-message') ?? toUtf8(message.body),
  };
}

/** What a translating stream does with each decoded Bedrock frame. */
export interface BedrockFrameHandler {
  /** Returns the client bytes this frame produces (maybe ''). */
  onFrame(frame: BedrockStreamFrame): string;
  /** The upstream ended (cleanly or not; `brokeOff`: StreamTransducer.end's): returns the closing client bytes. */
  onEnd(brokeOff?: string): string;
  usage(): { input_tokens?: number; output_tokens?: number } | undefined;
}

/** A `StreamTransducer` for a ConverseStream body: decodes frames and hands each to `handler`. */
export function bedrockStreamTransducer(handler: BedrockFrameHandler): StreamTransducer {
  return decodingTransducer(createBedrockFrameDecoder(), {
    onUnit: (unit: BedrockStreamFrame) => handler.onFrame(unit),
    onEnd: (brokeOff) => handler.onEnd(brokeOff),
    usage: () => handler.usage(),
  });
}
