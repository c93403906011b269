/**
 * The one finding type every stage produces (YAML parse, schema, rules, resolution) and every
 * renderer consumes (pretty, json, github, sarif). Its JSON form is a contract (DESIGN.md):
 * keep the field names and meanings exactly.
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** The file as the user named it (relative paths stay relative). */
  file: string;
  severity: Severity;
  /** Stable, kebab-case: `duplicate-model`, `schema-unknown-key`, `yaml-syntax` … */
  code: string;
  /** One sentence that says what is wrong. */
  message: string;
  /** JSON Pointer into the document (`/model_providers/2/model`); `` for the whole file. */
  path: string;
  /** 1-based; the span of the offending key or value. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** How to fix it: a did-you-mean, the corrected YAML, the URL it would produce … */
  suggestion?: string;
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else warnings++;
  }
  return { errors, warnings };
}

/** Stable order for output: by file, then position, then code. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.code.localeCompare(b.code) ||
    a.message.localeCompare(b.message)
  );
}
