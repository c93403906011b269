/**
 * The JSON Schema itself: it compiles in Ajv strict mode, accepts the reference config and
 * every seed example, describes every property for editors, and agrees with the provider table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadDocument } from '../../src/config/document.js';
import { checkSchema, loadSchema, type JsonSchema } from '../../src/config/schema.js';
import { compileSchema, createSchemaAjv } from '../../src/config/schema-ajv.js';
import { interfaceNames } from '../../src/providers/registry.js';
import { seedExamples } from './seed-examples.js';

const REFERENCE = new URL('../../fixtures/valid/plano_config_full_reference.yaml', import.meta.url);
const schema = loadSchema();

/** Every subschema with the JSON Pointer it sits at. */
function walk(node: unknown, pointer = '', out: { pointer: string; schema: JsonSchema }[] = []) {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return out;
  const s = node as JsonSchema;
  out.push({ pointer, schema: s });
  for (const [name, child] of Object.entries(s.properties ?? {})) walk(child, `${pointer}/properties/${name}`, out);
  for (const [name, child] of Object.entries((s.definitions as Record<string, unknown>) ?? {})) walk(child, `${pointer}/definitions/${name}`, out);
  // `if` is a condition, not a place in the document: nothing to describe there.
  for (const keyword of ['items', 'additionalProperties', 'propertyNames', 'then', 'else'] as const) walk(s[keyword], `${pointer}/${keyword}`, out);
  for (const keyword of ['oneOf', 'anyOf', 'allOf'] as const) {
    (s[keyword] as unknown[] | undefined)?.forEach((child, i) => walk(child, `${pointer}/${keyword}/${i}`, out));
  }
  return out;
}

describe('schemas/plano_config.schema.json', () => {
  it('compiles in Ajv strict mode without warnings', () => {
    const messages: unknown[] = [];
    const log = (...args: unknown[]) => messages.push(args);
    const ajv = createSchemaAjv({ logger: { log, warn: log, error: log } });
    expect(() => ajv.compile(schema)).not.toThrow();
    expect(messages).toEqual([]);
  });

  it('is identified: draft-07, an $id and a title', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toMatch(/^https:\/\/.+\/plano_config\.schema\.json$/);
    expect(schema.title).toBeTruthy();
  });

  it('gives every property a description (editors show it on hover)', () => {
    const undescribed = walk(schema).flatMap(({ pointer, schema: s }) =>
      Object.entries(s.properties ?? {})
        .filter(([, child]) => typeof child.description !== 'string' || child.description.length < 8)
        .map(([name]) => `${pointer}/properties/${name}`),
    );
    expect(undescribed).toEqual([]);
  });

  it('describes every list item and map value too', () => {
    const undescribed = walk(schema)
      .filter(({ pointer }) => /\/(items|additionalProperties)$/.test(pointer))
      .filter(({ schema: s }) => s.$ref === undefined && s.oneOf === undefined && typeof s.description !== 'string')
      .map(({ pointer }) => pointer);
    expect(undescribed).toEqual([]);
  });

  it('keeps $ref out of oneOf/anyOf branches (schema-errors.ts matches branch errors by schemaPath prefix)', () => {
    const refsInBranches = walk(schema)
      .filter(({ pointer, schema: s }) => /\/(oneOf|anyOf)\/\d+/.test(pointer) && s.$ref !== undefined)
      .map(({ pointer }) => pointer);
    expect(refsInBranches).toEqual([]);
  });

  it('lists the provider table’s interfaces as provider_interface values, no more and no fewer', () => {
    const provider = (schema.definitions as Record<string, JsonSchema>).modelProvider!;
    expect([...(provider.properties!.provider_interface!.enum as string[])].sort()).toEqual([...interfaceNames()].sort());
  });

  it('accepts the full reference config', () => {
    const validate = compileSchema(schema);
    const ok = validate(parse(readFileSync(REFERENCE, 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('requires version and listeners, and nothing else at the top level', () => {
    expect(schema.required).toEqual(['version', 'listeners']);
  });
});

describe('every YAML example in the seeds passes the schema', () => {
  const examples = seedExamples();

  it('finds the examples (25 in the providers guide, 4 in the passthrough guide)', () => {
    expect(examples.filter((e) => e.where.startsWith('supported_providers.rst'))).toHaveLength(25);
    expect(examples.filter((e) => e.where.startsWith('routing-passthrough.md'))).toHaveLength(4);
  });

  it.each(examples.map((e) => [e.where, e] as const))('%s', (_where, example) => {
    const document = loadDocument(example.config, example.where);
    expect(document.diagnostics).toEqual([]);
    expect(checkSchema(document)).toEqual([]);
  });

  it('includes inline routing_preferences with priority and without description', () => {
    const inline = examples.filter((e) => /^\s+priority: 1$/m.test(e.yaml));
    expect(inline).toHaveLength(1);
    expect(inline[0]!.yaml).not.toMatch(/description:/);
  });
});
