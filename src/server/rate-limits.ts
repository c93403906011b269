/**
 * The rate-limit stage (`ratelimits`, the reference's shape): token budgets per model and request
 * selector, checked before an upstream call and counted after its answer.
 *
 *   ratelimits:
 *     - model: openai/gpt-4o            # the configured name, provider/model, or the bare model id
 *       selector: {key: x-user-id, value: "*"}   # a header; "*": one budget per value of it
 *       limit: {tokens: 100000, unit: minute}    # second, minute, hour or day
 *
 * Counting: the `total_tokens` each answer reports (input + output; streamed answers' final
 * usage too), added once the answer is complete. Windows are fixed, aligned to the unit (each
 * minute from :00). A request is refused once its window already holds at least the limit: the
 * request that crosses the limit is served, the next one is not. A limit for a specific header
 * value wins over a `*` limit on the same header and model (as the reference has it). Requests
 * without the header, and models without a limit, are not limited.
 *
 * Where the counts live is the `TokenCounts` given: this process's memory, or — with `--workers`
 * — the primary's, so the workers keep one count (worker-cluster.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { PlanoConfig } from '../config/types.js';
import type { ResolvedModel } from '../resolve/types.js';
import type { ClientErrorInit } from '../translate/client-errors.js';

const UNIT_SECONDS: Readonly<Record<string, number>> = { second: 1, minute: 60, hour: 3_600, day: 86_400 };

export interface RateLimitRule {
  /** Its place in `ratelimits`, for messages and bucket names. */
  index: number;
  model: string;
  /** Lower-cased header name. */
  header: string;
  /** The header value it limits, or '*' for one budget per value. */
  value: string;
  tokens: number;
  unit: string;
  windowMs: number;
}

/** The config's limits, and why any is not enforced. */
export function rateLimitRules(config: PlanoConfig): { rules: RateLimitRule[]; warnings: string[] } {
  const list = config.raw['ratelimits'];
  if (!Array.isArray(list)) return { rules: [], warnings: [] };
  const rules: RateLimitRule[] = [];
  const warnings: string[] = [];
  list.forEach((item: unknown, index) => {
    const entry = item as { model?: unknown; selector?: { key?: unknown; value?: unknown }; limit?: { tokens?: unknown; unit?: unknown } };
    const { model, selector, limit } = entry ?? {};
    if (typeof model !== 'string' || typeof selector?.key !== 'string' || typeof limit?.tokens !== 'number') return;
    const unit = String(limit.unit);
    const seconds = UNIT_SECONDS[unit];
    if (seconds === undefined) {
      warnings.push(`ratelimits[${index}]: unit '${unit}' is not one of ${Object.keys(UNIT_SECONDS).join(', ')}: this limit is not enforced`);
      return;
    }
    rules.push({
      index,
      model,
      header: selector.key.toLowerCase(),
      value: typeof selector.value === 'string' ? selector.value : '*',
      tokens: limit.tokens,
      unit,
      windowMs: seconds * 1000,
    });
  });
  return { rules, warnings };
}

/** Token counts per bucket and window. */
export interface TokenCounts {
  used(bucket: string, windowStart: number): Promise<number> | number;
  add(bucket: string, windowStart: number, tokens: number): void;
}

/** Counts this process keeps: they answer at once. */
export interface MemoryTokenCounts extends TokenCounts {
  used(bucket: string, windowStart: number): number;
}

/** Counts in this process: a window's count is dropped once a later window of its bucket is counted. */
export function memoryTokenCounts(): MemoryTokenCounts {
  const counts = new Map<string, { windowStart: number; tokens: number }>();
  return {
    used(bucket, windowStart) {
      const found = counts.get(bucket);
      return found && found.windowStart === windowStart ? found.tokens : 0;
    },
    add(bucket, windowStart, tokens) {
      const found = counts.get(bucket);
      if (found && found.windowStart === windowStart) found.tokens += tokens;
      else if (!found || found.windowStart < windowStart) counts.set(bucket, { windowStart, tokens });
    },
  };
}

/** A budget a request counts in. */
export interface Bucket {
  rule: RateLimitRule;
  /** The rule, and the header value for a `*` rule. */
  key: string;
}

export class RateLimiter {
  constructor(
    private readonly rules: readonly RateLimitRule[],
    private readonly counts: TokenCounts,
    private readonly now: () => number = Date.now,
  ) {}

  get active(): boolean {
    return this.rules.length > 0;
  }

  /** The budgets a request for `target` with these headers counts in (none: not limited). */
  bucketsFor(target: ResolvedModel, headers: IncomingHttpHeaders): Bucket[] {
    const matching = this.rules.filter((rule) => rule.model === target.name || rule.model === target.canonical || rule.model === target.model);
    const buckets: Bucket[] = [];
    for (const rule of matching) {
      const raw = headers[rule.header];
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (value === undefined) continue;
      if (rule.value === '*') {
        // A limit for this very value, on the same model and header, wins over the `*` one.
        const specific = matching.some((other) => other.header === rule.header && other.value === value);
        if (!specific) buckets.push({ rule, key: `${rule.index}\u0000${value}` });
      } else if (rule.value === value) {
        buckets.push({ rule, key: String(rule.index) });
      }
    }
    return buckets;
  }

  /** Undefined when every budget has room; else the 429 to answer and its retry-after in seconds. */
  async check(buckets: readonly Bucket[]): Promise<{ error: ClientErrorInit; retryAfterSeconds: number } | undefined> {
    const now = this.now();
    for (const bucket of buckets) {
      const { rule } = bucket;
      const windowStart = Math.floor(now / rule.windowMs) * rule.windowMs;
      const used = await this.counts.used(bucket.key, windowStart);
      if (used < rule.tokens) continue;
      const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + rule.windowMs - now) / 1000));
      const who = rule.value === '*' ? `${rule.header}: ${bucket.key.slice(bucket.key.indexOf('\u0000') + 1)}` : `${rule.header}: ${rule.value}`;
      return {
        retryAfterSeconds,
        error: {
          kind: 'rate_limit',
          code: 'rate_limit_exceeded',
          message: `rate limit reached for ${rule.model} (${who}): ${used} of ${rule.tokens} tokens per ${rule.unit} used (ratelimits[${rule.index}]); try again in ${retryAfterSeconds} s`,
        },
      };
    }
    return undefined;
  }

  /** Counts an answer's tokens in its budgets. */
  record(buckets: readonly Bucket[], tokens: number): void {
    if (tokens <= 0) return;
    const now = this.now();
    for (const bucket of buckets) this.counts.add(bucket.key, Math.floor(now / bucket.rule.windowMs) * bucket.rule.windowMs, tokens);
  }
}

/** What the stage says of one upstream call: refused (the 429 to send), or admitted (count its answer's tokens after). */
export type Admission = { refused: { error: ClientErrorInit; retryAfterSeconds: number } } | { count(tokens: number): void };

/**
 * The stage before an upstream call to `target`: undefined when no limit applies (nothing to
 * count either) — at once, so a request without limits waits for no promise; else, once the
 * counts are read, refused, or admitted with the function that counts the answer's tokens.
 */
export function admit(limiter: RateLimiter | undefined, target: ResolvedModel, headers: IncomingHttpHeaders): Promise<Admission> | undefined {
  if (!limiter?.active) return undefined;
  const buckets = limiter.bucketsFor(target, headers);
  if (buckets.length === 0) return undefined;
  return limiter.check(buckets).then((refused) => (refused ? { refused } : { count: (tokens: number) => limiter.record(buckets, tokens) }));
}
