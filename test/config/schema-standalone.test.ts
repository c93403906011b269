/**
 * The build's standalone validator (dist/config/schema-validator.js, what the CLI runs) and the
 * Ajv-compiled fallback (what vitest runs) must agree: same verdict, same errors, on the
 * reference config, every seed example and every schema fixture. Needs `npm run build`
 * (`npm test` builds first).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSchema, type SchemaValidator } from '../../src/config/schema.js';
import { compileSchema } from '../../src/config/schema-ajv.js';
import { seedExamples } from './seed-examples.js';

const COMPILED = new URL('../../dist/config/schema-validator.js', import.meta.url);
const INVALID = new URL('../../fixtures/invalid/', import.meta.url);

const inputs: [string, unknown][] = [
  ['reference', parse(readFileSync(new URL('../../fixtures/valid/plano_config_full_reference.yaml', import.meta.url), 'utf8'))],
  ...seedExamples().map((e): [string, unknown] => [e.where, parse(e.config)]),
  ...readdirSync(INVALID)
    .filter((f) => f.startsWith('schema-'))
    .map((f): [string, unknown] => [f, parse(readFileSync(new URL(f, INVALID), 'utf8'))]),
];

describe('standalone validator', () => {
  it('has been built (run `npm run build`)', () => {
    expect(existsSync(COMPILED)).toBe(true);
  });

  it('is an ES module that does not load Ajv', () => {
    const code = readFileSync(COMPILED, 'utf8');
    expect(code).toMatch(/export default /);
    expect(code).not.toMatch(/\brequire\(|from ["']ajv/);
  });

  it('agrees with Ajv on every input', async () => {
    const compiled = ((await import(COMPILED.href)) as { default: SchemaValidator }).default;
    const runtime = compileSchema(loadSchema());
    const summary = (v: SchemaValidator, data: unknown) => {
      const ok = v(data);
      return { ok, errors: (v.errors ?? []).map((e) => `${e.keyword} ${e.instancePath} ${JSON.stringify(e.params)}`) };
    };
    let invalid = 0;
    for (const [name, data] of inputs) {
      const expected = summary(runtime, data);
      if (!expected.ok) invalid++;
      expect(summary(compiled, data), name).toEqual(expected);
    }
    expect(invalid).toBeGreaterThanOrEqual(12);
  });
});
