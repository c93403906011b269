/**
 * The JSON Schema file itself: where it ships and its text. Kept apart from schema.ts so that
 * `plano schema` reads the file without loading the validator.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JsonSchema } from './schema-errors.js';

/** Same relative place from src/config/ and dist/config/; `files` in package.json ships schemas/. */
export const SCHEMA_FILE = fileURLToPath(new URL('../../schemas/plano_config.schema.json', import.meta.url));

let text: string | undefined;
let parsed: JsonSchema | undefined;

/** The schema file's text, exactly as shipped (what `plano schema` prints). */
export function loadSchemaText(): string {
  text ??= readFileSync(SCHEMA_FILE, 'utf8');
  return text;
}

/** The parsed schema (read once). */
export function loadSchema(): JsonSchema {
  parsed ??= JSON.parse(loadSchemaText()) as JsonSchema;
  return parsed;
}
