/**
 * What every findings renderer receives: the files that were checked, each with its text (for
 * source frames) and the diagnostics to show, and the totals of every finding (which `--quiet`
 * may show fewer of). One diagnostic type, several renderers (STYLE.md habit 3).
 */
import { countBySeverity, type Diagnostic } from '../../config/diagnostics.js';

export interface CheckedFile {
  /** The file as the user named it. */
  file: string;
  text: string;
  /** Sorted by position: all of them, or what `--quiet` leaves to show. */
  diagnostics: readonly Diagnostic[];
}

export interface RenderOptions {
  /** ANSI colour (pretty only). */
  color: boolean;
  /**
   * Counted over every finding, before `--quiet` hid any: the summary line and JSON `valid`
   * say what the exit code says.
   */
  totals: Totals;
  /** The CLI's version, for SARIF's tool.driver. */
  toolVersion: string;
}

export function allDiagnostics(files: readonly CheckedFile[]): Diagnostic[] {
  return files.flatMap((f) => f.diagnostics);
}

export interface Totals {
  files: number;
  errors: number;
  warnings: number;
  /** What the exit code and JSON `valid` say: no errors, and with --strict no warnings either. */
  valid: boolean;
}

/** `files` with every diagnostic: the one place validity is decided. */
export function totals(files: readonly CheckedFile[], strict: boolean): Totals {
  const { errors, warnings } = countBySeverity(allDiagnostics(files));
  return { files: files.length, errors, warnings, valid: errors === 0 && (!strict || warnings === 0) };
}

/** `3 files checked: 1 error, 2 warnings`. */
export function summaryLine(t: Totals): string {
  return `${plural(t.files, 'file')} checked: ${plural(t.errors, 'error')}, ${plural(t.warnings, 'warning')}`;
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
