/**
 * `map.set(key, value)` for a map that remembers what recurs — an upstream URL redacted, a
 * model's price, a span's encoded attribute or name — returning `value`. Bounded: at `bound`
 * entries the map forgets everything and starts again. Keys come from clients, who can name new
 * ones without end; what recurs is soon remembered again.
 */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, bound: number): V {
  if (map.size >= bound) map.clear();
  map.set(key, value);
  return value;
}
