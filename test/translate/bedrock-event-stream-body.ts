/**
 * Builds a genuine Bedrock ConverseStream body (AWS event-stream binary frames) from a readable
 * list of events, for unit tests and for mock Bedrock upstreams in e2e tests.
 *
 * The list uses the shape of the AWS SDK's `ConverseStreamOutput` union: each entry is an object
 * with one key, the event or exception name, e.g.
 *   [{"messageStart": {"role": "assistant"}},
 *    {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "Hi"}}},
 *    {"throttlingException": {"message": "Too many requests"}}]
 * Names ending in `Exception` become `:message-type: exception` frames, the rest `event` frames,
 * with the headers Bedrock sends (`:event-type` / `:exception-type`, `:content-type`).
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

export type BedrockStreamEventJson = Record<string, Record<string, unknown>>;

/** The media type of a ConverseStream response. */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One event as a frame. */
export function encodeBedrockFrame(entry: BedrockStreamEventJson): Uint8Array {
  const names = Object.keys(entry);
  const name = names[0];
  if (names.length !== 1 || name === undefined) {
    throw new Error(`a Bedrock stream event has exactly one key (its name), got ${JSON.stringify(names)}`);
  }
  const isException = name.endsWith('Exception');
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: isException ? 'exception' : 'event' },
      [isException ? ':exception-type' : ':event-type']: { type: 'string', value: name },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify(entry[name])),
  });
}

/** The whole body: the frames of `events`, back to back. */
export function bedrockEventStreamBody(events: readonly BedrockStreamEventJson[]): Uint8Array {
  const frames = events.map(encodeBedrockFrame);
  const body = new Uint8Array(frames.reduce((sum, frame) => sum + frame.byteLength, 0));
  let offset = 0;
  for (const frame of frames) {
    body.set(frame, offset);
    offset += frame.byteLength;
  }
  return body;
}
