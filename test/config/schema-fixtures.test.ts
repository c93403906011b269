/**
 * fixtures/invalid/schema-*.yaml: one schema mistake each, with the findings it must produce in
 * its header (`# expect: <code> <line>:<column>`, the form the whole-pipeline corpus test reads).
 * Here: the schema stage alone yields exactly the header's schema findings.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDocument } from '../../src/config/document.js';
import { checkSchema, SCHEMA_CODES } from '../../src/config/schema.js';

const DIR = new URL('../../fixtures/invalid/', import.meta.url);
const FILES = readdirSync(DIR).filter((f) => /^schema-.*\.yaml$/.test(f)).sort();
const CODES: readonly string[] = Object.values(SCHEMA_CODES);

function expectations(text: string): string[] {
  return [...text.matchAll(/^# expect: (\S+) (\d+):(\d+)$/gm)].map((m) => `${m[1]} ${m[2]}:${m[3]}`);
}

describe('schema fixtures', () => {
  it('cover at least 12 distinct schema mistakes, each stating what it expects', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(12);
    for (const file of FILES) expect(expectations(readFileSync(new URL(file, DIR), 'utf8')), file).not.toEqual([]);
  });

  it('use every schema finding code', () => {
    const used = new Set(FILES.flatMap((f) => expectations(readFileSync(new URL(f, DIR), 'utf8')).map((e) => e.split(' ')[0])));
    for (const code of CODES) expect(used, code).toContain(code);
  });

  it.each(FILES)('%s', (file) => {
    const text = readFileSync(new URL(file, DIR), 'utf8');
    const document = loadDocument(text, file);
    const got = checkSchema(document).map((d) => `${d.code} ${d.line}:${d.column}`).sort();
    const want = expectations(text).filter((e) => CODES.includes(e.split(' ')[0]!)).sort();
    expect(got).toEqual(want);
  });
});
