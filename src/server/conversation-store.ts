/**
 * Where `/v1/responses` conversations are kept (`state_storage`): each response the gateway
 * answered, under the id its client received, with the conversation up to it — so a later
 * request's `previous_response_id` can continue it on any provider, none of which (but OpenAI's
 * and xAI's own) keep state themselves.
 *
 * `memory` is this module's store: in the process, bounded. Another backend implements the same
 * interface.
 */
import type { JsonObject } from '../translate/types.js';

export interface StoredResponse {
  /** The response's id, as its client received it. */
  id: string;
  /**
   * The conversation's input items up to this response: earlier turns' input and output, then
   * this request's input. `instructions` are not among them (the Responses API does not carry
   * them over).
   */
  input: JsonObject[];
  /** This response's output items. */
  output: JsonObject[];
  /** The Responses object its client received (what `GET /v1/responses/{id}` answers). */
  response: JsonObject;
  /** The configured model that answered, and its provider prefix. */
  model: string;
  provider: string;
  /** Epoch seconds. */
  createdAt: number;
}

export interface ConversationStore {
  /** Which backend, for messages (`memory`, `postgres`). */
  readonly kind: string;
  get(id: string): Promise<StoredResponse | undefined> | StoredResponse | undefined;
  put(record: StoredResponse): Promise<void> | void;
  /** Whether there was one to delete. */
  delete(id: string): Promise<boolean> | boolean;
  close(): Promise<void>;
}

export interface MemoryStoreLimits {
  /** The most responses kept. */
  maxResponses: number;
  /** The most bytes kept, counted as the stored records' JSON. */
  maxBytes: number;
}

/**
 * 10,000 responses or 256 MB, whichever comes first: a long local session's worth, small enough
 * for a laptop. A conversation of n turns keeps n records whose inputs grow with each turn.
 */
export const DEFAULT_MEMORY_LIMITS: MemoryStoreLimits = { maxResponses: 10_000, maxBytes: 256 * 1024 * 1024 };

/** The memory store answers at once. */
export interface MemoryStore extends ConversationStore {
  get(id: string): StoredResponse | undefined;
  put(record: StoredResponse): void;
  delete(id: string): boolean;
}

/**
 * The in-process store. Eviction: least recently used first — a response read (continued, or
 * fetched by `GET`) counts as used — until both limits hold. A record larger than `maxBytes` on
 * its own is not kept. Gone with the process (or, with `--workers`, kept per worker process).
 */
export function createMemoryStore(limits: MemoryStoreLimits = DEFAULT_MEMORY_LIMITS): MemoryStore {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const records = new Map<string, { record: StoredResponse; bytes: number }>();
  let bytes = 0;
  const remove = (id: string): boolean => {
    const found = records.get(id);
    if (!found) return false;
    records.delete(id);
    bytes -= found.bytes;
    return true;
  };
  return {
    kind: 'memory',
    get(id) {
      const found = records.get(id);
      if (!found) return undefined;
      records.delete(id);
      records.set(id, found);
      return found.record;
    },
    put(record) {
      remove(record.id);
      const size = Buffer.byteLength(JSON.stringify(record));
      if (size > limits.maxBytes) return;
      records.set(record.id, { record, bytes: size });
      bytes += size;
      for (const oldest of records.keys()) {
        if (records.size <= limits.maxResponses && bytes <= limits.maxBytes) break;
        remove(oldest);
      }
    },
    delete: remove,
    close: async () => {
      records.clear();
      bytes = 0;
    },
  };
}
