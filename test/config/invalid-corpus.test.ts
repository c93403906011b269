/**
 * The invalid-config corpus: every file under fixtures/invalid/ says in its header which
 * findings it must produce (`# expect: <code> <line>:<column>`, errors and warnings alike), and
 * it must produce exactly those. A `# env: NAME=value …` header runs the check as
 * `validate --env` with that environment.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/resolve/check.js';

const DIR = join(import.meta.dirname, '../../fixtures/invalid');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

interface Fixture {
  text: string;
  expected: string[];
  env: Record<string, string> | undefined;
}

function readFixture(file: string): Fixture {
  const text = readFileSync(join(DIR, file), 'utf8');
  const expected = [...text.matchAll(/^# expect: ([a-z0-9-]+) (\d+):(\d+)\s*$/gm)].map((m) => `${m[1]} ${m[2]}:${m[3]}`);
  const envLine = /^# env:(.*)$/m.exec(text);
  const env = envLine
    ? Object.fromEntries(envLine[1]!.trim().split(/\s+/).filter(Boolean).map((pair) => pair.split('=', 2) as [string, string]))
    : undefined;
  return { text, expected, env };
}

describe('fixtures/invalid', () => {
  it('holds at least 40 configs', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(FILES)('%s produces exactly the findings its header lists', (file) => {
    const { text, expected, env } = readFixture(file);
    expect(expected.length, 'a fixture lists at least one expected finding').toBeGreaterThan(0);
    const { diagnostics } = checkConfig(text, file, env ? { env, requireEnv: true } : {});
    const actual = diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`);
    expect(actual.sort()).toEqual([...expected].sort());
  });

  it.each(FILES)('%s: no finding repeats a literal access_key', (file) => {
    const { text, env } = readFixture(file);
    const literals = [...text.matchAll(/^\s*access_key:\s*(\S+)\s*$/gm)].map((m) => m[1]!).filter((v) => !v.startsWith('$'));
    const { diagnostics } = checkConfig(text, file, env ? { env, requireEnv: true } : {});
    for (const d of diagnostics) {
      for (const secret of literals) {
        expect(d.message).not.toContain(secret);
        expect(d.suggestion ?? '').not.toContain(secret);
      }
    }
  });

  it('has a fixture for every code the rules can report', () => {
    const rulesDir = join(import.meta.dirname, '../../src/config/rules');
    const codes = readdirSync(rulesDir)
      .flatMap((f) => [...readFileSync(join(rulesDir, f), 'utf8').matchAll(/\b(?:code|unknownCode): '([a-z0-9-]+)'/g)].map((m) => m[1]!));
    expect(codes.length).toBeGreaterThan(25);
    const covered = new Set(FILES.flatMap((f) => readFixture(f).expected.map((e) => e.split(' ')[0])));
    expect([...new Set(codes)].filter((c) => !covered.has(c))).toEqual([]);
  });

  it('every finding is located inside its file and names its JSON Pointer', () => {
    for (const file of FILES) {
      const { text, env } = readFixture(file);
      const lines = text.split('\n');
      for (const d of checkConfig(text, file, env ? { env, requireEnv: true } : {}).diagnostics) {
        expect(d.line).toBeGreaterThanOrEqual(1);
        expect(d.line).toBeLessThanOrEqual(lines.length);
        expect(d.column).toBeLessThanOrEqual((lines[d.line - 1] ?? '').length + 1);
        expect(d.endLine * 1e6 + d.endColumn).toBeGreaterThanOrEqual(d.line * 1e6 + d.column);
        expect(d.path === '' || d.path.startsWith('/')).toBe(true);
      }
    }
  });
});
