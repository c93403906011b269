import { describe, expect, it } from 'vitest';
import { SessionCache, sessionCacheOptions } from '../../src/routing/affinity.js';

function cacheWithClock(maxEntries: number, ttlSeconds: number) {
  const clock = { now: 1_000_000 };
  const cache = new SessionCache<string>({ maxEntries, ttlMs: ttlSeconds * 1000, now: () => clock.now });
  return { cache, clock };
}

describe('SessionCache', () => {
  it('returns a pinned value until its TTL has passed', () => {
    const { cache, clock } = cacheWithClock(10, 600);
    cache.set('s1', 'openai/gpt-5');
    clock.now += 599_999;
    expect(cache.get('s1')).toBe('openai/gpt-5');
    clock.now += 1;
    expect(cache.get('s1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not extend a pin by using it', () => {
    const { cache, clock } = cacheWithClock(10, 60);
    cache.set('s1', 'a');
    clock.now += 50_000;
    expect(cache.get('s1')).toBe('a');
    clock.now += 10_000;
    expect(cache.get('s1')).toBeUndefined();
  });

  it('evicts the least recently used session beyond max entries', () => {
    const { cache } = cacheWithClock(2, 600);
    cache.set('s1', 'a');
    cache.set('s2', 'b');
    expect(cache.get('s1')).toBe('a');
    cache.set('s3', 'c');
    expect(cache.get('s2')).toBeUndefined();
    expect(cache.get('s1')).toBe('a');
    expect(cache.get('s3')).toBe('c');
    expect(cache.size).toBe(2);
  });

  it('replaces a live value without extending it, and not an expired one', () => {
    const { cache, clock } = cacheWithClock(10, 60);
    cache.set('s1', 'a');
    clock.now += 30_000;
    expect(cache.replace('s1', 'b')).toBe(true);
    expect(cache.get('s1')).toBe('b');
    clock.now += 30_000;
    expect(cache.replace('s1', 'c')).toBe(false);
    expect(cache.get('s1')).toBeUndefined();
  });
});

describe('sessionCacheOptions', () => {
  it('reads routing.session_ttl_seconds and routing.session_max_entries', () => {
    expect(sessionCacheOptions({ session_ttl_seconds: 30, session_max_entries: 5 })).toEqual({ maxEntries: 5, ttlMs: 30_000 });
  });

  it('defaults to 600 s and 10000 entries, and caps entries at 10000', () => {
    expect(sessionCacheOptions({})).toEqual({ maxEntries: 10_000, ttlMs: 600_000 });
    expect(sessionCacheOptions({ session_max_entries: 50_000, session_ttl_seconds: -1 })).toEqual({ maxEntries: 10_000, ttlMs: 600_000 });
  });
});
