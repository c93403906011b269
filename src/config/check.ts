/**
 * The validation pipeline, in stages (STYLE.md habit 2): parse → schema → normalise → rules.
 * Pure: text in, diagnostics and the normalised config out. Nothing here prints or exits.
 */
import { compareDiagnostics, type Diagnostic } from './diagnostics.js';
import { loadDocument, type ConfigDocument } from './document.js';
import { normalizeConfig } from './normalize.js';
import { checkSchema } from './schema.js';
import { runRules } from './rules/index.js';
import type { PlanoConfig } from './types.js';

export interface CheckOptions {
  /** With `validate --env`: the environment to check `access_key` variables against. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface CheckResult {
  document: ConfigDocument;
  /** Undefined when the file is not a usable YAML mapping. */
  config: PlanoConfig | undefined;
  /** Sorted by position. */
  diagnostics: Diagnostic[];
}

export function checkConfigText(text: string, file: string, options: CheckOptions = {}): CheckResult {
  const document = loadDocument(text, file);
  if (document.value === undefined) {
    return { document, config: undefined, diagnostics: [...document.diagnostics].sort(compareDiagnostics) };
  }
  const diagnostics = [...document.diagnostics, ...checkSchema(document)];
  const config = normalizeConfig(document.value);
  diagnostics.push(...runRules(config, { document, file, env: options.env }));
  return { document, config, diagnostics: dedupe(diagnostics).sort(compareDiagnostics) };
}

/** A schema finding and a rule finding can describe the same mistake at the same place; say it once. */
function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}|${d.path}|${d.line}:${d.column}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
