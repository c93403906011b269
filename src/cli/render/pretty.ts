/**
 * `--format pretty`, for people: `file:line:col: severity: message [code]` (the form editors
 * and terminals make clickable), the source line(s) with the span underlined, the suggestion,
 * and a summary line. Colour only when asked (useColor decides: terminal, NO_COLOR, FORCE_COLOR).
 */
import type { Diagnostic } from '../../config/diagnostics.js';
import { maskLines, secretRanges } from '../../config/secret-spans.js';
import { palette, type Palette } from './palette.js';
import { summaryLine, type CheckedFile, type RenderOptions } from './report.js';

/** A span over more lines than this is shown by its first lines only. */
const MAX_FRAME_LINES = 3;

export function renderPretty(files: readonly CheckedFile[], options: Pick<RenderOptions, 'color' | 'totals'>): string {
  const colours = palette(options.color);
  const blocks = files.flatMap((f) => {
    if (f.diagnostics.length === 0) return [];
    // A frame shows the user's own file, but CI logs travel further than the file: every secret
    // on a shown line is starred out, keeping its length so the underline still lines up.
    const lines = maskLines(f.text, secretRanges(f.text));
    return f.diagnostics.map((d) => renderDiagnostic(d, lines, colours));
  });
  const t = options.totals;
  const paint = colours.summary[t.errors > 0 ? 'errors' : t.warnings > 0 ? 'warnings' : 'clean'];
  return [...blocks, paint(summaryLine(t))].join('\n\n') + '\n';
}

/** One finding as text: the header line, its source frame and its suggestion. */
function renderDiagnostic(d: Diagnostic, sourceLines: readonly string[], colours: Palette): string {
  const out = [
    `${colours.location(`${d.file}:${d.line}:${d.column}`)}: ${colours.severity[d.severity].label(d.severity)}: ${d.message} ${colours.code(`[${d.code}]`)}`,
    ...sourceFrame(d, sourceLines, colours),
  ];
  if (d.suggestion !== undefined) {
    const [first, ...rest] = d.suggestion.split('\n');
    out.push(`  ${colours.suggestion('suggestion:')} ${first}`, ...rest.map((line) => `    ${line}`));
  }
  return out.join('\n');
}

function sourceFrame(d: Diagnostic, sourceLines: readonly string[], colours: Palette): string[] {
  if (d.line < 1 || d.line > sourceLines.length) return [];
  const last = Math.min(d.endLine, d.line + MAX_FRAME_LINES - 1, sourceLines.length);
  const width = String(last).length;
  const gutter = (label: string) => colours.gutter(`  ${label.padStart(width)} | `);
  const out: string[] = [];
  for (let n = d.line; n <= last; n++) {
    const line = (sourceLines[n - 1] ?? '').replace(/\t/g, ' ');
    const from = n === d.line ? d.column : firstVisibleColumn(line);
    const to = n === d.endLine ? d.endColumn : line.length + 1;
    const shown = frameWindow(line, from, to);
    out.push(gutter(String(n)) + shown.text);
    out.push(gutter('') + ' '.repeat(Math.max(0, shown.from - 1)) + colours.severity[d.severity].underline('^'.repeat(Math.max(1, shown.to - shown.from))));
  }
  return out;
}

/** The widest line a frame shows; a longer one (a flow-style list on one line) is cut to a window. */
const MAX_FRAME_WIDTH = 160;
/** How much of the line before the span a cut window keeps. */
const FRAME_CONTEXT = 40;

/** The part of `line` a frame shows, and the span's columns in it: the whole line when it is short. */
function frameWindow(line: string, from: number, to: number): { text: string; from: number; to: number } {
  if (line.length <= MAX_FRAME_WIDTH) return { text: line, from, to };
  const start = Math.max(0, from - 1 - FRAME_CONTEXT);
  const end = Math.min(line.length, start + MAX_FRAME_WIDTH);
  const before = start > 0 ? '…' : '';
  const after = end < line.length ? '…' : '';
  const shift = start - before.length;
  return { text: before + line.slice(start, end) + after, from: from - shift, to: Math.min(to, end + 1) - shift };
}

function firstVisibleColumn(text: string): number {
  return text.length - text.trimStart().length + 1;
}
