import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { createBedrockFrameDecoder } from '../../src/translate/bedrock-event-stream.js';
import { bedrockEventStreamBody, encodeBedrockFrame } from './bedrock-event-stream-body.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

describe('the ConverseStream frame decoder', () => {
  it('decodes several frames from one read, in order, with their JSON payloads', () => {
    const body = bedrockEventStreamBody([
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hi ✓' }, p: 'abc' } },
      { throttlingException: { message: 'Slow down' } },
    ]);
    const decoder = createBedrockFrameDecoder();
    expect(decoder.push(body)).toEqual([
      { kind: 'event', eventType: 'messageStart', payload: { role: 'assistant' } },
      { kind: 'event', eventType: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Hi ✓' }, p: 'abc' } },
      { kind: 'exception', exceptionType: 'throttlingException', message: 'Slow down' },
    ]);
    expect(decoder.end()).toEqual([]);
  });

  it('keeps a partial frame until the rest arrives, even if the caller reuses its buffer', () => {
    const frame = encodeBedrockFrame({ messageStop: { stopReason: 'end_turn' } });
    const decoder = createBedrockFrameDecoder();
    const read = new Uint8Array(frame.length);
    read.set(frame.subarray(0, 5));
    expect(decoder.push(read.subarray(0, 5))).toEqual([]);
    read.fill(0);
    read.set(frame.subarray(5), 0);
    expect(decoder.push(read.subarray(0, frame.length - 5))).toEqual([{ kind: 'event', eventType: 'messageStop', payload: { stopReason: 'end_turn' } }]);
  });

  it('reads `error` message frames by their :error-code and :error-message headers', () => {
    const frame = codec.encode({
      headers: {
        ':message-type': { type: 'string', value: 'error' },
        ':error-code': { type: 'string', value: 'InternalFailure' },
        ':error-message': { type: 'string', value: 'Something broke' },
      },
      body: new Uint8Array(0),
    });
    expect(createBedrockFrameDecoder().push(frame)).toEqual([{ kind: 'exception', exceptionType: 'InternalFailure', message: 'Something broke' }]);
  });

  it('reports an event without :event-type or without a JSON payload', () => {
    const frame = codec.encode({ headers: { ':message-type': { type: 'string', value: 'event' } }, body: fromUtf8('not json') });
    const [decoded] = createBedrockFrameDecoder().push(frame);
    expect(decoded).toMatchObject({ kind: 'exception', exceptionType: 'malformedEventStream' });
  });

  it('reports a body cut inside a frame at the end, and stops after a broken frame', () => {
    const body = bedrockEventStreamBody([{ messageStart: { role: 'assistant' } }, { messageStop: { stopReason: 'end_turn' } }]);
    const decoder = createBedrockFrameDecoder();
    expect(decoder.push(body.subarray(0, body.length - 3))).toHaveLength(1);
    expect(decoder.end()).toEqual([{ kind: 'exception', exceptionType: 'malformedEventStream', message: expect.stringContaining('ended inside an event-stream frame') }]);

    const corrupt = bedrockEventStreamBody([{ messageStart: { role: 'assistant' } }]);
    corrupt[20] = (corrupt[20] ?? 0) ^ 1;
    const broken = createBedrockFrameDecoder();
    expect(broken.push(corrupt)).toEqual([{ kind: 'exception', exceptionType: 'malformedEventStream', message: expect.stringContaining('corrupt') }]);
    expect(broken.push(bedrockEventStreamBody([{ messageStart: { role: 'assistant' } }]))).toEqual([]);
    expect(broken.end()).toEqual([]);
  });
});
