/**
 * Rules about the provider list as a whole: which key holds it, the `model` format, and the
 * names, models and defaults that must be unique.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Diagnostic } from '../diagnostics.js';
import { finding } from '../finding.js';
import { valueAt } from '../json-pointer.js';
import type { ProviderEntry } from '../types.js';
import { lineOf, repeats } from './earlier-entries.js';
import { splitModel } from './model-refs.js';
import { yamlSnippet } from './suggestion-yaml.js';
import type { Rule } from './types.js';

/** `llm_providers` is the old name of `model_providers`: both at once is an error, the old one alone a warning. */
export const providerListKeys: Rule = (config, ctx) => {
  const hasOld = 'llm_providers' in config.raw;
  const hasNew = 'model_providers' in config.raw;
  if (hasOld && hasNew) {
    return [finding(ctx.document, {
      severity: 'error',
      code: 'conflicting-provider-lists',
      message: 'Both `llm_providers` and `model_providers` are present; `llm_providers` is the old name of the same list, and its entries are ignored.',
      path: '/llm_providers',
      anchor: 'key',
      suggestion: 'Move the entries of `llm_providers` into `model_providers` and delete `llm_providers`.',
    })];
  }
  if (hasOld) {
    return [finding(ctx.document, {
      severity: 'warning',
      code: 'deprecated-llm-providers',
      message: '`llm_providers` is deprecated: the list is now called `model_providers`.',
      path: '/llm_providers',
      anchor: 'key',
      suggestion: 'Rename the key to `model_providers:` (the entries stay as they are).',
    })];
  }
  return [];
};

/** `model` must be `<provider>/<model_id>` or `<provider>/*`. */
export const modelFormat: Rule = (config, ctx) =>
  config.providers.flatMap((entry): Diagnostic[] => {
    const problem = modelFormatProblem(entry.model);
    if (!problem) return [];
    return [finding(ctx.document, {
      severity: 'error',
      code: 'invalid-model-format',
      message: `model "${entry.model}" ${problem}: it must be <provider>/<model_id>, or <provider>/* for every model of a provider.`,
      path: `${entry.pointer}/model`,
      suggestion: 'For example `model: openai/gpt-4o` or `model: openai/*`.',
    })];
  });

function modelFormatProblem(model: string): string | undefined {
  const trimmed = model.trim();
  if (trimmed !== model || /\s/.test(model)) return 'contains spaces';
  if (!model.includes('/')) return 'has no provider prefix';
  const parts = splitModel(model);
  if (!parts) return model.startsWith('/') ? 'has no provider prefix' : 'has no model id after the "/"';
  if (parts.prefix.includes('*')) return 'has a "*" in the provider prefix';
  if (!parts.wildcard && parts.id.includes('*')) return 'has a partial wildcard (only a whole "*" is supported)';
  return undefined;
}

/** Entries whose model is well formed, for the rules below (a malformed one is already reported). */
function wellFormed(entries: readonly ProviderEntry[]): ProviderEntry[] {
  return entries.filter((e) => modelFormatProblem(e.model) === undefined);
}

/**
 * An entry's name is its `name`, else its `model` (as the reference names entries). Two equal
 * names where at least one is explicit is this rule's finding; two equal models are
 * `duplicate-model`'s.
 */
export const duplicateNames: Rule = (config, ctx) =>
  repeats(config.providers, (e) => e.name ?? e.model)
    .filter(({ item, first }) => item.name !== undefined || first.name !== undefined)
    .map(({ item, first }) => {
      const name = item.name ?? item.model;
      const taken = first.name !== undefined ? `is already the name of the entry at ${lineOf(ctx, first.pointer)}` : `is already the model of the entry at ${lineOf(ctx, first.pointer)}`;
      return finding(ctx.document, {
        severity: 'error',
        code: 'duplicate-name',
        message: `"${name}" ${taken}; a name must pick out one entry, since clients send it as \`model\`.`,
        path: item.name !== undefined ? `${item.pointer}/name` : `${item.pointer}/model`,
        suggestion: item.name !== undefined ? 'Give this entry a name of its own.' : `Rename the entry at ${lineOf(ctx, first.pointer)}.`,
      });
    });

/**
 * The same `model` twice. Plano refuses to start with a model listed twice ("Duplicate model
 * name"), even an exact repeat that would change nothing: a config that passes here must deploy.
 */
export const duplicateModels: Rule = (config, ctx) =>
  repeats(wellFormed(config.providers), (e) => e.model).map(({ item, first }) => {
    const identical = isDeepStrictEqual(valueAt(config.raw, item.pointer), valueAt(config.raw, first.pointer));
    return finding(ctx.document, {
      severity: 'error',
      code: 'duplicate-model',
      message: identical
        ? `This entry for "${item.model}" repeats the one at ${lineOf(ctx, first.pointer)}; Plano refuses to start with a model listed twice, even as an exact repeat.`
        : `"${item.model}" is already configured at ${lineOf(ctx, first.pointer)}; with two entries for one model, a request for it could mean either.`,
      path: `${item.pointer}/model`,
      suggestion: identical ? 'Delete the repeat.' : 'Keep one entry for this model: delete one of the two, or merge their settings.',
    });
  });

/** At most one specific model is `default: true` (a wildcard default is `wildcard-default`'s finding). */
export const singleDefault: Rule = (config, ctx) => {
  const defaults = wellFormed(config.providers).filter((e) => e.default === true && !splitModel(e.model)!.wildcard);
  const [first, ...rest] = defaults;
  if (!first) return [];
  return rest.map((entry) => finding(ctx.document, {
    severity: 'error',
    code: 'multiple-defaults',
    message: `"${entry.model}" is marked default, but "${first.model}" at ${lineOf(ctx, first.pointer)} already is; there can be only one default model.`,
    path: `${entry.pointer}/default`,
    suggestion: 'Keep `default: true` on one entry and remove it from the others.',
  }));
};

/** A wildcard names no single model: it cannot be the default, and no route can name it. */
export const wildcardMisuse: Rule = (config, ctx) =>
  wellFormed(config.providers).flatMap((entry): Diagnostic[] => {
    const parts = splitModel(entry.model)!;
    if (!parts.wildcard) return [];
    const out: Diagnostic[] = [];
    if (entry.default === true) {
      out.push(finding(ctx.document, {
        severity: 'error',
        code: 'wildcard-default',
        message: `A wildcard ("${entry.model}") cannot be the default model: it stands for many models, and the default must be one.`,
        path: `${entry.pointer}/default`,
        suggestion: `Remove \`default: true\` here and add a specific model as the default:\n${yamlSnippet([{ model: `${parts.prefix}/<model_id>`, default: true }])}`,
      }));
    }
    if (valueAt(config.raw, `${entry.pointer}/routing_preferences`) !== undefined) {
      out.push(finding(ctx.document, {
        severity: 'error',
        code: 'wildcard-routing-preferences',
        message: `A wildcard ("${entry.model}") cannot carry routing_preferences: a route must lead to specific models.`,
        path: `${entry.pointer}/routing_preferences`,
        anchor: 'key',
        suggestion: `Declare the route at the top level with the models it should use:\n${yamlSnippet({
          routing_preferences: [{ name: '<route name>', description: '<which requests this route is for>', models: [`${parts.prefix}/<model_id>`] }],
        })}`,
      }));
    }
    return out;
  });

/**
 * Plano names a specific entry by its `provider/model` and by its model id alone, and refuses to
 * start when one of those keys is taken twice ("Duplicate model_id"): the same id under two
 * providers (`openai/gpt-4o`, `azure_openai/gpt-4o`), or an id that is another entry's full
 * model (`openrouter/openai/gpt-4o` after `openai/gpt-4o`). An exact repeat of a model is
 * `duplicate-model`'s finding.
 */
export const duplicateModelIds: Rule = (config, ctx) => {
  const keys = new Map<string, ProviderEntry>();
  const out: Diagnostic[] = [];
  for (const entry of wellFormed(config.providers)) {
    const parts = splitModel(entry.model)!;
    if (parts.wildcard || keys.get(entry.model)?.model === entry.model) continue;
    keys.set(entry.model, entry);
    const owner = keys.get(parts.id);
    if (owner === undefined) {
      keys.set(parts.id, entry);
      continue;
    }
    const clash = owner.model === parts.id ? `is the model of the entry at ${lineOf(ctx, owner.pointer)}` : `is also the model id of "${owner.model}" (${lineOf(ctx, owner.pointer)})`;
    out.push(finding(ctx.document, {
      severity: 'error',
      code: 'duplicate-model-id',
      message: `The model id "${parts.id}" of "${entry.model}" ${clash}; Plano refuses to start when two entries answer to one model id, since a request for "${parts.id}" could mean either.`,
      path: `${entry.pointer}/model`,
      suggestion: `Plano serves a model id from one provider: keep one of the two entries.`,
    }));
  }
  return out;
};
