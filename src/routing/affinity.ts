/**
 * Session affinity: `X-Model-Affinity: <id>` pins a session to the model its first routed
 * request was given. A bounded in-memory LRU with a time-to-live (`routing.session_max_entries`,
 * `routing.session_ttl_seconds`); the clock is injected so tests move time instead of sleeping.
 */

/** The header a client sends to keep a conversation on one model. */
export const AFFINITY_HEADER = 'x-model-affinity';

export const DEFAULT_SESSION_TTL_SECONDS = 600;
/** The reference's default and upper limit. */
export const DEFAULT_SESSION_MAX_ENTRIES = 10_000;

export interface SessionCacheOptions {
  maxEntries: number;
  ttlMs: number;
  /** Milliseconds since an epoch; `Date.now` unless a test supplies its own. */
  now?: () => number;
}

/** `routing.session_ttl_seconds` and `routing.session_max_entries`, or their defaults when absent or not positive integers. */
export function sessionCacheOptions(routing: Readonly<Record<string, unknown>>): SessionCacheOptions {
  const positive = (v: unknown): number | undefined => (Number.isInteger(v) && (v as number) > 0 ? (v as number) : undefined);
  return {
    maxEntries: Math.min(positive(routing.session_max_entries) ?? DEFAULT_SESSION_MAX_ENTRIES, DEFAULT_SESSION_MAX_ENTRIES),
    ttlMs: (positive(routing.session_ttl_seconds) ?? DEFAULT_SESSION_TTL_SECONDS) * 1000,
  };
}

/**
 * Where session pins are kept: this process's SessionCache, or a store shared by several
 * processes (Redis, src/server/redis-sessions.ts) — which answers in promises.
 */
export interface SessionStore<V> {
  get(id: string): V | undefined | Promise<V | undefined>;
  /** Pins `id` for the time-to-live. */
  set(id: string, value: V): void | Promise<void>;
  /** Changes a live entry's value without extending its lifetime; false when there is none. */
  replace(id: string, value: V): boolean | Promise<boolean>;
}

/**
 * An LRU map whose entries expire `ttlMs` after they were set (a pin lasts that long however
 * often it is used; a new affinity id starts a new decision). A Map iterates in insertion
 * order, so re-inserting on use keeps the least recently used entry first, where eviction looks.
 */
export class SessionCache<V> implements SessionStore<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly options: SessionCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get(id: string): V | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(id, entry);
    return entry.value;
  }

  set(id: string, value: V): void {
    this.entries.delete(id);
    this.entries.set(id, { value, expiresAt: this.now() + this.options.ttlMs });
    this.evict();
  }

  /** Changes a live entry's value without extending its lifetime; false when there is none. */
  replace(id: string, value: V): boolean {
    const entry = this.entries.get(id);
    if (!entry || entry.expiresAt <= this.now()) return false;
    entry.value = value;
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && entry.expiresAt > now) break;
      // Expired entries at the old end go first; then the least recently used while over the cap.
      if (entry.expiresAt <= now || this.entries.size > this.options.maxEntries) this.entries.delete(id);
    }
  }
}
