/**
 * How an `access_key` is written: a `$VAR` / `${VAR}` reference (resolved only by `up`), a
 * literal secret, or something in between. Messages describe a literal without showing it
 * (DESIGN.md "Secrets").
 */
import { wholeReference } from '../env-substitution.js';

export type SecretReference =
  | { kind: 'variable'; name: string }
  | { kind: 'literal' }
  /** Has a `$` but is not exactly `$NAME` or `${NAME}` (`${KEY`, `Bearer $KEY`, `$MY KEY`). */
  | { kind: 'malformed' };

/** Read the way `up` reads it (src/resolve/auth.ts), so validate and the gateway agree. */
export function readSecretReference(value: string): SecretReference {
  const name = wholeReference(value);
  if (name !== undefined) return { kind: 'variable', name };
  return value.includes('$') ? { kind: 'malformed' } : { kind: 'literal' };
}

/**
 * `a literal key (sk-…, 51 characters)`: the vendor prefix (`sk-`, `gsk_`) helps the user find
 * which key it is, and is not secret; nothing else of the value is shown.
 */
export function describeLiteralSecret(value: string): string {
  const prefix = value.length >= 16 ? /^[A-Za-z]{1,4}[-_]/.exec(value)?.[0] : undefined;
  return `a literal key (${prefix ? `${prefix}…, ` : ''}${value.length} characters)`;
}

/** The variable a provider's key conventionally lives in: `openai` → `OPENAI_API_KEY`. */
export function conventionalKeyVariable(prefix: string): string {
  return `${prefix.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_API_KEY`;
}
