/**
 * Corrected YAML for a finding's suggestion, written through the yaml package so the snippet is
 * always valid YAML, and never repeating a secret.
 */
import { stringify } from 'yaml';
import { valueAt } from '../json-pointer.js';
import { splitModel } from './model-refs.js';
import { conventionalKeyVariable, readSecretReference } from './secrets.js';

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
