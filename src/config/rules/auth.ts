/**
 * Rules about credentials: `access_key` should name an environment variable, not hold the
 * secret; with `passthrough_auth` it is not used at all. No message shows a secret's value.
 */
import type { Diagnostic } from '../diagnostics.js';
import { finding } from '../finding.js';
import { splitModel } from './model-refs.js';
import { conventionalKeyVariable, describeLiteralSecret, readSecretReference } from './secrets.js';
import type { Rule } from './types.js';

/** With `passthrough_auth: true` the client's credential is forwarded and `access_key` is ignored (seed, "Important Notes"). */
export const passthroughIgnoresAccessKey: Rule = (config, ctx) =>
  config.providers
    .filter((entry) => entry.passthrough_auth === true && entry.access_key !== undefined)
    .map((entry) => finding(ctx.document, {
      severity: 'warning',
      code: 'passthrough-ignores-access-key',
      message: 'access_key is ignored here: with passthrough_auth: true the client\'s Authorization header is forwarded instead.',
      path: `${entry.pointer}/access_key`,
      anchor: 'key',
      suggestion: 'Remove access_key, or remove passthrough_auth to send this key upstream.',
    }));

/** `access_key: sk-…` puts a secret in the file; `$VAR` / `${VAR}` keeps it in the environment. */
export const literalAccessKey: Rule = (config, ctx) =>
  config.providers.flatMap((entry): Diagnostic[] => {
    const value = entry.access_key;
    if (value === undefined || value.trim() === '') return [];
    const reference = readSecretReference(value);
    if (reference.kind === 'variable') return [];
    const variable = conventionalKeyVariable(splitModel(entry.model)?.prefix ?? 'provider');
    return [finding(ctx.document, {
      severity: 'warning',
      code: 'literal-access-key',
      message: reference.kind === 'literal'
        ? `access_key is ${describeLiteralSecret(value)}: a secret written into the config file ends up wherever the file goes.`
        : 'access_key mixes a "$" with other text: only a whole $NAME or ${NAME} is read from the environment, so this is sent as it is written.',
      path: `${entry.pointer}/access_key`,
      suggestion: `access_key: $${variable}\n# and set ${variable} in the environment` +
        (reference.kind === 'literal' ? ' (rotate the key if this file was ever shared)' : ''),
    })];
  });

/** With `validate --env`: every `access_key` variable a request would need is set. */
export const accessKeyVariablesSet: Rule = (config, ctx) => {
  const env = ctx.env;
  if (!env) return [];
  return config.providers.flatMap((entry): Diagnostic[] => {
    if (entry.access_key === undefined || entry.passthrough_auth === true) return [];
    const reference = readSecretReference(entry.access_key);
    if (reference.kind !== 'variable' || (env[reference.name] ?? '') !== '') return [];
    return [finding(ctx.document, {
      severity: 'error',
      code: 'access-key-not-set',
      message: `access_key names the environment variable ${reference.name}, which is ${env[reference.name] === '' ? 'empty' : 'not set'}.`,
      path: `${entry.pointer}/access_key`,
      suggestion: `export ${reference.name}=…   # before \`plano up\``,
    })];
  });
};
