/** Decoding what upstreams send compressed: streamed through the relay, or read whole (content-encoding.ts). */
import { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodedBytes, decodedExchange } from '../../src/server/content-encoding.js';
import { readableBody, type UpstreamExchange } from '../../src/server/upstream-client.js';

const TEXT = 'data: {"choices":[{"delta":{"content":"hello"}}]}\n\n'.repeat(200);

function exchange(body: Buffer, headers: Record<string, string>): UpstreamExchange {
  // Cut into small reads, as a network delivers them.
  const pieces = Array.from({ length: Math.ceil(body.length / 97) }, (_, i) => body.subarray(i * 97, (i + 1) * 97));
  return { status: 200, headers: { 'content-type': 'text/event-stream', ...headers }, body: readableBody(Readable.from(pieces)) };
}

function readAll(ex: UpstreamExchange): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    ex.body.read({ data: (c) => chunks.push(c), end: () => resolve(Buffer.concat(chunks).toString('utf8')), error: reject });
  });
}

describe('decodedExchange', () => {
  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('%s: the body decoded, content-encoding and content-length gone', async (coding, compress) => {
    const compressed = compress(Buffer.from(TEXT));
    const decoded = decodedExchange(exchange(compressed, { 'content-encoding': coding, 'content-length': String(compressed.length) }));
    if ('undecodable' in decoded) throw new Error('undecodable');
    expect(decoded.headers['content-encoding']).toBeUndefined();
    expect(decoded.headers['content-length']).toBeUndefined();
    expect(await readAll(decoded)).toBe(TEXT);
  });

  it('two codings are undone last first; identity is none', async () => {
    const twice = brotliCompressSync(gzipSync(Buffer.from(TEXT)));
    const decoded = decodedExchange(exchange(twice, { 'content-encoding': 'gzip, identity, br' }));
    if ('undecodable' in decoded) throw new Error('undecodable');
    expect(await readAll(decoded)).toBe(TEXT);
  });

  it('no content-encoding: the same exchange; an unknown one: named, and the body abandoned', () => {
    const plain = exchange(Buffer.from(TEXT), {});
    expect(decodedExchange(plain)).toBe(plain);
    expect(decodedExchange(exchange(Buffer.from(TEXT), { 'content-encoding': 'zstd' }))).toEqual({ undecodable: 'zstd' });
  });

  it('a body that is not what its header says fails as an error the relay reports', async () => {
    const decoded = decodedExchange(exchange(Buffer.from(TEXT), { 'content-encoding': 'gzip' }));
    if ('undecodable' in decoded) throw new Error('undecodable');
    await expect(readAll(decoded)).rejects.toThrow(/gzip-encoded body could not be decoded/);
  });
});

describe('decodedBytes', () => {
  it('decodes, and refuses what decodes past its limit (a compression bomb)', () => {
    expect(decodedBytes(gzipSync(Buffer.from('{"input_tokens": 3}')), 'gzip').toString()).toBe('{"input_tokens": 3}');
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20_000);
    expect(() => decodedBytes(bomb, 'gzip', 1024 * 1024)).toThrow(/maxOutputLength|larger than/i);
    expect(() => decodedBytes(Buffer.from('x'), 'compress')).toThrow('content-encoding compress, which plano cannot decode');
  });
});
