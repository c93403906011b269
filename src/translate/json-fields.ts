/**
 * Typed reads of fields in JSON bodies whose shape is not guaranteed (client requests and
 * upstream answers both arrive as `unknown`). Each returns undefined for a missing or
 * differently-typed value, so a translation decides what a missing field means.
 */
import type { JsonObject } from './types.js';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectField(body: unknown, key: string): JsonObject | undefined {
  if (!isObject(body)) return undefined;
  const value = body[key];
  return isObject(value) ? value : undefined;
}

export function stringField(body: unknown, key: string): string | undefined {
  if (!isObject(body)) return undefined;
  const value = body[key];
  return typeof value === 'string' ? value : undefined;
}

export function numberField(body: unknown, key: string): number | undefined {
  if (!isObject(body)) return undefined;
  const value = body[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function booleanField(body: unknown, key: string): boolean | undefined {
  if (!isObject(body)) return undefined;
  const value = body[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** The array at `key`, or [] when absent or not an array. */
export function arrayField(body: unknown, key: string): unknown[] {
  if (!isObject(body)) return [];
  const value = body[key];
  return Array.isArray(value) ? value : [];
}

/** Copies the fields of `from` that are not undefined (a JSON body never carries `undefined`). */
export function definedFields(from: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  // for…in over an object literal, not Object.entries: no array per field (a translated request makes several).
  for (const key in from) {
    const value = from[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
