/**
 * `--format pretty`, for people: `file:line:col: severity: message [code]` (the form editors
 * and terminals make clickable), the source line(s) with the span underlined, the suggestion,
 * and a summary line. Colour only when asked (useColor decides: terminal, NO_COLOR, FORCE_COLOR).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Diagnostic } from '../../config/diagnostics.js';
import { summaryLine, totals, type CheckedFile, type RenderOptions } from './report.js';

/** A span over more lines than this is shown by its first lines only. */
const MAX_FRAME_LINES = 3;

export function renderPretty(files: readonly CheckedFile[], options: Pick<RenderOptions, 'color' | 'strict'>): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const blocks = files.flatMap((f) => {
    const lines = f.text.split(/\r?\n/);
    return f.diagnostics.map((d) => renderDiagnostic(d, lines, chalk));
  });
  const t = totals(files, options.strict);
  const summary = summaryLine(t);
  const mark = t.errors > 0 ? chalk.red.bold(summary) : t.warnings > 0 ? chalk.yellow.bold(summary) : chalk.green.bold(summary);
  return [...blocks, mark].join('\n\n') + '\n';
}

/** One finding as text: the header line, its source frame and its suggestion (also used by other commands). */
export function renderDiagnostic(d: Diagnostic, sourceLines: readonly string[], chalk: ChalkInstance): string {
  const paint = d.severity === 'error' ? chalk.red : chalk.yellow;
  const out = [
    `${chalk.bold(`${d.file}:${d.line}:${d.column}`)}: ${paint.bold(d.severity)}: ${d.message} ${chalk.dim(`[${d.code}]`)}`,
    ...sourceFrame(d, sourceLines, chalk, paint),
  ];
  if (d.suggestion !== undefined) {
    const [first, ...rest] = d.suggestion.split('\n');
    out.push(`  ${chalk.cyan('suggestion:')} ${first}`, ...rest.map((line) => `    ${line}`));
  }
  return out.join('\n');
}

function sourceFrame(d: Diagnostic, sourceLines: readonly string[], chalk: ChalkInstance, paint: ChalkInstance): string[] {
  if (d.line < 1 || d.line > sourceLines.length) return [];
  const last = Math.min(d.endLine, d.line + MAX_FRAME_LINES - 1, sourceLines.length);
  const width = String(last).length;
  const gutter = (label: string) => chalk.dim(`  ${label.padStart(width)} | `);
  const out: string[] = [];
  for (let n = d.line; n <= last; n++) {
    const text = maskSecret((sourceLines[n - 1] ?? '').replace(/\t/g, ' '));
    const from = n === d.line ? d.column : firstVisibleColumn(text);
    const to = n === d.endLine ? d.endColumn : text.length + 1;
    out.push(gutter(String(n)) + text);
    out.push(gutter('') + ' '.repeat(Math.max(0, from - 1)) + paint('^'.repeat(Math.max(1, to - from))));
  }
  return out;
}

/** Keys whose literal values are secrets (a `$VAR` reference is not, and stays visible). */
const SECRET_LINE = /^(\s*(?:-\s+)?(?:access_key|api_key|connection_string)\s*:\s*)(["']?)([^$\s#"'][^\s#"']*)/;

/**
 * A frame shows the user's own file, but CI logs travel further than the file: a literal secret
 * on a shown line is starred out, keeping its length so the underline still lines up.
 */
function maskSecret(line: string): string {
  return line.replace(SECRET_LINE, (_all, key: string, quote: string, value: string) => key + quote + '*'.repeat(value.length));
}

function firstVisibleColumn(text: string): number {
  return text.length - text.trimStart().length + 1;
}
