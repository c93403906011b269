/**
 * The credential an upstream request carries, decided per request from the target's AuthPlan
 * (DESIGN.md "Auth"):
 *   - access_key: the configured key, from the environment `plano up` was started in (read once:
 *     a running process's environment does not change); unset → an error naming the variable,
 *     and no upstream call is made without it.
 *   - passthrough: the client's own key (Authorization: Bearer, else x-api-key), moved into the
 *     header the upstream expects; the configured key is never sent. A client that sent none is
 *     forwarded without authentication, as the passthrough guide says: an upstream that accepts
 *     anonymous requests answers, any other answers its own 401.
 *   - none (no access_key, e.g. a local Ollama): nothing. The client's key is not forwarded
 *     either: SDKs insist on sending one (often a placeholder), and a real key meant for the
 *     gateway should not leak to an upstream the config did not give it to.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { credentialFor } from '../resolve/auth.js';
import type { ResolvedModel } from '../resolve/types.js';

export type UpstreamCredential = { ok: true; key: string | undefined } | { ok: false; message: string };

export function upstreamCredential(
  target: ResolvedModel,
  client: IncomingHttpHeaders,
  env: Readonly<Record<string, string | undefined>>,
): UpstreamCredential {
  const auth = target.auth;
  if (auth.mode === 'none') return { ok: true, key: undefined };
  if (auth.mode === 'passthrough') {
    return { ok: true, key: clientCredential(client) };
  }
  const key = credentialFor(auth, env);
  if (key !== undefined) return { ok: true, key };
  const variable = auth.env ?? 'its access_key variable';
  return {
    ok: false,
    message:
      `model '${target.name}' needs an API key from the environment variable ${variable}, which is not set. ` +
      `Set ${variable} in the environment and start \`plano up\` again: the environment is read once, when it starts.`,
  };
}

/**
 * The client's own key: `Authorization` without its `Bearer` scheme (RFC 9110 §11.1: the scheme
 * is case-insensitive), else `x-api-key`; blank counts as absent.
 */
export function clientCredential(client: IncomingHttpHeaders): string | undefined {
  const authorization = client.authorization;
  if (authorization !== undefined) {
    const value = authorization.trim();
    const key = value.slice(0, 7).toLowerCase() === 'bearer ' ? value.slice(7).trim() : value;
    if (key !== '') return key;
  }
  const apiKey = client['x-api-key'];
  const key = (Array.isArray(apiKey) ? apiKey[0] : apiKey)?.trim();
  return key === undefined || key === '' ? undefined : key;
}
