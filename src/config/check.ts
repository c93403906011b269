/**
 * The validation pipeline, in stages (STYLE.md habit 2): parse → schema → normalise → rules.
 * Pure: text in, diagnostics and the normalised config out. Nothing here prints or exits.
 */
import { compareDiagnostics, type Diagnostic } from './diagnostics.js';
import { loadDocument, type ConfigDocument } from './document.js';
import { substituteEnv, type EnvSubstitution } from './env-substitution.js';
import { finding } from './finding.js';
import { pointerLabel } from './json-pointer.js';
import { normalizeConfig } from './normalize.js';
import { checkSchema } from './schema.js';
import { runRules } from './rules/index.js';
import type { IndexModels } from './rules/model-refs.js';
import type { PlanoConfig } from './types.js';

export interface CheckOptions {
  /**
   * The environment `$VAR` / `${VAR}` references in values are replaced from (env-substitution.ts),
   * as Plano replaces them before it starts: `up`, `expand`, `validate --env`. Without it they
   * stay as written (CI often validates without its secrets).
   */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * `validate --env` and `up`: a referenced variable that is not set is an error, and every
   * `access_key` variable a request needs is checked. Otherwise an unset one is a warning.
   */
  requireEnv?: boolean;
}

export interface CheckResult {
  document: ConfigDocument;
  /** Undefined when the file is not a usable YAML mapping. */
  config: PlanoConfig | undefined;
  /** Sorted by position. */
  diagnostics: Diagnostic[];
}

/**
 * The checks, with `models` answering whether a reference reaches a model. Callers use
 * `checkConfig` (src/resolve/check.ts), which hands in the resolver's own lookup.
 */
export function checkConfigText(text: string, file: string, options: CheckOptions & { models: IndexModels }): CheckResult {
  const document = loadDocument(text, file);
  if (document.value === undefined) {
    return { document, config: undefined, diagnostics: [...document.diagnostics].sort(compareDiagnostics) };
  }
  const substitution = substituteEnv(document.value, { env: options.env, isPlainScalar: document.isPlainScalar });
  // The checks see the values the gateway will use; positions are the file's (same structure).
  const substituted: ConfigDocument = substitution.value === document.value ? document : { ...document, value: substitution.value };
  const checked = [...document.diagnostics, ...checkSchema(substituted)];
  const config = normalizeConfig(substituted.value);
  checked.push(...runRules(config, { document: substituted, file, env: options.requireEnv ? options.env : undefined, models: options.models }));
  // A value still holding a reference is not known yet: what the checks say about its text
  // (`${PORT}` is not an integer) would be wrong once it is set. The reference itself is reported;
  // findings about the key (a misspelled one) stand.
  const aboutUnknownValue = (d: Diagnostic): boolean => {
    if (!substitution.unresolved.has(d.path)) return false;
    const value = document.locate(d.path, 'value');
    return d.line === value.line && d.column === value.column;
  };
  const diagnostics = checked.filter((d) => !aboutUnknownValue(d));
  if (options.env) diagnostics.push(...unsetVariables(substitution, document, options.requireEnv === true));
  return { document, config, diagnostics: dedupe(diagnostics).sort(compareDiagnostics) };
}

/** One finding per value that names a variable the environment does not have. */
function unsetVariables(substitution: EnvSubstitution, document: ConfigDocument, required: boolean): Diagnostic[] {
  const byPointer = new Map<string, string[]>();
  for (const { pointer, name, set } of substitution.references) {
    if (set) continue;
    const names = byPointer.get(pointer) ?? [];
    if (!names.includes(name)) names.push(name);
    byPointer.set(pointer, names);
  }
  return [...byPointer].map(([pointer, names]) => {
    const list = names.join(', ');
    const plural = names.length > 1;
    return finding(document, {
      severity: required ? 'error' : 'warning',
      code: 'env-var-not-set',
      message:
        `\`${pointerLabel(pointer)}\` refers to the environment variable${plural ? 's' : ''} ${list}, which ${plural ? 'are' : 'is'} not set` +
        (required ? '.' : ', so it is shown as written.'),
      path: pointer,
      suggestion: `${names.map((name) => `export ${name}=…`).join('; ')}   # before \`plano up\` (Plano replaces $NAME and \${NAME} from the environment)`,
    });
  });
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
