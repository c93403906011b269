/**
 * A translated request's output-token cap, clamped to what the upstream model can write where
 * that is known (src/providers/output-limits.ts): a model asked for more refuses the whole
 * request, while the client's cap was only ever a ceiling. The clamp is said in the access log.
 */
import { outputTokenLimit } from '../providers/output-limits.js';
import { addNote } from './notes.js';
import type { TranslateContext } from './types.js';

export function clampedOutputTokens(requested: number | undefined, field: string, ctx: TranslateContext): number | undefined {
  if (requested === undefined) return undefined;
  const limit = outputTokenLimit(ctx.upstreamModel);
  if (limit === undefined || requested <= limit) return requested;
  addNote(ctx, `${field} ${requested} is more than ${ctx.upstreamModel} can write: sent ${limit}`);
  return limit;
}
