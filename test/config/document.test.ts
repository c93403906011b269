import { describe, expect, it } from 'vitest';
import { loadDocument } from '../../src/config/document.js';

const codes = (text: string) => loadDocument(text, 'c.yaml').diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`);

describe('loadDocument', () => {
  it('locates keys and values by JSON Pointer', () => {
    const doc = loadDocument('version: v0.4.0\nmodel_providers:\n  - model: openai/gpt-4o\n    acess_key: $K\n', 'c.yaml');
    expect(doc.diagnostics).toEqual([]);
    expect(doc.locate('/model_providers/0/acess_key', 'key')).toEqual({ line: 4, column: 5, endLine: 4, endColumn: 14 });
    expect(doc.locate('/model_providers/0/model')).toEqual({ line: 3, column: 12, endLine: 3, endColumn: 25 });
    // A pointer that does not exist lands on its nearest existing ancestor.
    expect(doc.has('/model_providers/0/base_url')).toBe(false);
    expect(doc.locate('/model_providers/0/base_url').line).toBe(3);
  });

  it('reports syntax errors once each, with a hint for tabs', () => {
    expect(codes('{{{')).toEqual(['yaml-syntax 1:4', 'yaml-syntax 1:4']);
    expect(new Set(loadDocument('{{{', 'c.yaml').diagnostics.map((d) => d.message)).size).toBe(2);
    const tab = loadDocument('a:\n\tb: 1\n', 'c.yaml').diagnostics;
    expect(tab.map((d) => d.code)).toEqual(['yaml-syntax']);
    expect(tab[0]!.suggestion).toMatch(/spaces/);
  });

  it('reports duplicate keys, empty files and non-mappings as findings', () => {
    expect(codes('a: 1\na: 2\n')).toEqual(['yaml-duplicate-key 2:1']);
    expect(codes('# only a comment\n')).toEqual(['empty-config 1:1']);
    expect(codes('- a\n- b\n')).toEqual(['not-a-mapping 1:1']);
  });

  it('reports an alias without its anchor where it is written, instead of throwing', () => {
    expect(codes('version: v0.4.0\nlisteners: *nope\n')).toEqual(['yaml-unresolved-alias 2:12']);
  });

  it('refuses aliases that expand exponentially', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    expect(codes(levels.join('\n') + '\n')).toEqual(['yaml-alias-expansion 1:1']);
  });

  it('merges `<<` keys and follows aliases when locating', () => {
    const doc = loadDocument('common: &c\n  access_key: $K\nmodel_providers:\n  - <<: *c\n    model: openai/gpt-4o\n  - *c\n', 'c.yaml');
    expect(doc.diagnostics).toEqual([]);
    expect(doc.value).toMatchObject({ model_providers: [{ access_key: '$K', model: 'openai/gpt-4o' }, { access_key: '$K' }] });
    expect(doc.locate('/model_providers/1/access_key')).toEqual({ line: 2, column: 15, endLine: 2, endColumn: 17 });
  });
});
