/**
 * `$VAR` / `${VAR}` in config values (src/config/env-substitution.ts through checkConfig):
 * replaced as Plano's expandvars replaces them, checked after they are, and left alone — with
 * nothing said about their text — when the environment is not given.
 */
import { describe, expect, it } from 'vitest';
import { checkConfig, type CheckOptions } from '../../src/resolve/check.js';
import { resolveGateway } from '../../src/resolve/resolve.js';

const CONFIG = `version: v0.4.0
listeners:
  - name: llm
    type: model
    port: \${PORT}
    timeout: \${TIMEOUT}
model_providers:
  - model: openai/gpt-4o
    access_key: $OPENAI_API_KEY
    base_url: http://\${UPSTREAM_HOST}:8000/v1
    headers:
      x-team: team-$TEAM
`;

const check = (text: string, options: CheckOptions = {}) => checkConfig(text, 'test.yaml', options);
const found = (text: string, options: CheckOptions = {}) =>
  check(text, options).diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.column}`);

const FULL_ENV = { PORT: '8080', TIMEOUT: '30s', UPSTREAM_HOST: 'gpu-box', TEAM: 'blue', OPENAI_API_KEY: 'sk-test' };

describe('substituting the environment into the config', () => {
  it('without an environment (validate in CI) says nothing about values that hold a reference', () => {
    expect(found(CONFIG)).toEqual([]);
  });

  it('replaces every reference in values, reading an unquoted number as a number', () => {
    const { config, diagnostics } = check(CONFIG, { env: FULL_ENV, requireEnv: true });
    expect(diagnostics).toEqual([]);
    expect(config!.listeners[0]!.port).toBe(8080);
    expect(config!.listeners[0]!.timeout).toBe('30s');
    expect(config!.providers[0]!.base_url).toBe('http://gpu-box:8000/v1');
    expect(config!.providers[0]!.headers).toEqual({ 'x-team': 'team-blue' });
    // The key is read when a request is sent (resolve/auth.ts), never copied into the config.
    expect(config!.providers[0]!.access_key).toBe('$OPENAI_API_KEY');
    const gateway = resolveGateway(config!, { env: FULL_ENV });
    expect(gateway.models[0]!.endpoints.chat_completions.url).toBe('http://gpu-box:8000/v1/chat/completions');
  });

  it('with validate --env, names each unset variable at its value', () => {
    expect(found(CONFIG, { env: { TIMEOUT: '30s', TEAM: 'blue', OPENAI_API_KEY: 'sk-test' }, requireEnv: true })).toEqual([
      'error env-var-not-set 5:11',
      'error env-var-not-set 10:15',
    ]);
    const [port] = check(CONFIG, { env: {}, requireEnv: true }).diagnostics;
    expect(port!.message).toBe('`listeners[0].port` refers to the environment variable PORT, which is not set.');
    expect(port!.suggestion).toContain('export PORT=');
  });

  it('names every unset variable of one value once', () => {
    const text = CONFIG.replace('http://${UPSTREAM_HOST}:8000/v1', 'http://${UPSTREAM_HOST}:${UPSTREAM_PORT}/$UPSTREAM_HOST');
    const base = check(text, { env: FULL_ENV, requireEnv: false }).diagnostics;
    expect(base.map((d) => d.message)).toEqual([
      '`model_providers[0].base_url` refers to the environment variable UPSTREAM_PORT, which is not set, so it is shown as written.',
    ]);
    expect(base[0]!.severity).toBe('warning');
  });

  it('checks a value as it is once substituted', () => {
    expect(found(CONFIG, { env: { ...FULL_ENV, PORT: 'eighty' }, requireEnv: true })).toEqual(['error schema-type 5:11']);
    expect(found(CONFIG, { env: { ...FULL_ENV, UPSTREAM_HOST: 'gpu box' }, requireEnv: true })).toContain('error invalid-base-url 10:15');
  });

  it('keeps a quoted reference a string, as YAML keeps a quoted number one', () => {
    const quoted = CONFIG.replace('port: ${PORT}', 'port: "${PORT}"');
    expect(found(quoted, { env: FULL_ENV, requireEnv: true })).toEqual(['error schema-type 5:11']);
  });

  it('still reports a misspelled key whose value holds a reference', () => {
    const typo = CONFIG.replace('    headers:', '    acess_key: $OTHER_KEY\n    headers:');
    expect(found(typo)).toEqual(['error schema-unknown-key 11:5']);
  });

  it('leaves keys, comments and text without a variable name as written', () => {
    const text = `${CONFIG}# costs $5 a month: \${NOT_READ}
routing_preferences:
  - name: code
    description: costs $5, or \${BUDGET}
    models: [openai/gpt-4o]
`;
    const { config } = check(text, { env: { ...FULL_ENV, BUDGET: '$7' } });
    expect(config!.routingPreferences[0]!.description).toBe('costs $5, or $7');
  });
});
