/**
 * Rules about preference-based routing (issue 7): the routes' models and the router model must
 * be configured, route names unique, `selection_policy` backed by the metrics it ranks with,
 * and the deprecated inline form moved to the top level.
 */
import { HOSTED_ROUTER_MODEL } from '../../providers/registry.js';
import type { Diagnostic } from '../diagnostics.js';
import { finding } from '../finding.js';
import type { MetricsSource, PlanoConfig, RoutingPreference, SelectionPreference } from '../types.js';
import { lineOf, repeats } from './earlier-entries.js';
import { splitModel } from './model-refs.js';
import { unresolvedReference } from './references.js';
import { yamlSnippet } from './suggestion-yaml.js';
import type { Rule } from './types.js';

/** Which `model_metrics_sources` type each ranking reads (reference config comments). */
const METRICS_FOR: Readonly<Record<Exclude<SelectionPreference, 'none'>, { type: MetricsSource['type']; example: Record<string, unknown> }>> = {
  cheapest: { type: 'cost', example: { type: 'cost', provider: 'models.dev' } },
  fastest: {
    type: 'latency',
    example: { type: 'latency', provider: 'prometheus', url: 'http://prometheus:9090', query: 'avg by (model_name) (rate(plano_llm_latency_seconds_sum[5m]))' },
  },
};

/** Each model a top-level preference lists reaches a configured model. */
export const preferenceModels: Rule = (config, ctx) => {
  // Migrated inline preferences name their own provider's model.
  const declared = config.routingPreferences.filter((pref) => pref.migratedFrom === undefined);
  if (declared.length === 0) return [];
  const models = ctx.models(config);
  return declared
    .flatMap((pref) => pref.models.flatMap((model, index) => unresolvedReference(ctx, models, {
      reference: model,
      path: `${pref.pointer}/models/${index}`,
      what: `Routing preference "${pref.name}" lists`,
      unknownCode: 'unknown-preference-model',
      field: '-',
      viaAliases: true,
    })));
};

/** Route names are what the router answers with: two routes with one name cannot be told apart. */
export const uniquePreferenceNames: Rule = (config, ctx) =>
  repeats(config.routingPreferences, (p) => p.name).map(({ item, first }) => finding(ctx.document, {
    severity: 'error',
    code: 'duplicate-routing-preference',
    message: `Routing preference "${item.name}" is already declared at ${lineOf(ctx, first.pointer)}; the router answers with route names, so it could never tell the two apart.`,
    path: `${item.pointer}/name`,
    suggestion: 'Merge the two into one preference listing all their models, or rename one.',
  }));

/** The v0.3 inline form still works (it is migrated), but new configs declare routes at the top level. */
export const inlinePreferences: Rule = (config, ctx) => {
  const carriers = config.providers.filter((entry) => entry.routing_preferences !== undefined && !splitModel(entry.model)?.wildcard);
  if (carriers.length === 0) return [];
  const migrated = migratedYaml(config);
  const hasTopLevel = Array.isArray(config.raw.routing_preferences);
  return carriers.map((entry) => finding(ctx.document, {
    severity: 'warning',
    code: 'deprecated-inline-routing-preferences',
    message: `routing_preferences under a provider ("${entry.model}") are deprecated: routes are now declared at the top level, each with the models it may use.`,
    path: `${entry.pointer}/routing_preferences`,
    anchor: 'key',
    suggestion: `Delete the inline lists and ${hasTopLevel ? 'add these to the top-level routing_preferences' : 'add at the top level'}:\n${migrated}`,
  }));
};

/** The top-level YAML the inline preferences migrate to, as normalize.ts migrates them. */
function migratedYaml(config: PlanoConfig): string {
  const routes = config.routingPreferences
    .filter((pref) => pref.migratedFrom !== undefined)
    .map((pref) => ({ ...pref, models: pref.models.filter((m) => !splitModel(m)?.wildcard) }))
    .filter((pref) => pref.models.length > 0)
    .map((pref: RoutingPreference) => ({
      name: pref.name,
      description: pref.description ?? '<which requests this route is for>',
      models: pref.models,
    }));
  return yamlSnippet({ routing_preferences: routes });
}

/** `overrides.llm_routing_model` names a configured model, or the hosted router. */
export const routingModel: Rule = (config, ctx) => {
  const model = config.overrides.llm_routing_model;
  if (typeof model !== 'string' || model === HOSTED_ROUTER_MODEL) return [];
  return unresolvedReference(ctx, ctx.models(config), {
    reference: model,
    path: '/overrides/llm_routing_model',
    what: 'overrides.llm_routing_model names',
    unknownCode: 'unknown-llm-routing-model',
    field: 'llm_routing_model',
    viaAliases: true,
    note: ` Configure the router as a model in model_providers, or write "${HOSTED_ROUTER_MODEL}" (or leave it out) for the hosted router.`,
  });
};

/** `prefer: cheapest` ranks by a `cost` source and `fastest` by a `latency` source; without one, the order stays as listed. */
export const selectionPolicyMetrics: Rule = (config, ctx) => {
  // Only a source routing can read counts: one the schema rejects ranks nothing either.
  const types = new Set(config.metricsSources.map((source) => source.type));
  return config.routingPreferences.flatMap((pref): Diagnostic[] => {
    const prefer = pref.selection_policy?.prefer;
    if (prefer === undefined || prefer === 'none') return [];
    const needed = METRICS_FOR[prefer];
    if (types.has(needed.type)) return [];
    return [finding(ctx.document, {
      severity: 'warning',
      code: 'selection-policy-without-metrics',
      message: `prefer: ${prefer} ranks models by ${needed.type}, but model_metrics_sources has no ${needed.type} source, so the models of "${pref.name}" will be tried in the order listed.`,
      path: `${pref.pointer}/selection_policy/prefer`,
      suggestion: `Add a ${needed.type} source:\n${yamlSnippet({ model_metrics_sources: [needed.example] })}\n# or use prefer: none to keep the listed order on purpose`,
    })];
  });
};
