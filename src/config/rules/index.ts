/**
 * The semantic rules, run on the normalised config after the schema check (also when the
 * schema found errors, so every rule tolerates a partial config). A new check is a new
 * function in the family's file, listed here.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { PlanoConfig } from '../types.js';
import { aliasShadowsModel, aliasTargets, nameShadowsModel } from './aliases.js';
import { accessKeyVariablesSet, literalAccessKey, passthroughIgnoresAccessKey } from './auth.js';
import { baseUrlCredentials, baseUrlFormat, baseUrlIncludesEndpoint } from './base-url.js';
import { definedFilters, legacyListenerObject, singleModelListener, uniqueAgentIds, uniqueListenerNames, uniqueListenerPorts } from './listeners.js';
import { baseUrlRequired, interfaceOnKnownProvider, unknownProvider } from './prefixes.js';
import { definedEndpoints } from './prompt-targets.js';
import {
  duplicateModelIds,
  duplicateModels,
  duplicateNames,
  modelFormat,
  providerListKeys,
  singleDefault,
  wildcardMisuse,
} from './providers.js';
import { inlinePreferences, preferenceModels, routingModel, selectionPolicyMetrics, uniquePreferenceNames } from './routing.js';
import { tracingEndpoint } from './tracing.js';
import type { Rule, RuleContext } from './types.js';

export type { Rule, RuleContext } from './types.js';

export const RULES: readonly Rule[] = [
  // providers
  providerListKeys,
  modelFormat,
  duplicateNames,
  duplicateModels,
  singleDefault,
  wildcardMisuse,
  duplicateModelIds,
  baseUrlRequired,
  unknownProvider,
  interfaceOnKnownProvider,
  baseUrlFormat,
  baseUrlIncludesEndpoint,
  baseUrlCredentials,
  // credentials
  passthroughIgnoresAccessKey,
  literalAccessKey,
  accessKeyVariablesSet,
  // names that point at models
  aliasTargets,
  aliasShadowsModel,
  nameShadowsModel,
  preferenceModels,
  uniquePreferenceNames,
  inlinePreferences,
  routingModel,
  selectionPolicyMetrics,
  // listeners and the sections they use
  legacyListenerObject,
  uniqueListenerNames,
  uniqueListenerPorts,
  singleModelListener,
  uniqueAgentIds,
  definedFilters,
  definedEndpoints,
  tracingEndpoint,
];

export function runRules(config: PlanoConfig, ctx: RuleContext): Diagnostic[] {
  return RULES.flatMap((rule) => rule(config, ctx));
}
