/** `--format json`: the one object DESIGN.md fixes, for every file checked together. */
import type { Diagnostic } from '../../config/diagnostics.js';
import { allDiagnostics, type CheckedFile, type RenderOptions } from './report.js';

export function renderJson(files: readonly CheckedFile[], options: Pick<RenderOptions, 'totals'>): string {
  const t = options.totals;
  const report = {
    valid: t.valid,
    errorCount: t.errors,
    warningCount: t.warnings,
    diagnostics: allDiagnostics(files).map(contractFields),
  };
  return JSON.stringify(report, null, 2) + '\n';
}

/** Exactly the contract's fields, in its order (a Diagnostic built elsewhere may carry more). */
function contractFields(d: Diagnostic): Record<string, unknown> {
  return {
    file: d.file,
    severity: d.severity,
    code: d.code,
    message: d.message,
    path: d.path,
    line: d.line,
    column: d.column,
    endLine: d.endLine,
    endColumn: d.endColumn,
    ...(d.suggestion !== undefined ? { suggestion: d.suggestion } : {}),
  };
}
