/**
 * Trace and span ids, kept both ways they are written: as hex (a `traceparent` header, OTLP/JSON)
 * and as bytes (OTLP/protobuf). Ids plano makes are cut from a pool of random bytes and its hex,
 * each id a place in both, so no id is converted from one form to the other on the request path:
 * decoding the hex of a traced request's five ids as its spans were encoded was ~7 k
 * instructions, the largest single item of the encoding (`npm run bench:instructions`, session 10).
 */
import { randomFillSync } from 'node:crypto';

export class SpanId {
  constructor(
    /** Lower-case hex, two digits a byte. */
    readonly hex: string,
    /**
     * The id's bytes are `length` bytes of `words` from `at`, never written after (a DataView:
     * the encoder copies them four at a time).
     */
    readonly words: DataView,
    readonly at: number,
    /** 16 for a trace id, 8 for a span id. */
    readonly length: number,
  ) {}

  /** An id from its lower-case hex (a client's `traceparent`, already checked for form). */
  static fromHex(hex: string): SpanId {
    const bytes = Buffer.from(hex, 'hex');
    return new SpanId(hex, new DataView(bytes.buffer, bytes.byteOffset, bytes.length), 0, bytes.length);
  }
}

/**
 * A new random id of `length` bytes, never all zeros (W3C Trace Context). One call to the system
 * and one hex conversion serve a pool's worth of ids (converting each id on its own — a native
 * hexSlice per id — was ~1.5 µs of a traced request, session 7). A pool used up is replaced, not
 * refilled: spans waiting to be encoded still read their ids from it.
 */
export function randomSpanId(length: 8 | 16): SpanId {
  if (poolAt + length > POOL_BYTES) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
    poolWords = new DataView(pool.buffer, pool.byteOffset, POOL_BYTES);
    poolHex = pool.toString('hex');
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += length;
  let zeros = true;
  for (let i = at; i < at + length && zeros; i++) zeros = pool[i] === 0;
  // All zeros: vanishingly rare, never used.
  if (zeros) return randomSpanId(length);
  return new SpanId(poolHex.substring(2 * at, 2 * (at + length)), poolWords, at, length);
}

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolWords = new DataView(new ArrayBuffer(0));
let poolHex = '';
let poolAt = POOL_BYTES;
