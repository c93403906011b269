/**
 * Issue 12, "Secrets are never printed": every output format of validate, expand and up's
 * startup banner, on configs with secrets in the places users put them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPlanoUp } from '../e2e/up-process.js';
import { plano, ROOT } from './run-plano.js';

const EVERYWHERE = 'fixtures/secrets/secrets-everywhere.yaml';
const URLS = 'fixtures/secrets/url-credentials.yaml';
const SECRETS = ['TYPOTYPO', 'FLOWFLOW', 'hunter2pass', 'QUERYSECRET42', 'HEADERSECRET77', 'GEMINIKEY55', 'QUOTEDSECRET'];

const shown = (text: string) => SECRETS.filter((secret) => text.includes(secret));

describe('validate', () => {
  it.each(['pretty', 'json', 'github', 'sarif'])('--format %s shows no secret, in frames or messages', async (format) => {
    const run = await plano(['validate', '--format', format, EVERYWHERE]);
    expect(run.code).toBe(1);
    expect(run.stdout.length).toBeGreaterThan(100);
    expect(shown(run.stdout + run.stderr)).toEqual([]);
  });

  it('the frame stars out the value under a misspelled key and inside a flow mapping, exactly', async () => {
    const run = await plano(['validate', EVERYWHERE]);
    expect(run.stdout).toContain(`  10 |     acess_key: ${'*'.repeat('sk-proj-TYPOTYPOTYPO1234567890'.length)}\n`);
    expect(run.stdout).toContain(`  12 |     access_key: {k: ${'*'.repeat('sk-ant-api03-FLOWFLOWFLOW0987654321'.length)}}\n`);
  });

  it('credentials in base_url: a warning that they are not sent, the URL starred', async () => {
    const run = await plano(['validate', '--format', 'json', URLS]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    const warning = report.diagnostics.find((d: { code: string }) => d.code === 'base-url-credentials');
    expect(warning).toMatchObject({ severity: 'warning', line: 11 });
    expect(warning.message).toContain('https://***@127.0.0.1:1/v1?api_key=***&team=a');
    expect(shown(run.stdout)).toEqual([]);
  });
});

describe('expand', () => {
  it.each(['table', 'json', 'yaml'])('--format %s shows URL credentials as ***', async (format) => {
    const run = await plano(['expand', '--wide', '--format', format, URLS], { env: { GEMINI_API_KEY: 'x' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('api_key=***&team=a');
    expect(run.stdout).toContain('key=***');
    expect(shown(run.stdout + run.stderr)).toEqual([]);
  });
});

describe('up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plano-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the startup banner shows URL credentials as ***', async () => {
    const up = await startPlanoUp([join(ROOT, URLS)], { GEMINI_API_KEY: 'x' }, dir);
    try {
      const banner = up.stdout() + up.stderr();
      expect(banner).toContain('api_key=***');
      expect(shown(banner)).toEqual([]);
    } finally {
      up.kill();
      await up.exited;
    }
  });
});
