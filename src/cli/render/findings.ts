/**
 * Findings output for the commands that stop on findings: `expand`, `up` and the others print
 * them the way `validate` does by default (`printFindings`). `validate` itself loads the
 * renderer of the format asked for (formats.ts).
 */
import type { CheckResult } from '../../config/check.js';
import { useColor, type CliIo, type OutputStream } from '../io.js';
import { renderPretty } from './pretty.js';
import { totals, type CheckedFile } from './report.js';

export { FINDINGS_FORMATS, isFindingsFormat, loadRenderer, type FindingsFormat, type FindingsRenderer } from './formats.js';
export type { CheckedFile, RenderOptions } from './report.js';

/** A checked config as the renderers take it. */
export function checkedFile(result: CheckResult): CheckedFile {
  return { file: result.document.file, text: result.document.text, diagnostics: result.diagnostics };
}

/**
 * Prints findings as `validate` does by default (pretty, with a summary), to stderr unless told
 * otherwise, coloured when that stream is a terminal.
 */
export function printFindings(io: CliIo, files: readonly CheckedFile[], stream: OutputStream = io.stderr): void {
  stream.write(renderPretty(files, { color: useColor(io, stream), totals: totals(files, false) }));
}
