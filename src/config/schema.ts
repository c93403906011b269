/**
 * The schema stage of `plano validate`: the document's data against
 * schemas/plano_config.schema.json, each real mistake reported once at its key or value.
 *
 * The build compiles the schema into a standalone validator (scripts/compile-schema.mjs →
 * dist/config/schema-validator.js), so the CLI never loads Ajv. When that file is absent —
 * vitest runs src/ directly — the schema is compiled with Ajv here, with the same options.
 */
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from './diagnostics.js';
import type { ConfigDocument } from './document.js';
import { schemaFindings } from './schema-errors.js';
import { loadSchema } from './schema-file.js';

export { SCHEMA_CODES, type JsonSchema } from './schema-errors.js';
export { loadSchema, loadSchemaText, SCHEMA_FILE } from './schema-file.js';

/** A compiled validator, standalone or Ajv's: Ajv's calling convention. */
export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

// A variable, not a literal: the file only exists in dist/, so TypeScript must not resolve it.
const COMPILED_VALIDATOR = './schema-validator.js';

async function loadValidator(): Promise<SchemaValidator> {
  try {
    const compiled = (await import(COMPILED_VALIDATOR)) as { default: SchemaValidator };
    return compiled.default;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes('schema-validator');
    if (!missing) throw error;
  }
  const { compileSchema } = await import('./schema-ajv.js');
  return compileSchema(loadSchema());
}

const validate: SchemaValidator = await loadValidator();

/** Schema findings for a parsed document (errors only; deprecations are the rules' business). */
export function checkSchema(document: ConfigDocument): Diagnostic[] {
  if (validate(document.value)) return [];
  return schemaFindings(validate.errors ?? [], document, loadSchema());
}
