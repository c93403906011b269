/**
 * `plano validate` as CI runs it: the built binary, spawned. Each output format, each exit code.
 * Expected positions come from the fixtures' own `# expect:` headers. Needs `npm run build`
 * (`npm test` builds first).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plano, ROOT, type Run } from './run-plano.js';

const fixture = (name: string) => `fixtures/invalid/${name}`;

/** `[code, line, column]` from a fixture's `# expect:` header. */
function expected(name: string): [string, number, number][] {
  const text = readFileSync(join(ROOT, fixture(name)), 'utf8');
  return [...text.matchAll(/^# expect: (\S+) (\d+):(\d+)$/gm)].map((m) => [m[1]!, Number(m[2]), Number(m[3])]);
}

const CONTRACT_FIELDS = ['file', 'severity', 'code', 'message', 'path', 'line', 'column', 'endLine', 'endColumn'];

let dir: string;
const runs: Record<string, Run> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plano-validate-'));
  writeFileSync(join(dir, 'config.yaml'), readFileSync(join(ROOT, fixture('duplicate-model.yaml'))));
  // One process per case, all at once: the cases are independent.
  const cases: Record<string, Promise<Run>> = {
    pretty: plano(['validate', fixture('several-mistakes.yaml')]),
    json: plano(['validate', '--format', 'json', fixture('several-mistakes.yaml'), fixture('deprecated-llm-providers.yaml')]),
    github: plano(['validate', '--format', 'github', fixture('duplicate-model.yaml')]),
    sarif: plano(['validate', '--format', 'sarif', fixture('several-mistakes.yaml')]),
    warningsOnly: plano(['validate', fixture('deprecated-llm-providers.yaml')]),
    strict: plano(['validate', '--strict', '--format', 'json', fixture('deprecated-llm-providers.yaml')]),
    quiet: plano(['validate', '--quiet', fixture('deprecated-llm-providers.yaml')]),
    quietStrict: plano(['validate', '--quiet', '--strict', '--format', 'json', fixture('deprecated-llm-providers.yaml')]),
    quietStrictPretty: plano(['validate', '--quiet', '--strict', fixture('deprecated-llm-providers.yaml')]),
    defaultFile: plano(['validate'], { cwd: dir }),
    missingFile: plano(['validate', 'no-such-config.yaml']),
    badFlag: plano(['validate', '--no-such-flag', fixture('deprecated-llm-providers.yaml')]),
    badFormat: plano(['validate', '--format', 'xml', fixture('deprecated-llm-providers.yaml')]),
  };
  const names = Object.keys(cases);
  const results = await Promise.all(Object.values(cases));
  names.forEach((name, i) => (runs[name] = results[i]!));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plano validate --format pretty (NO_COLOR)', () => {
  it('prints file:line:col, severity, message and code, a source frame with the span underlined, and the suggestion', () => {
    const { stdout, code } = runs.pretty!;
    expect(code).toBe(1);
    expect(stdout).not.toMatch(/\u001b\[/);
    const source = readFileSync(join(ROOT, fixture('several-mistakes.yaml')), 'utf8').split('\n');
    for (const [rule, line, column] of expected('several-mistakes.yaml')) {
      const header = new RegExp(`^fixtures/invalid/several-mistakes\\.yaml:${line}:${column}: (error|warning): .* \\[${rule}\\]$`, 'm');
      expect(stdout).toMatch(header);
      // The frame shows the line as written up to the span (a literal secret in it is starred out).
      const frame = `${line} | ${source[line - 1]!.slice(0, column - 1)}`;
      expect(stdout).toContain(frame);
    }
    // The unknown alias target: its value underlined exactly, then the did-you-mean fix.
    const block = stdout.split('\n\n').find((b) => b.includes('[unknown-alias-target]'))!;
    const [, frameLine, underline, suggestion] = block.split('\n');
    const valueStart = frameLine!.indexOf('claude-sonnet-4.5');
    expect(underline!.indexOf('^')).toBe(valueStart);
    expect(underline!.slice(valueStart)).toBe('^'.repeat('claude-sonnet-4.5'.length));
    expect(suggestion).toBe('  suggestion: target: claude-sonnet-4-5');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('1 file checked: 4 errors, 1 warning');
  });

  it('never prints the literal key it warns about, not even in the source frame', () => {
    const { stdout } = runs.pretty!;
    expect(stdout).toContain('a literal key (sk-…, 49 characters)');
    expect(stdout).not.toContain('sk-ant-api03-aaaa');
    expect(stdout).toMatch(/\| {5}access_key: \*{49}$/m);
  });
});

describe('plano validate --format json', () => {
  it('prints one object for all files, in the DESIGN.md shape', () => {
    const { stdout, code } = runs.json!;
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { valid: boolean; errorCount: number; warningCount: number; diagnostics: Record<string, unknown>[] };
    expect(Object.keys(report)).toEqual(['valid', 'errorCount', 'warningCount', 'diagnostics']);
    const all = [
      ...expected('several-mistakes.yaml').map((e) => ['fixtures/invalid/several-mistakes.yaml', ...e] as const),
      ...expected('deprecated-llm-providers.yaml').map((e) => ['fixtures/invalid/deprecated-llm-providers.yaml', ...e] as const),
    ];
    expect(report.diagnostics.map((d) => [d.file, d.code, d.line, d.column])).toEqual(
      expect.arrayContaining(all.map(([file, rule, line, column]) => [file, rule, line, column])),
    );
    expect(report.diagnostics).toHaveLength(all.length);
    expect(report.errorCount).toBe(report.diagnostics.filter((d) => d.severity === 'error').length);
    expect(report.warningCount).toBe(report.diagnostics.filter((d) => d.severity === 'warning').length);
    expect(report.errorCount).toBeGreaterThan(0);
    expect(report.valid).toBe(false);
    for (const d of report.diagnostics) {
      const keys = Object.keys(d);
      expect(keys.slice(0, CONTRACT_FIELDS.length)).toEqual(CONTRACT_FIELDS);
      expect(keys.length === CONTRACT_FIELDS.length || (keys.length === CONTRACT_FIELDS.length + 1 && keys.at(-1) === 'suggestion')).toBe(true);
      expect(['error', 'warning']).toContain(d.severity);
      expect(d.code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(typeof d.message).toBe('string');
      expect(d.path).toMatch(/^(\/[^/]+)*$/);
      for (const n of ['line', 'column', 'endLine', 'endColumn']) expect(Number.isInteger(d[n]) && (d[n] as number) >= 1).toBe(true);
    }
    const alias = report.diagnostics.find((d) => d.code === 'unknown-alias-target')!;
    expect(alias).toMatchObject({ severity: 'error', path: '/model_aliases/smart/target', suggestion: 'target: claude-sonnet-4-5' });
    expect(alias.endColumn).toBe((alias.column as number) + 'claude-sonnet-4.5'.length);
  });
});

describe('plano validate --format github', () => {
  it('prints a workflow-command annotation per finding', () => {
    const { stdout, code } = runs.github!;
    expect(code).toBe(1);
    const [[rule, line, column]] = expected('duplicate-model.yaml') as [[string, number, number]];
    const annotation = stdout.split('\n').find((l) => l.startsWith('::'))!;
    expect(annotation).toMatch(
      new RegExp(`^::error file=fixtures/invalid/duplicate-model\\.yaml,line=${line},col=${column},endLine=${line},endColumn=\\d+,title=${rule}::"openai/gpt-4o" is already configured at line 9`),
    );
    // The suggestion rides along on the annotation's next line (an escaped newline).
    expect(annotation).toContain('%0AKeep one entry');
    expect(annotation).not.toContain('\r');
  });
});

describe('plano validate --format sarif', () => {
  it('prints one SARIF 2.1.0 run whose rules are the codes that occur', () => {
    const { stdout, code } = runs.sarif!;
    expect(code).toBe(1);
    const log = JSON.parse(stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    expect(log.runs).toHaveLength(1);
    const [run] = log.runs;
    expect(run.tool.driver.name).toBe('plano');
    expect(run.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
    const want = expected('several-mistakes.yaml');
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id).sort()).toEqual([...new Set(want.map(([rule]) => rule))].sort());
    expect(run.results).toHaveLength(want.length);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(['error', 'warning']).toContain(result.level);
      expect(result.message.text.length).toBeGreaterThan(0);
      const { artifactLocation, region } = result.locations[0].physicalLocation;
      expect(artifactLocation).toEqual({ uri: 'fixtures/invalid/several-mistakes.yaml', uriBaseId: '%SRCROOT%' });
      expect(want).toContainEqual([result.ruleId, region.startLine, region.startColumn]);
      expect(region.endLine).toBeGreaterThanOrEqual(region.startLine);
    }
  });
});

describe('exit codes', () => {
  it('0 when there are only warnings', () => {
    expect(runs.warningsOnly!.code).toBe(0);
    expect(runs.warningsOnly!.stdout).toContain('[deprecated-llm-providers]');
    expect(runs.warningsOnly!.stdout).toContain('1 file checked: 0 errors, 1 warning');
  });

  it('1 for warnings under --strict, and json says it is not valid', () => {
    expect(runs.strict!.code).toBe(1);
    expect(JSON.parse(runs.strict!.stdout)).toMatchObject({ valid: false, errorCount: 0, warningCount: 1 });
  });

  it('--quiet hides warnings but still counts them: 0 without --strict, 1 with it, as without --quiet', () => {
    expect(runs.quiet!.code).toBe(0);
    expect(runs.quiet!.stdout).not.toContain('[deprecated-llm-providers]');
    expect(runs.quietStrict!.code).toBe(runs.strict!.code);
    expect(JSON.parse(runs.quietStrict!.stdout)).toEqual({ valid: false, errorCount: 0, warningCount: 1, diagnostics: [] });
    expect(runs.quietStrictPretty!.code).toBe(1);
    expect(runs.quietStrictPretty!.stdout).not.toContain('[deprecated-llm-providers]');
    expect(runs.quietStrictPretty!.stdout).toContain('1 file checked: 0 errors, 1 warning');
  });

  it('reads config.yaml in the current directory when no file is named', () => {
    expect(runs.defaultFile!.code).toBe(1);
    expect(runs.defaultFile!.stdout).toMatch(/^config\.yaml:\d+:\d+: error: .*\[duplicate-model\]$/m);
  });

  it('2 for a missing file, with a clear message', () => {
    expect(runs.missingFile!.code).toBe(2);
    expect(runs.missingFile!.stderr).toContain('no such file or directory: no-such-config.yaml');
    expect(runs.missingFile!.stdout).toBe('');
  });

  it('2 for an unknown flag and for a bad --format value, naming what is wrong', () => {
    expect(runs.badFlag!.code).toBe(2);
    expect(runs.badFlag!.stderr).toContain("unknown option '--no-such-flag'");
    expect(runs.badFormat!.code).toBe(2);
    expect(runs.badFormat!.stderr).toMatch(/'xml' is invalid.*pretty, json, github, sarif/);
  });
});
