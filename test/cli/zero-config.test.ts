/**
 * No config file (issue 17): `expand` and `models list` show the config `plano up` would
 * synthesise from the environment, saying so in one line on stderr (stdout stays the command's:
 * `--format json` pure JSON).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plano } from './run-plano.js';

const empty = mkdtempSync(join(tmpdir(), 'plano-zero-config-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

// OLLAMA_HOST at a closed port: the test never depends on an Ollama on this machine.
const env = { OPENAI_API_KEY: 'sk-zero-config-value', OLLAMA_HOST: '127.0.0.1:9' };

describe('without a config file', () => {
  it('expand --format json prints the synthesised config as pure JSON, the note on stderr', async () => {
    const run = await plano(['expand', '--format', 'json'], { cwd: empty, env });
    expect(run.code, run.stderr).toBe(0);
    const shown = JSON.parse(run.stdout) as { file: string; models: Array<{ name: string; auth: unknown }>; wildcards: Array<{ pattern: string }> };
    expect(shown.file).toBe('(environment)');
    expect(shown.wildcards.map((w) => w.pattern)).toEqual(expect.arrayContaining(['openai/*', 'anthropic/*', 'gemini/*', 'groq/*', 'xai/*']));
    expect(run.stdout).not.toContain('${');
    expect(run.stdout).not.toContain('sk-zero-config-value');
    const notes = run.stderr.trim().split('\n');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('showing a config synthesised from your environment (keys from OPENAI_API_KEY;');
    expect(notes[0]).toContain('`plano init --from-env`');
  });

  it('models list lists what it would serve', async () => {
    const run = await plano(['models', 'list', '--format', 'json'], { cwd: empty, env });
    expect(run.code, run.stderr).toBe(0);
    const ids = (JSON.parse(run.stdout) as { data: Array<{ id: string }> }).data.map((m) => m.id);
    expect(ids).toContain('openai/gpt-4o');
    expect(run.stderr).toContain('synthesised from your environment');
  });

  it('validate still asks for a file: it checks configs, it does not make them', async () => {
    const run = await plano(['validate'], { cwd: empty, env });
    expect(run.code).toBe(2);
  });
});
