/** Durations in config values and duration flags (`--shutdown-timeout 10s`). */

/**
 * A duration as the config writes them (`timeout: 30s`, `upstream_connect_timeout: 5s`): a number with `ms`, `s` or
 * `m`; a bare number is seconds. Undefined when unreadable or not positive.
 */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value > 0 && Number.isFinite(value) ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const ms = amount * ({ ms: 1, s: 1000, m: 60_000 } as const)[(match[2] ?? 's') as 'ms' | 's' | 'm'];
  return ms > 0 ? ms : undefined;
}
