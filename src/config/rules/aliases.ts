/**
 * Rules about the names that point at models: an alias's target must be a model a request could
 * reach (aliases resolve one hop), and neither an alias nor an entry's `name` may take a name
 * another model answers to.
 */
import type { Diagnostic } from '../diagnostics.js';
import { finding } from '../finding.js';
import { splitModel } from './model-refs.js';
import { unresolvedReference } from './references.js';
import { yamlSnippet } from './suggestion-yaml.js';
import type { Rule } from './types.js';

/**
 * `model_aliases.<alias>.target` names a configured model (not another alias: one hop only), and
 * one listed in model_providers by its `provider/model` or model id: Plano refuses to start with
 * an alias to a custom `name` or to a model that only a wildcard reaches ("targets … which is not
 * defined as a model"), though `up` could serve either.
 */
export const aliasTargets: Rule = (config, ctx) => {
  if (config.modelAliases.length === 0) return [];
  const models = ctx.models(config);
  const targetOf = new Map(config.modelAliases.map((a) => [a.alias, a.target]));
  const listed = new Map<string, string>();
  for (const entry of config.providers) {
    const parts = splitModel(entry.model);
    if (!parts || parts.wildcard) continue;
    listed.set(entry.model, entry.model);
    listed.set(parts.id, entry.model);
  }
  const namedModel = new Map(config.providers.flatMap((e) => (e.name !== undefined ? [[e.name, e.model] as const] : [])));
  return config.modelAliases.flatMap((alias): Diagnostic[] => {
    const onward = targetOf.get(alias.target);
    const unresolved = unresolvedReference(ctx, models, {
      reference: alias.target,
      path: `${alias.pointer}/target`,
      what: `Alias "${alias.alias}" targets`,
      unknownCode: 'unknown-alias-target',
      field: 'target',
      ...(onward !== undefined
        ? { note: ` "${alias.target}" is itself an alias, and aliases resolve one hop only.`, suggestion: `target: ${onward}` }
        : {}),
    });
    if (unresolved.length > 0 || listed.has(alias.target)) return unresolved;
    const model = namedModel.get(alias.target);
    const canonicalOf = (target: string): string => {
      const found = models.lookup(target);
      return found.status === 'found' && found.canonical !== undefined ? found.canonical : target;
    };
    return [finding(ctx.document, {
      severity: 'error',
      code: 'alias-target-not-listed',
      message: model !== undefined
        ? `Alias "${alias.alias}" targets "${alias.target}", the \`name\` of "${model}"; Plano refuses to start unless an alias targets a listed model by its provider/model or model id.`
        : `Alias "${alias.alias}" targets "${alias.target}", which only a wildcard reaches; Plano refuses to start unless an alias targets a model listed in model_providers.`,
      path: `${alias.pointer}/target`,
      suggestion: model !== undefined
        ? `target: ${model}`
        : `List the model itself in model_providers, next to its wildcard:\n${yamlSnippet({ model_providers: [{ model: canonicalOf(alias.target) }] })}`,
    })];
  });
};

/**
 * Names are looked up before aliases, so an alias spelled like a configured name never
 * applies; short ids come after aliases, so an alias spelled like one takes that short name
 * away from its model (fine when the short id is ambiguous: then the alias is the fix).
 */
export const aliasShadowsModel: Rule = (config, ctx) => {
  if (config.modelAliases.length === 0) return [];
  const models = ctx.models(config);
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

/**
 * Configured names are looked up before anything else, so a `name` spelled like another model's
 * short id takes it: a request for that id silently reaches this entry instead. (A name that is
 * another entry's `model` is `duplicate-name`'s finding; one that is an ambiguous short id takes
 * nothing, since that id routes nowhere.)
 */
export const nameShadowsModel: Rule = (config, ctx) => {
  const named = config.providers.filter((entry) => entry.name !== undefined && splitModel(entry.model)?.wildcard === false);
  if (named.length === 0) return [];
  const models = ctx.models(config);
  return named.flatMap((entry): Diagnostic[] => {
    const name = entry.name!;
    const owner = models.shortNames.get(name);
    if (owner === undefined || owner === entry.model) return [];
    return [finding(ctx.document, {
      severity: 'warning',
      code: 'name-shadows-model',
      message: `Name "${name}" takes the short name of "${owner}": names are looked up before short ids, so requests for "${name}" will go to "${entry.model}" instead.`,
      path: `${entry.pointer}/name`,
      suggestion: `Give this entry a name of its own that is no model's id, or drop the name and ask for "${entry.model}".`,
    })];
  });
};
