/** Auth modes: where a key comes from, whether it is set, and reading it only when asked. */
import { describe, expect, it } from 'vitest';
import { accessKeyVariable, credentialFor } from '../../src/resolve/auth.js';
import { gatewayJson } from '../../src/resolve/gateway-json.js';
import { gatewayFromYaml } from './fixture-gateway.js';

const CONFIG = `
model_providers:
  - model: openai/gpt-4o
    access_key: $OPENAI_API_KEY
  - model: openai/gpt-4o-mini
    access_key: \${OPENAI_DEV_KEY}
  - model: anthropic/claude-sonnet-4-5
    access_key: $ANTHROPIC_API_KEY
  - model: mistral/mistral-small-latest
    access_key: sk-literal-secret-value
  - model: openai/gpt-4o-litellm
    base_url: https://litellm.example.com
    passthrough_auth: true
    access_key: $IGNORED_KEY
  - model: ollama/llama3.1
    base_url: http://localhost:11434
  - model: azure_openai/gpt-4o
    base_url: https://r.openai.azure.com
    access_key: $AZURE_KEY
  - model: amazon_bedrock/amazon.nova-pro-v1:0
    base_url: https://bedrock-runtime.us-east-1.amazonaws.com
    access_key: $AWS_BEARER_TOKEN_BEDROCK
`;
const ENV = { OPENAI_API_KEY: 'sk-from-env', OPENAI_DEV_KEY: '', IGNORED_KEY: 'sk-ignored', AZURE_KEY: 'az-key' };
const gateway = gatewayFromYaml(CONFIG, ENV);
const auth = (name: string) => gateway.models.find((m) => m.name === name)!.auth;

describe('auth plan', () => {
  it.each([
    ['openai/gpt-4o', { mode: 'access_key', env: 'OPENAI_API_KEY', set: true, style: 'bearer' }],
    ['openai/gpt-4o-mini', { mode: 'access_key', env: 'OPENAI_DEV_KEY', set: false, style: 'bearer' }],
    ['anthropic/claude-sonnet-4-5', { mode: 'access_key', env: 'ANTHROPIC_API_KEY', set: false, style: 'x-api-key' }],
    ['mistral/mistral-small-latest', { mode: 'access_key', env: null, set: true, style: 'bearer' }],
    ['openai/gpt-4o-litellm', { mode: 'passthrough', env: null, set: false, style: 'bearer' }],
    ['ollama/llama3.1', { mode: 'none', env: null, set: false, style: 'bearer' }],
    ['azure_openai/gpt-4o', { mode: 'access_key', env: 'AZURE_KEY', set: true, style: 'api-key' }],
    ['amazon_bedrock/amazon.nova-pro-v1:0', { mode: 'access_key', env: 'AWS_BEARER_TOKEN_BEDROCK', set: false, style: 'bearer' }],
  ])('%s', (name, expected) => {
    expect(auth(name)).toMatchObject(expected);
  });

  it('a literal key is kept only as the secret to send', () => {
    expect(auth('mistral/mistral-small-latest').secret).toEqual({ kind: 'literal', value: 'sk-literal-secret-value' });
  });

  it('nothing printable holds a secret value', () => {
    const printed = JSON.stringify(gatewayJson(gateway, 'plano_config.yaml'));
    for (const secret of ['sk-from-env', 'sk-literal-secret-value', 'sk-ignored', 'az-key']) expect(printed).not.toContain(secret);
  });

  it('the Gateway holds variable names, not values', () => {
    expect(JSON.stringify(gateway.models.map((m) => m.auth))).not.toContain('sk-from-env');
  });
});

describe('credentialFor', () => {
  it('reads the variable at the time it is asked', () => {
    const plan = auth('openai/gpt-4o');
    expect(credentialFor(plan, ENV)).toBe('sk-from-env');
    expect(credentialFor(plan, { OPENAI_API_KEY: 'rotated' })).toBe('rotated');
    expect(credentialFor(plan, {})).toBeUndefined();
    expect(credentialFor(auth('openai/gpt-4o-mini'), ENV)).toBeUndefined();
  });

  it('a literal key, and nothing for passthrough or none', () => {
    expect(credentialFor(auth('mistral/mistral-small-latest'), {})).toBe('sk-literal-secret-value');
    expect(credentialFor(auth('openai/gpt-4o-litellm'), ENV)).toBeUndefined();
    expect(credentialFor(auth('ollama/llama3.1'), ENV)).toBeUndefined();
  });
});

describe('accessKeyVariable', () => {
  it.each([
    ['$OPENAI_API_KEY', 'OPENAI_API_KEY'],
    ['${OPENAI_API_KEY}', 'OPENAI_API_KEY'],
    ['$_private1', '_private1'],
    [' $PADDED ', 'PADDED'],
    ['sk-abc', undefined],
    ['$1BAD', undefined],
    ['${UNCLOSED', undefined],
    ['prefix-$VAR', undefined],
    ['$VAR-suffix', undefined],
    ['$', undefined],
  ])('%j → %j', (value, expected) => {
    expect(accessKeyVariable(value)).toBe(expected);
  });
});
