/**
 * `--format github`: GitHub Actions workflow commands, which the runner turns into annotations
 * on the pull request's diff. Escaping follows @actions/core's `command.ts`: the message escapes
 * `%`, CR and LF; property values additionally `:` and `,`.
 */
import { allDiagnostics, summaryLine, type CheckedFile, type RenderOptions } from './report.js';

export function renderGithub(files: readonly CheckedFile[], options: Pick<RenderOptions, 'totals'>): string {
  const lines = allDiagnostics(files).map((d) => {
    const properties = [
      ['file', d.file],
      ['line', String(d.line)],
      ['col', String(d.column)],
      ['endLine', String(d.endLine)],
      ['endColumn', String(d.endColumn)],
      ['title', d.code],
    ].map(([key, value]) => `${key}=${escapeProperty(value!)}`);
    const message = d.suggestion !== undefined ? `${d.message}\n${d.suggestion}` : d.message;
    return `::${d.severity} ${properties.join(',')}::${escapeData(message)}`;
  });
  lines.push(summaryLine(options.totals));
  return lines.join('\n') + '\n';
}

export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
