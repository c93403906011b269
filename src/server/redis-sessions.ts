/**
 * `routing.session_cache: {type: redis, url}`: session-affinity pins kept in Redis, through
 * ioredis, so that replicas (and `--workers`) sharing it keep one session on one model. A pin is
 * `plano:affinity:<session id>` holding its route and ranked models as JSON, expiring with
 * `routing.session_ttl_seconds` (Redis's own expiry; the count limit of the memory cache does not
 * apply). The URL's password is never printed.
 */
import { redactUrl } from '../config/secret-values.js';
import type { SessionStore } from '../routing/affinity.js';

export const AFFINITY_KEY_PREFIX = 'plano:affinity:';

export type OpenedSessions<V> = { ok: true; store: SessionStore<V>; close(): Promise<void> } | { ok: false; message: string; hint: string };

/** Connects to Redis at `url` (redis:// or rediss://) and answers the store; or why it cannot be used. */
export async function openRedisSessions<V>(url: string, ttlMs: number): Promise<OpenedSessions<V>> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    // A request waits for at most one reconnection attempt, then routes without its pin.
    maxRetriesPerRequest: 1,
  });
  // Connection trouble later is reported per request (the pin is not read); not as an unhandled event.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    return {
      ok: false,
      message: `routing.session_cache: cannot use redis at ${redactUrl(url)}: ${(error as Error).message}`,
      hint: 'Check that the Redis server is running and that url (host, port, password, rediss:// for TLS) is right.',
    };
  }
  const key = (id: string): string => `${AFFINITY_KEY_PREFIX}${id}`;
  const store: SessionStore<V> = {
    async get(id) {
      const text = await client.get(key(id));
      return text === null ? undefined : (JSON.parse(text) as V);
    },
    async set(id, value) {
      await client.set(key(id), JSON.stringify(value), 'PX', ttlMs);
    },
    async replace(id, value) {
      // Only a live pin, keeping its expiry.
      return (await client.set(key(id), JSON.stringify(value), 'KEEPTTL', 'XX')) === 'OK';
    },
  };
  return { ok: true, store, close: async () => void (await client.quit().catch(() => client.disconnect())) };
}
