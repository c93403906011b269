/** The findings renderers, in-process: escaping, colour, frames, and the edges of each format. */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { escapeData, escapeProperty, renderGithub } from '../../src/cli/render/github.js';
import { renderJson } from '../../src/cli/render/json.js';
import { renderPretty } from '../../src/cli/render/pretty.js';
import { renderSarif } from '../../src/cli/render/sarif.js';
import { totals, type CheckedFile } from '../../src/cli/render/report.js';

const TEXT = ['version: v0.4.0', 'model_providers:', '  - model: openai/gpt-4o', '    access_key: "sk-live-0123456789abcdef"', ''].join('\n');

function diagnostic(over: Partial<Diagnostic> = {}): Diagnostic {
  return {
    file: 'plano_config.yaml', severity: 'error', code: 'duplicate-model', message: 'm',
    path: '/model_providers/0/model', line: 3, column: 12, endLine: 3, endColumn: 25, ...over,
  };
}

const file = (diagnostics: Diagnostic[], name = 'plano_config.yaml'): CheckedFile => ({ file: name, text: TEXT, diagnostics });

/** Render options whose totals are those of the files shown (nothing hidden by --quiet). */
const counted = (files: CheckedFile[], strict = false) => ({ totals: totals(files, strict) });

describe('github', () => {
  it('escapes % CR LF in the message, and also : and , in properties (as @actions/core does)', () => {
    expect(escapeData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeProperty('C:\\a,b%')).toBe('C%3A\\a%2Cb%25');
    const files = [file([diagnostic({ file: 'dir,x/a:b.yaml', message: 'a: b, c', severity: 'warning', suggestion: 'fix\nit' })], 'dir,x/a:b.yaml')];
    const out = renderGithub(files, counted(files));
    expect(out.split('\n')[0]).toBe('::warning file=dir%2Cx/a%3Ab.yaml,line=3,col=12,endLine=3,endColumn=25,title=duplicate-model::a: b, c%0Afix%0Ait');
  });
});

describe('pretty', () => {
  it('colours only when asked', () => {
    const files = [file([diagnostic()])];
    expect(renderPretty(files, { color: true, ...counted(files) })).toMatch(/\u001b\[/);
    expect(renderPretty(files, { color: false, ...counted(files) })).not.toMatch(/\u001b\[/);
  });

  it('underlines the span, one caret for an empty span, and stars out a literal secret in the frame', () => {
    const files = [file([
      diagnostic(),
      diagnostic({ line: 4, column: 5, endLine: 4, endColumn: 5, code: 'literal-access-key', severity: 'warning' }),
    ])];
    const out = renderPretty(files, { color: false, ...counted(files) });
    expect(out).toContain('  3 |   - model: openai/gpt-4o\n    |            ^^^^^^^^^^^^^');
    expect(out).toContain('  4 |     access_key: "************************"\n    |     ^\n');
    expect(out).not.toContain('sk-live');
    expect(out.trimEnd().split('\n').at(-1)).toBe('1 file checked: 1 error, 1 warning');
  });

  it('shows a span over several lines line by line', () => {
    const files = [file([diagnostic({ line: 2, column: 1, endLine: 3, endColumn: 10 })])];
    const out = renderPretty(files, { color: false, ...counted(files) });
    expect(out).toContain('  2 | model_providers:\n    | ^^^^^^^^^^^^^^^^\n  3 |   - model: openai/gpt-4o\n    |   ^^^^^^^\n');
  });

  it('indents a multi-line suggestion under its first line', () => {
    const files = [file([diagnostic({ suggestion: 'Add:\n- model: x\n  base_url: y' })])];
    const out = renderPretty(files, { color: false, ...counted(files) });
    expect(out).toContain('  suggestion: Add:\n    - model: x\n      base_url: y\n');
  });
});

describe('json', () => {
  it('leaves out suggestion when there is none, and counts warnings as invalid only under --strict', () => {
    const files = [file([diagnostic({ severity: 'warning' })])];
    const loose = JSON.parse(renderJson(files, counted(files)));
    expect(loose).toMatchObject({ valid: true, errorCount: 0, warningCount: 1 });
    expect('suggestion' in loose.diagnostics[0]).toBe(false);
    expect(JSON.parse(renderJson(files, counted(files, true))).valid).toBe(false);
  });

  it('keeps only the contract fields', () => {
    const files = [file([{ ...diagnostic(), internal: 1 } as Diagnostic])];
    expect(Object.keys(JSON.parse(renderJson(files, counted(files))).diagnostics[0])).not.toContain('internal');
  });
});

describe('sarif', () => {
  it('gives an absolute path as a file: URI and a relative one relative to %SRCROOT%', () => {
    const log = JSON.parse(renderSarif([file([diagnostic({ file: '/srv/conf/plano config.yaml' })], '/srv/conf/plano config.yaml'), file([diagnostic()])], { toolVersion: '1.2.3' }));
    const [absolute, relative] = log.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: unknown } }[] }) => r.locations[0]!.physicalLocation.artifactLocation);
    expect(absolute).toEqual({ uri: 'file:///srv/conf/plano%20config.yaml' });
    expect(relative).toEqual({ uri: 'plano_config.yaml', uriBaseId: '%SRCROOT%' });
    expect(log.runs[0].tool.driver.rules).toEqual([
      { id: 'duplicate-model', name: 'DuplicateModel', shortDescription: { text: 'Duplicate model' }, defaultConfiguration: { level: 'error' } },
    ]);
  });
});

describe('pretty: a frame for a very long line', () => {
  it('shows a window around the span, marked with …, the underline still under the span', () => {
    const long = `x: [${Array.from({ length: 400 }, (_, i) => `item${i}`).join(', ')}]`;
    const column = long.indexOf('item300') + 1;
    const files: CheckedFile[] = [{ file: 'c.yaml', text: `${long}\n`, diagnostics: [diagnostic({ file: 'c.yaml', line: 1, column, endLine: 1, endColumn: column + 'item300'.length })] }];
    const [, frame, underline] = renderPretty(files, { color: false, ...counted(files) }).split('\n');
    expect(frame!.length).toBeLessThan(200);
    expect(frame).toMatch(/^ {2}1 \| ….*…$/);
    const at = underline!.indexOf('^');
    expect(frame!.slice(at, at + 'item300'.length)).toBe('item300');
    expect(underline!.slice(at)).toBe('^'.repeat('item300'.length));
  });
});
