/**
 * What the rules need to know about the configured models: how a `model` string splits into
 * provider prefix and model id, and whether a reference elsewhere in the config (an alias
 * target, a routing preference's models, `overrides.llm_routing_model`) reaches a model. The
 * answer (a ModelIndex) comes from the resolver's own lookup (src/resolve/model-index.ts), handed
 * to the rules in their context, so validate agrees with what `up` will do — wildcard expansions
 * and ambiguous short ids included — and config does not depend on resolve.
 */
import type { PlanoConfig } from '../types.js';

export interface ModelId {
  prefix: string;
  /** The upstream model id: everything after the first `/` (`meta-llama/Llama-2` keeps its slash). */
  id: string;
  wildcard: boolean;
}

/** `openai/gpt-4o` → {openai, gpt-4o}; undefined when there is no `/`, or either side is empty. */
export function splitModel(model: string): ModelId | undefined {
  const slash = model.indexOf('/');
  if (slash <= 0 || slash === model.length - 1) return undefined;
  const id = model.slice(slash + 1);
  return { prefix: model.slice(0, slash), id, wildcard: id === '*' };
}

export type ModelReference =
  /** `canonical`: the `provider/model` it reaches, when the resolver was asked. */
  | { status: 'found'; canonical?: string }
  | { status: 'ambiguous'; matches: string[] }
  | { status: 'missing'; suggestions: string[] };

/** Builds the ModelIndex of a config (the resolver's: src/resolve/model-index.ts). */
export type IndexModels = (config: PlanoConfig) => ModelIndex;

export interface ModelIndex {
  /** Resolves a reference as a request's `model` would be; without `viaAliases` an alias does not count (alias targets: one hop). */
  lookup(reference: string, options?: { viaAliases?: boolean }): ModelReference;
  /** Every name and canonical `provider/model` a request can use, wildcard expansions included. */
  readonly names: ReadonlySet<string>;
  /** Unique short id → the canonical model it names. */
  readonly shortNames: ReadonlyMap<string, string>;
}
