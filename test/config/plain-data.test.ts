/** plainDataOf: yaml's own toJS, in one pass (issue 12: 10,000 aliases took two minutes to load). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlias, parseDocument, visit, type Alias, type Node } from 'yaml';
import { describe, expect, it } from 'vitest';
import { plainDataOf } from '../../src/config/plain-data.js';
import { seedExamples } from './seed-examples.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');

/** The alias → node table document.ts builds: the last anchor of the name before each alias. */
function parsed(text: string): { doc: ReturnType<typeof parseDocument>; targets: Map<Alias, Node> } {
  const doc = parseDocument(text, { merge: true, uniqueKeys: false });
  const targets = new Map<Alias, Node>();
  const anchored = new Map<string, Node>();
  visit(doc, {
    Node(_, node) {
      if (isAlias(node)) {
        const target = anchored.get(node.source);
        if (target) targets.set(node, target);
      } else if (node.anchor !== undefined) anchored.set(node.anchor, node);
    },
  });
  return { doc, targets };
}

const sameAsYaml = (text: string) => {
  const { doc, targets } = parsed(text);
  const ours = plainDataOf(doc.contents as Node | null, targets, 1_000_000);
  expect(ours).toEqual({ ok: true, value: doc.toJS() });
};

describe('the same data as yaml’s toJS', () => {
  const files = ['valid', 'invalid', 'upstream', 'secrets'].flatMap((dir) =>
    readdirSync(join(FIXTURES, dir)).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f)),
  );
  it.each(files)('%s', (file) => {
    const text = readFileSync(join(FIXTURES, file), 'utf8');
    if (parseDocument(text).errors.length > 0) return;
    sameAsYaml(text);
  });

  it.each(seedExamples().map((e) => [e.where, e.config] as const))('seed example %s', (_where, config) => sameAsYaml(config));

  it.each([
    ['anchors and aliases of scalars, maps and lists', 'a: &x 1\nb: *x\nc: &m {k: v}\nd: *m\ne: &l [1, 2]\nf: *l\n'],
    ['a merge key, explicit keys winning whichever side they are on', 'base: &b {x: 1, y: 2}\nm:\n  y: 9\n  <<: *b\n  x: 8\n'],
    ['a list of merge sources: earlier wins', 'a: &a {k: 1}\nb: &b {k: 2, j: 3}\nm:\n  <<: [*a, *b]\n'],
    ['an anchor redefined: each alias takes the last one before it', 'a: &x 1\nb: *x\nc: &x 2\nd: *x\n'],
    ['null keys and values, numbers and booleans as keys', '~: 1\nk:\n1: one\ntrue: yes\n'],
    ['a quoted << is an ordinary key', '"<<": 1\n'],
    ['__proto__ as a key', '__proto__: {polluted: true}\n'],
  ])('%s', (_what, text) => sameAsYaml(text));

  it('an anchored map is one shared value, as in yaml', () => {
    const { doc, targets } = parsed('a: &m {k: v}\nb: *m\n');
    const out = plainDataOf(doc.contents as Node | null, targets, 100);
    expect(out.ok && (out.value as { a: unknown; b: unknown }).a).toBe(out.ok && (out.value as { b: unknown }).b);
  });
});

describe('what it leaves to yaml, and what it refuses', () => {
  it('a collection as a key, or a tagged collection: unsupported', () => {
    for (const text of ['? [a, b]\n: 1\n', 's: !!set {a, b}\n']) {
      const { doc, targets } = parsed(text);
      expect(plainDataOf(doc.contents as Node | null, targets, 100)).toEqual({ ok: false, reason: 'unsupported' });
    }
  });

  it('an alias bomb is refused by its expanded size, before anything is built', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(10).fill(`*${'abcdefghij'[i - 1]}`).join(', ')}]`);
    const { doc, targets } = parsed(levels.join('\n') + '\n');
    const out = plainDataOf(doc.contents as Node | null, targets, 100_000);
    expect(out).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('ten thousand aliases of one anchor: linear, and loaded', () => {
    const text = `base: &h {x-team: a}\nuses: [${Array(10_000).fill('*h').join(', ')}]\n`;
    const { doc, targets } = parsed(text);
    const out = plainDataOf(doc.contents as Node | null, targets, 1_000_000);
    expect(out.ok && (out.value as { uses: unknown[] }).uses).toHaveLength(10_000);
  });
});
