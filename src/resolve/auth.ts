/**
 * How a provider entry authenticates upstream, decided once when the gateway is resolved; the
 * secret itself is read only when a request is sent (`credentialFor`), so `expand` and
 * `models list` can show where a key comes from without ever holding its value.
 */
import { wholeReference as accessKeyVariable } from '../config/env-substitution.js';
import type { ProviderEntry } from '../config/types.js';
import type { ProviderSpec } from '../providers/types.js';
import type { AuthPlan } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

export { accessKeyVariable };

/**
 * `passthrough_auth` wins over `access_key` (seed guide, "Passthrough Authentication": the key is
 * ignored); a variable is `set` only when it holds a non-empty value.
 */
export function authPlan(entry: ProviderEntry, provider: ProviderSpec, env: Env): AuthPlan {
  const style = provider.authStyle;
  if (entry.passthrough_auth === true) return { mode: 'passthrough', env: null, set: false, style, secret: null };
  const key = entry.access_key;
  if (key === undefined || key.trim() === '') return { mode: 'none', env: null, set: false, style, secret: null };
  const variable = accessKeyVariable(key);
  if (variable !== undefined) {
    return { mode: 'access_key', env: variable, set: isSet(env[variable]), style, secret: { kind: 'env', name: variable } };
  }
  return { mode: 'access_key', env: null, set: true, style, secret: { kind: 'literal', value: key } };
}

/**
 * The configured secret for a request, read from `env` at the moment it is needed so the value is
 * held nowhere else; undefined for passthrough, none, or an unset variable.
 */
export function credentialFor(auth: AuthPlan, env: Env): string | undefined {
  if (auth.mode !== 'access_key' || auth.secret === null) return undefined;
  if (auth.secret.kind === 'literal') return auth.secret.value;
  const value = env[auth.secret.name];
  return isSet(value) ? value : undefined;
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
