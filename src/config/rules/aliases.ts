/**
 * Rules about `model_aliases`: a target must be a model a request could reach (aliases resolve
 * one hop), and an alias must not fight a model for its name.
 */
import type { Diagnostic } from '../diagnostics.js';
import { finding } from '../finding.js';
import { indexModels } from './model-refs.js';
import { unresolvedReference } from './references.js';
import type { Rule } from './types.js';

/** `model_aliases.<alias>.target` names a configured model (not another alias: one hop only). */
export const aliasTargets: Rule = (config, ctx) => {
  if (config.modelAliases.length === 0) return [];
  const models = indexModels(config);
  const targetOf = new Map(config.modelAliases.map((a) => [a.alias, a.target]));
  return config.modelAliases.flatMap((alias): Diagnostic[] => {
    const onward = targetOf.get(alias.target);
    return unresolvedReference(ctx, models, {
      reference: alias.target,
      path: `${alias.pointer}/target`,
      what: `Alias "${alias.alias}" targets`,
      unknownCode: 'unknown-alias-target',
      field: 'target',
      ...(onward !== undefined
        ? { note: ` "${alias.target}" is itself an alias, and aliases resolve one hop only.`, suggestion: `target: ${onward}` }
        : {}),
    });
  });
};

/**
 * Names are looked up before aliases, so an alias spelled like a configured name never
 * applies; short ids come after aliases, so an alias spelled like one takes that short name
 * away from its model (fine when the short id is ambiguous: then the alias is the fix).
 */
export const aliasShadowsModel: Rule = (config, ctx) => {
  if (config.modelAliases.length === 0) return [];
  const models = indexModels(config);
  return config.modelAliases.flatMap((alias): Diagnostic[] => {
    const owner = models.shortNames.get(alias.alias);
    let message: string | undefined;
    if (models.names.has(alias.alias)) {
      message = `Alias "${alias.alias}" is never used: "${alias.alias}" already names a configured model, and names are looked up before aliases.`;
    } else if (owner !== undefined && owner !== alias.target) {
      message = `Alias "${alias.alias}" takes the short name of "${owner}": requests for "${alias.alias}" will go to "${alias.target}" instead.`;
    }
    if (!message) return [];
    return [finding(ctx.document, {
      severity: 'warning',
      code: 'alias-shadows-model',
      message,
      path: alias.pointer,
      anchor: 'key',
      suggestion: 'Rename the alias to a name no model has: aliases are names of their own, such as `fast` or `smart`.',
    })];
  });
};
