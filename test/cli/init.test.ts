/**
 * `plano init` (issue 17), spawned as a user runs it: every template written, with its modeline
 * and teaching comments, passing `validate --strict`, never holding a key's value; no overwrite
 * without --force; nothing asked and nothing written without a terminal; the prompt answered on
 * a pseudo-terminal (util-linux `script`).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATES } from '../../src/config/templates.js';
import { plano, ROOT } from './run-plano.js';

const KEY_VALUES = { OPENAI_API_KEY: 'sk-openai-value-never-written', GOOGLE_API_KEY: 'AIza-google-value-never-written' };
const folders: string[] = [];
const folder = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'plano-init-'));
  folders.push(dir);
  return dir;
};

/** A stand-in Ollama: answers GET /api/version as Ollama does. */
let ollama: Server;
let ollamaHost: string;
beforeAll(async () => {
  ollama = createServer((req, res) => {
    res.writeHead(req.url === '/api/version' ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ version: '0.12.0' }));
  });
  await new Promise<void>((resolve) => ollama.listen(0, '127.0.0.1', resolve));
  ollamaHost = `127.0.0.1:${(ollama.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => ollama.close(resolve));
});

describe('plano init --template', () => {
  it.each(TEMPLATES.map((t) => [t.name]))('%s: writes a config that teaches, validates strictly and holds no key', async (name) => {
    const dir = folder();
    const run = await plano(['init', '--template', name], { cwd: dir, env: KEY_VALUES });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Wrote plano_config.yaml (template: ${name})`);
    const text = readFileSync(join(dir, 'plano_config.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/plano/schemas/plano_config.schema.json');
    expect(text.split('\n').filter((line) => line.trim().startsWith('#')).length).toBeGreaterThanOrEqual(4);
    for (const value of Object.values(KEY_VALUES)) expect(text).not.toContain(value);
    const validated = await plano(['validate', '--strict', 'plano_config.yaml'], { cwd: dir });
    expect(validated.code, validated.stdout).toBe(0);
  });

  it('never overwrites a config without --force', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'plano_config.yaml'), 'mine\n');
    const again = await plano(['init', '--template', 'routing'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('plano_config.yaml already exists here: left as it is');
    expect(readFileSync(join(dir, 'plano_config.yaml'), 'utf8')).toBe('mine\n');
    const forced = await plano(['init', '--template', 'routing', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'plano_config.yaml'), 'utf8')).toContain('routing_preferences:');
  });

  it('without a terminal and without a template, asks nothing and writes nothing', async () => {
    const dir = folder();
    const run = await plano(['init'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no template chosen, and no terminal to ask on: nothing written');
    expect(run.stderr).toContain('--template env|routing|conversations|coding-agents|proxy');
    expect(existsSync(join(dir, 'plano_config.yaml'))).toBe(false);
  });
});

describe('plano init --from-env', () => {
  it('writes every known provider: keyed by the variables set, the others passing the client’s key; an answering Ollama', async () => {
    const dir = folder();
    const run = await plano(['init', '--from-env'], { cwd: dir, env: { ...KEY_VALUES, OLLAMA_HOST: ollamaHost } });
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(join(dir, 'plano_config.yaml'), 'utf8');
    expect(text).toContain('  - model: openai/*\n    access_key: $OPENAI_API_KEY\n');
    expect(text).toContain('  - model: gemini/*\n    access_key: $GOOGLE_API_KEY\n');
    expect(text).toMatch(/- model: anthropic\/\*\s+# ANTHROPIC_API_KEY not set: the client's key is sent\n\s+passthrough_auth: true/);
    expect(text).toContain(`  - model: ollama/*\n    base_url: http://${ollamaHost}`);
    for (const value of Object.values(KEY_VALUES)) expect(text).not.toContain(value);
    expect((await plano(['validate', '--strict'], { cwd: dir })).code).toBe(0);
  });
});

describe('plano init on a terminal', () => {
  it('asks which template, and writes the one chosen', async () => {
    const dir = folder();
    const bin = join(ROOT, 'bin', 'plano.js');
    const child = spawn('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} init`, '/dev/null'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no prompt: ${output}`)), 10_000);
      const check = (): void => {
        if (output.includes('Which plano_config.yaml should plano write?')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', check);
    });
    // Down once (the second template), then Enter.
    child.stdin.write('\u001b[B');
    setTimeout(() => child.stdin.write('\r'), 200);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(output).toContain('Wrote plano_config.yaml (template: routing)');
    expect(readFileSync(join(dir, 'plano_config.yaml'), 'utf8')).toContain('routing_preferences:');
  });
});
