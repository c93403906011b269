/**
 * `--format sarif`: SARIF 2.1.0 (OASIS), one run for all files, as GitHub code scanning
 * accepts it (`github/codeql-action/upload-sarif`): tool.driver.rules lists the codes that
 * occur, each result points at its rule by id and index, with a physicalLocation region.
 * SARIF columns are 1-based UTF-16 code units and endColumn is exclusive (§3.30.5–3.30.8), as ours are.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from '../../config/diagnostics.js';
import { allDiagnostics, type CheckedFile, type RenderOptions } from './report.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export function renderSarif(files: readonly CheckedFile[], options: Pick<RenderOptions, 'toolVersion'>): string {
  const diagnostics = allDiagnostics(files);
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort();
  const rules = codes.map((code) => ({
    id: code,
    name: ruleName(code),
    shortDescription: { text: sentence(code) },
    defaultConfiguration: { level: diagnostics.find((d) => d.code === code)!.severity },
  }));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'plano',
          version: options.toolVersion,
          semanticVersion: options.toolVersion,
          informationUri: 'https://github.com/katanemo/plano',
          rules,
        },
      },
      artifacts: files.map((f) => ({ location: artifactLocation(f.file) })),
      results: diagnostics.map((d) => result(d, codes.indexOf(d.code))),
      columnKind: 'utf16CodeUnits',
    }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function result(d: Diagnostic, ruleIndex: number): Record<string, unknown> {
  return {
    ruleId: d.code,
    ruleIndex,
    level: d.severity,
    message: { text: d.suggestion !== undefined ? `${d.message}\n${d.suggestion}` : d.message },
    locations: [{
      physicalLocation: {
        artifactLocation: artifactLocation(d.file),
        region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: Math.max(d.endColumn, d.column) },
      },
      ...(d.path !== '' ? { logicalLocations: [{ fullyQualifiedName: d.path }] } : {}),
    }],
  };
}

/** A relative path stays relative to the repository root (`%SRCROOT%`), as code scanning expects. */
function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: encodeURI(file.replace(/\\/g, '/')), uriBaseId: '%SRCROOT%' };
}

/** `duplicate-model` → `DuplicateModel` (SARIF's rule `name` is an identifier). */
function ruleName(code: string): string {
  return code.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/** `duplicate-model` → `Duplicate model`. */
function sentence(code: string): string {
  const words = code.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
