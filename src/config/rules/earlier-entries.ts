/**
 * Findings about an entry that clashes with an earlier one (a repeated name, model, port, a
 * second default): finding the pairs, and saying in the message where the earlier entry is.
 */
import type { RuleContext } from './types.js';

/** Every item whose key an earlier item already had, paired with that earlier item. */
export function repeats<T>(items: readonly T[], key: (item: T) => string | undefined): { item: T; first: T }[] {
  const firstByKey = new Map<string, T>();
  const out: { item: T; first: T }[] = [];
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const first = firstByKey.get(k);
    if (first === undefined) firstByKey.set(k, item);
    else out.push({ item, first });
  }
  return out;
}

/** `line 12`: where the earlier entry a message refers to is. */
export function lineOf(ctx: RuleContext, pointer: string): string {
  return `line ${ctx.document.locate(pointer).line}`;
}
