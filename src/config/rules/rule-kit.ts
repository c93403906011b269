/**
 * What every rule family needs besides `finding()`: reading the raw YAML value behind a
 * pointer, quoting another entry's line, and writing corrected YAML for a suggestion (through
 * the yaml package, so the snippet is always valid YAML).
 */
import { stringify } from 'yaml';
import { fromPointer } from '../json-pointer.js';
import { splitModel } from './model-refs.js';
import { conventionalKeyVariable, readSecretReference } from './secrets.js';
import type { RuleContext } from './types.js';

/** The parsed value at `pointer` in the raw document, or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of fromPointer(pointer)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (typeof node === 'object' && node !== null) node = (node as Record<string, unknown>)[segment];
    else return undefined;
  }
  return node;
}

/** `line 12`: where another entry a message refers to is. */
export function lineOf(ctx: RuleContext, pointer: string): string {
  return `line ${ctx.document.locate(pointer).line}`;
}

/** A value as YAML text, for a suggestion (no trailing newline, long strings kept on one line). */
export function yamlSnippet(value: unknown): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/**
 * The provider entry at `pointer` as a YAML list item with `fields` added or replaced (model
 * first, as entries are written): the corrected entry a suggestion shows. A literal
 * `access_key` is replaced by a variable, so a suggestion never repeats a secret.
 */
export function entryWith(raw: unknown, pointer: string, fields: Record<string, unknown>): string {
  const entry = valueAt(raw, pointer);
  const current = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
  const item: Record<string, unknown> = { model: current.model, ...current, ...fields };
  if (typeof item.access_key === 'string' && readSecretReference(item.access_key).kind !== 'variable') {
    const prefix = typeof item.model === 'string' ? (splitModel(item.model)?.prefix ?? 'provider') : 'provider';
    item.access_key = `$${conventionalKeyVariable(prefix)}`;
  }
  return yamlSnippet([item]);
}

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
