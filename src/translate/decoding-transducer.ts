/**
 * The skeleton every translating stream shares: a decoder cuts upstream bytes into units (SSE
 * events, Bedrock event-stream frames), a handler turns each unit into client bytes, and the end
 * of the upstream flushes both. Ends once; bytes after the end are ignored.
 */
import type { StreamTransducer } from './types.js';

export interface UnitDecoder<Unit> {
  push(chunk: Uint8Array): Unit[];
  end(): Unit[];
}

export interface UnitHandler<Unit> {
  /** The client bytes this unit produces (maybe ''). */
  onUnit(unit: Unit): string;
  /** The upstream ended (cleanly or not; `brokeOff`: StreamTransducer.end's): the closing client bytes. */
  onEnd(brokeOff?: string): string;
  usage(): { input_tokens?: number; output_tokens?: number } | undefined;
}

export function decodingTransducer<Unit>(decoder: UnitDecoder<Unit>, handler: UnitHandler<Unit>): StreamTransducer {
  let ended = false;
  // String concatenation, not map+join: this runs for every read of every translated stream.
  const feed = (units: Unit[]): string => {
    let out = '';
    for (const unit of units) out += handler.onUnit(unit);
    return out;
  };
  return {
    push: (chunk) => (ended ? '' : feed(decoder.push(chunk))),
    end(brokeOff) {
      if (ended) return '';
      ended = true;
      return feed(decoder.end()) + handler.onEnd(brokeOff);
    },
    usage: () => handler.usage(),
  };
}
