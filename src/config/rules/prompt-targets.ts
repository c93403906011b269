/** Rules about `prompt_targets`: each target's endpoint is one declared under `endpoints`. */
import type { Diagnostic } from '../diagnostics.js';
import { finding } from '../finding.js';
import { closestMatches } from '../suggest.js';
import { toPointer } from '../json-pointer.js';
import { yamlSnippet } from './suggestion-yaml.js';
import type { Rule } from './types.js';

export const definedEndpoints: Rule = (config, ctx) => {
  const targets = Array.isArray(config.raw.prompt_targets) ? config.raw.prompt_targets : [];
  const endpoints = config.raw.endpoints;
  const defined = typeof endpoints === 'object' && endpoints !== null && !Array.isArray(endpoints) ? Object.keys(endpoints) : [];
  return targets.flatMap((target, index): Diagnostic[] => {
    const endpoint = typeof target === 'object' && target !== null ? (target as Record<string, unknown>).endpoint : undefined;
    const name = typeof endpoint === 'object' && endpoint !== null ? (endpoint as Record<string, unknown>).name : undefined;
    if (typeof name !== 'string' || defined.includes(name)) return [];
    const close = closestMatches(name, defined, 1)[0];
    return [finding(ctx.document, {
      severity: 'error',
      code: 'undefined-endpoint',
      message: `Prompt target endpoint "${name}" is not declared under \`endpoints\`` + (close ? ` (did you mean "${close}"?)` : '') + '.',
      path: toPointer(['prompt_targets', index, 'endpoint', 'name']),
      suggestion: close ? `name: ${close}` : `Declare it:\n${yamlSnippet({ endpoints: { [name]: { endpoint: '127.0.0.1:80' } } })}`,
    })];
  });
};
