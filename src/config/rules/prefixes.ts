/**
 * Rules about the provider prefix of each `model`: a prefix the table knows brings its own
 * endpoint and wire API; any other prefix is a custom provider and must say both.
 * Every provider fact comes from the table (src/providers/registry.ts).
 */
import type { Diagnostic } from '../diagnostics.js';
import { finding } from '../finding.js';
import { closestMatches } from '../suggest.js';
import { findProvider, interfaceNames, knownPrefixes } from '../../providers/registry.js';
import { splitModel } from './model-refs.js';
import { entryWith } from './suggestion-yaml.js';
import type { Rule } from './types.js';

const BASE_URL_PLACEHOLDER = 'https://<host>';

/** A known provider without a public endpoint (Azure, Bedrock, Qwen, Ollama …) needs `base_url`. */
export const baseUrlRequired: Rule = (config, ctx) =>
  config.providers.flatMap((entry): Diagnostic[] => {
    const parts = splitModel(entry.model);
    const spec = parts && findProvider(parts.prefix);
    if (!spec || spec.defaultBaseUrl !== null || entry.base_url !== undefined) return [];
    return [finding(ctx.document, {
      severity: 'error',
      code: 'base-url-required',
      message: `${spec.displayName} has no public endpoint plano could default to, so "${entry.model}" needs a base_url.`,
      path: `${entry.pointer}/model`,
      suggestion: `Add the address of your ${spec.displayName} endpoint:\n${entryWith(config.raw, entry.pointer, { base_url: BASE_URL_PLACEHOLDER })}`,
    })];
  });

/** A prefix the table does not know is a custom provider: it needs `base_url` and `provider_interface`. */
export const unknownProvider: Rule = (config, ctx) =>
  config.providers.flatMap((entry): Diagnostic[] => {
    const parts = splitModel(entry.model);
    if (!parts || findProvider(parts.prefix)) return [];
    const missing = [
      ...(entry.base_url === undefined ? ['base_url (where it is)'] : []),
      ...(entry.provider_interface === undefined ? ['provider_interface (the API it speaks)'] : []),
    ];
    if (missing.length === 0) return [];
    const path = `${entry.pointer}/model`;
    // With neither field, a prefix close to a known one is most likely a typo of it.
    const typo = missing.length === 2 ? closestMatches(parts.prefix, knownPrefixes(), 1)[0] : undefined;
    if (typo) {
      return [finding(ctx.document, {
        severity: 'error',
        code: 'unknown-provider',
        message: `"${parts.prefix}" is not a provider plano knows (did you mean "${typo}"?); as a custom provider "${entry.model}" would need base_url and provider_interface.`,
        path,
        suggestion: `model: ${typo}/${parts.id}`,
      })];
    }
    const fields: Record<string, string> = {};
    if (entry.base_url === undefined) fields.base_url = BASE_URL_PLACEHOLDER;
    if (entry.provider_interface === undefined) fields.provider_interface = interfaceNames()[0]!;
    return [finding(ctx.document, {
      severity: 'error',
      code: 'unknown-provider',
      message: `"${parts.prefix}" is not a provider plano knows, so "${entry.model}" is a custom provider and needs ${missing.join(' and ')}.`,
      path,
      suggestion: (entry.provider_interface === undefined ? `provider_interface is one of ${interfaceNames().join(', ')}:\n` : '') +
        entryWith(config.raw, entry.pointer, fields),
    })];
  });

/** `provider_interface` is for custom prefixes; a known one already has its own. */
export const interfaceOnKnownProvider: Rule = (config, ctx) =>
  config.providers.flatMap((entry): Diagnostic[] => {
    const parts = splitModel(entry.model);
    const spec = parts && findProvider(parts.prefix);
    if (!spec || entry.provider_interface === undefined) return [];
    const sameApi = findProvider(entry.provider_interface) === spec;
    return [finding(ctx.document, {
      severity: 'error',
      code: 'interface-on-known-provider',
      message: `provider_interface is only for custom providers, and "${parts.prefix}" is built in: plano already knows which API ${spec.displayName} speaks.`,
      path: `${entry.pointer}/provider_interface`,
      anchor: 'key',
      suggestion: sameApi
        ? `Remove \`provider_interface: ${entry.provider_interface}\`.`
        : `Remove provider_interface. To reach a ${entry.provider_interface}-compatible server instead, use a prefix of your own:\n` +
          entryWith(config.raw, entry.pointer, { model: `my-${parts.prefix}/${parts.id}`, base_url: entry.base_url ?? BASE_URL_PLACEHOLDER }),
    })];
  });

