/**
 * What a request translation tells the access log about what it changed or left out (a hosted
 * tool dropped, an output cap clamped): `TranslateContext.notes`, one sentence each, each once
 * however often the request is translated (a fallback model translates it again).
 */
import type { TranslateContext } from './types.js';

export function addNote(ctx: TranslateContext, text: string): void {
  if (ctx.notes && !ctx.notes.includes(text)) ctx.notes.push(text);
}
