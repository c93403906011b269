/**
 * Findings output for every command: `validate` picks a format; `expand`, `up` and the others
 * print the findings that stop them the way `validate` does (`printFindings`).
 */
import type { CheckResult } from '../../config/check.js';
import { useColor, type CliIo, type OutputStream } from '../io.js';
import { renderGithub } from './github.js';
import { renderJson } from './json.js';
import { renderPretty } from './pretty.js';
import type { FindingsFormat } from './formats.js';
import type { CheckedFile, RenderOptions } from './report.js';
import { renderSarif } from './sarif.js';

export type { CheckedFile, RenderOptions } from './report.js';

export { FINDINGS_FORMATS, isFindingsFormat, type FindingsFormat } from './formats.js';

const RENDERERS: Readonly<Record<FindingsFormat, (files: readonly CheckedFile[], options: RenderOptions) => string>> = {
  pretty: renderPretty,
  json: renderJson,
  github: renderGithub,
  sarif: renderSarif,
};

export function renderFindings(format: FindingsFormat, files: readonly CheckedFile[], options: RenderOptions): string {
  return RENDERERS[format](files, options);
}

/** A checked config as the renderers take it. */
export function checkedFile(result: CheckResult): CheckedFile {
  return { file: result.document.file, text: result.document.text, diagnostics: result.diagnostics };
}

/**
 * Prints findings as `validate` does by default (pretty, with a summary), to stderr unless told
 * otherwise, coloured when that stream is a terminal.
 */
export function printFindings(io: CliIo, files: readonly CheckedFile[], stream: OutputStream = io.stderr): void {
  stream.write(renderPretty(files, { color: useColor(io, stream), strict: false }));
}
