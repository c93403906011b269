/**
 * One finding for a reference to a model elsewhere in the config (alias target, routing
 * preference model, `llm_routing_model`) that reaches no configured model, or more than one.
 */
import type { Diagnostic } from '../diagnostics.js';
import { finding } from '../finding.js';
import type { ModelIndex } from './model-refs.js';
import type { RuleContext } from './types.js';

export interface ReferenceSite {
  reference: string;
  /** JSON Pointer of the value holding the reference. */
  path: string;
  /** How the message starts: `Alias "fast" targets`, `Routing preference "code" lists`. */
  what: string;
  /** The code for a reference to nothing (`unknown-alias-target` …); ambiguity has one code everywhere. */
  unknownCode: string;
  /** The YAML key a corrected line starts with (`target`, `llm_routing_model`), or `-` for a list item. */
  field: string;
  /** Whether the reference may name an alias (requests may; alias targets may not). */
  viaAliases?: boolean;
  /** Said after the message when the reference is missing. */
  note?: string;
  /** The fix when the reference is missing, when the site knows better than did-you-mean. */
  suggestion?: string;
}

export function unresolvedReference(ctx: RuleContext, models: ModelIndex, site: ReferenceSite): Diagnostic[] {
  const result = models.lookup(site.reference, { viaAliases: site.viaAliases ?? false });
  const line = (value: string) => (site.field === '-' ? `- ${value}` : `${site.field}: ${value}`);
  if (result.status === 'found') return [];
  if (result.status === 'ambiguous') {
    return [finding(ctx.document, {
      severity: 'error',
      code: 'ambiguous-model-reference',
      message: `${site.what} "${site.reference}", which is the short name of ${result.matches.map((m) => `"${m}"`).join(' and ')}: it is ambiguous.`,
      path: site.path,
      suggestion: `Name one of them in full, for example \`${line(result.matches[0]!)}\`.`,
    })];
  }
  const matches = result.suggestions.slice(0, 2);
  return [finding(ctx.document, {
    severity: 'error',
    code: site.unknownCode,
    message: `${site.what} "${site.reference}", which is not a configured model` +
      (matches.length > 0 ? ` (did you mean ${matches.map((m) => `"${m}"`).join(' or ')}?)` : '') + '.' + (site.note ?? ''),
    path: site.path,
    suggestion: site.suggestion ?? (matches.length > 0
      ? line(matches[0]!)
      : `Add "${site.reference}" to model_providers, or name one of the configured models.`),
  })];
}
