/**
 * `$VAR` / `${VAR}` as users meet them in the CLI: `validate` in CI without secrets, `validate
 * --env` where they are set, and `expand` showing the values `up` will use — never a secret's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plano } from './run-plano.js';

const CONFIG = `version: v0.4.0
listeners:
  - name: llm
    type: model
    port: \${GATEWAY_PORT}
model_providers:
  - model: openai/gpt-4o
    access_key: $OPENAI_API_KEY
    base_url: https://proxy-user:\${PROXY_PASSWORD}@\${LLM_HOST}/v1
    default: true
  - model: ollama/llama3.1
    base_url: http://\${OLLAMA_HOST}:11434
    headers:
      x-team: \${TEAM}
`;

const ENV = { GATEWAY_PORT: '12001', PROXY_PASSWORD: 'hunter2-not-for-printing', LLM_HOST: 'llm.internal', OLLAMA_HOST: 'gpu-box', TEAM: 'blue', OPENAI_API_KEY: 'sk-test-abcdefghijklmnop' };

let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plano-env-'));
  file = join(dir, 'plano_config.yaml');
  writeFileSync(file, CONFIG);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validate', () => {
  it('without --env (CI without secrets): exit 0, nothing said about the references', async () => {
    const run = await plano(['validate', file]);
    expect(run.stdout + run.stderr).toContain('0 errors, 0 warnings');
    expect(run.code).toBe(0);
  });

  it('with --env and a variable unset: exit 1, the variable named at its line:col', async () => {
    const { OLLAMA_HOST: _unset, ...rest } = ENV;
    const run = await plano(['validate', '--env', '--format', 'json', file], { env: rest });
    expect(run.code).toBe(1);
    const all = (JSON.parse(run.stdout) as { diagnostics: Array<{ severity: string; code: string; line: number; column: number; message: string }> }).diagnostics;
    const findings = all.filter((d) => d.severity === 'error');
    expect(findings.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual(['env-var-not-set 12:15']);
    expect(findings[0]!.message).toContain('OLLAMA_HOST, which is not set');
  });

  it('with --env and every variable set: exit 0', async () => {
    const run = await plano(['validate', '--env', file], { env: ENV });
    expect(run.code).toBe(0);
  });
});

describe('expand', () => {
  it('shows the substituted URLs, with no ${ left, and never the password in one', async () => {
    const run = await plano(['expand', '--format', 'json', file], { env: ENV });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('${');
    expect(run.stdout).toContain('http://gpu-box:11434/v1/chat/completions');
    expect(run.stdout).toContain('llm.internal/v1/chat/completions');
    expect(run.stdout + run.stderr).not.toContain(ENV.PROXY_PASSWORD);
    expect(run.stdout + run.stderr).not.toContain(ENV.OPENAI_API_KEY);
  });

  it('says which variables are unset, and shows those values as written', async () => {
    const { TEAM: _unset, ...rest } = ENV;
    const run = await plano(['expand', file], { env: rest });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('refers to the environment variable TEAM, which is not set, so it is shown as written');
  });
});
