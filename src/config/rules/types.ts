import type { Diagnostic } from '../diagnostics.js';
import type { ConfigDocument } from '../document.js';
import type { PlanoConfig } from '../types.js';
import type { IndexModels } from './model-refs.js';

export interface RuleContext {
  document: ConfigDocument;
  file: string;
  /** Set only with `validate --env`: check `access_key` variables against it. */
  env?: Readonly<Record<string, string | undefined>>;
  /** How references to models resolve: the resolver's lookup, handed in (config does not depend on resolve). */
  models: IndexModels;
}

/** One semantic check with stable codes: `(config, ctx) => Diagnostic[]`. A new check is a new function. */
export type Rule = (config: PlanoConfig, ctx: RuleContext) => Diagnostic[];
