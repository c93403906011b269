/**
 * The one Ajv set-up for the config schema, shared by the build step that writes the
 * standalone validator (scripts/compile-schema.mjs) and by the runtime fallback used when no
 * compiled validator exists (vitest runs src/ directly). Importing this module loads Ajv, so
 * only those two paths import it.
 */
import { Ajv, type Options, type ValidateFunction } from 'ajv';

/**
 * Annotation keywords editors read (VS Code / yaml-language-server show `markdownDescription`
 * on hover, `deprecationMessage` as a warning, `patternErrorMessage` when a pattern fails).
 * They never affect validation; declaring them keeps Ajv's strict mode satisfied.
 */
export const EDITOR_ANNOTATIONS = ['markdownDescription', 'deprecationMessage', 'patternErrorMessage'] as const;

/** Strict: a schema mistake (unknown keyword, type/keyword mismatch) fails the build, not a user. */
export const SCHEMA_AJV_OPTIONS: Options = { strict: true, allErrors: true };

export function createSchemaAjv(extra: Options = {}): Ajv {
  const ajv = new Ajv({ ...SCHEMA_AJV_OPTIONS, ...extra });
  ajv.addVocabulary([...EDITOR_ANNOTATIONS]);
  return ajv;
}

export function compileSchema(schema: object, extra: Options = {}): ValidateFunction {
  return createSchemaAjv(extra).compile(schema);
}
