/**
 * A parsed config as plain data, in one pass over its nodes. yaml's own `toJS` finds each
 * alias's anchor by scanning every alias and anchor before it, which is quadratic in the aliases
 * (10,000 aliases: over a second, and growing with the square); here each alias already knows
 * its node (document.ts finds them in one pass), so the work is linear in the document.
 *
 * Same result as `doc.toJS()` for what configs are made of: mappings with scalar keys, sequences,
 * scalars, aliases (an anchored node becomes one value, shared by its aliases, as yaml does) and
 * merge keys (`<<: *base`, `<<: [*a, *b]`: keys already present win; earlier sources win over
 * later ones). Anything else (a collection as a key, a tagged collection such as `!!set`)
 * answers `unsupported`, and the caller uses yaml's own conversion.
 *
 * Alias bombs: the size a document would expand to is counted first (each alias counts the
 * nodes it stands for), and a document over `maxExpandedNodes` is refused before any value is
 * built.
 */
import { isAlias, isMap, isScalar, isSeq, type Alias, type Node } from 'yaml';

export type PlainData = { ok: true; value: unknown } | { ok: false; reason: 'too-large'; expandedNodes: number } | { ok: false; reason: 'unsupported' };

const MERGE_KEY = '<<';

class Unsupported extends Error {}

export function plainDataOf(root: Node | null, aliasTargets: ReadonlyMap<Alias, Node>, maxExpandedNodes: number): PlainData {
  const target = (alias: Alias): Node | null => aliasTargets.get(alias) ?? null;

  // Expanded size of each node, memoised: an anchored node is counted once however many aliases use it.
  const sizes = new Map<Node, number>();
  const sizeOf = (node: Node | null): number => {
    if (node === null) return 1;
    if (isAlias(node)) return sizeOf(target(node));
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let size = 1;
    if (isMap(node)) {
      for (const pair of node.items) size += sizeOf(pair.key as Node | null) + sizeOf(pair.value as Node | null);
    } else if (isSeq(node)) {
      for (const item of node.items) size += sizeOf(item as Node | null);
    }
    // Past the limit the exact figure does not matter; capping keeps the sums finite.
    size = Math.min(size, maxExpandedNodes + 1);
    sizes.set(node, size);
    return size;
  };
  // Without aliases a document expands to itself: nothing to count.
  if (aliasTargets.size > 0) {
    const expandedNodes = sizeOf(root);
    if (expandedNodes > maxExpandedNodes) return { ok: false, reason: 'too-large', expandedNodes };
  }

  const values = new Map<Node, unknown>();
  const valueOf = (node: Node | null): unknown => {
    if (node === null) return null;
    if (isAlias(node)) return valueOf(target(node));
    if (values.has(node)) return values.get(node);
    let value: unknown;
    if (isScalar(node)) {
      value = node.value;
    } else if (isMap(node)) {
      if (node.tag !== undefined && node.tag !== 'tag:yaml.org,2002:map') throw new Unsupported();
      value = mapValue(node.items as { key: unknown; value: unknown }[]);
    } else if (isSeq(node)) {
      if (node.tag !== undefined && node.tag !== 'tag:yaml.org,2002:seq') throw new Unsupported();
      value = node.items.map((item) => valueOf(item as Node | null));
    } else {
      throw new Unsupported();
    }
    values.set(node, value);
    return value;
  };
  const mapValue = (pairs: readonly { key: unknown; value: unknown }[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const pair of pairs) {
      const key = pair.key as Node | null;
      if (isMergeKey(key)) {
        const source = pair.value as Node | null;
        const resolved = source !== null && isAlias(source) ? target(source) : source;
        const sources = resolved !== null && isSeq(resolved) ? (resolved.items as (Node | null)[]) : [resolved];
        for (const item of sources) {
          const merged = valueOf(item);
          if (typeof merged !== 'object' || merged === null || Array.isArray(merged)) throw new Unsupported();
          for (const name of Object.keys(merged)) if (!Object.hasOwn(out, name)) defineValue(out, name, (merged as Record<string, unknown>)[name]);
        }
        continue;
      }
      if (key !== null && !isScalar(key)) throw new Unsupported();
      const raw = key === null ? null : key.value;
      const name = raw === null || raw === undefined ? '' : String(raw);
      defineValue(out, name, valueOf(pair.value as Node | null));
    }
    return out;
  };

  try {
    return { ok: true, value: root === null ? null : valueOf(root) };
  } catch (error) {
    if (error instanceof Unsupported) return { ok: false, reason: 'unsupported' };
    throw error;
  }
}

function isMergeKey(key: Node | null): boolean {
  if (key === null || !isScalar(key)) return false;
  const value = key.value;
  // Parsed with `merge: true`, a plain `<<` key is yaml's merge symbol (a quoted "<<" is a string).
  return typeof value === 'symbol' && value.description === MERGE_KEY;
}

/** As yaml sets a key: a plain assignment, or a defined property for a name the object already answers to (`__proto__`). */
function defineValue(out: Record<string, unknown>, name: string, value: unknown): void {
  if (name in out) Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
  else out[name] = value;
}
