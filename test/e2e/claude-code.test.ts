/**
 * Issue 13: the real Claude Code CLI (npm @anthropic-ai/claude-code, pinned, installed into
 * node_modules/.cache by this suite) pointed at the built `plano up` with ANTHROPIC_BASE_URL and a
 * placeholder key, on a same-format (Anthropic) and a cross-format (OpenAI chat) model. Each run
 * is one tool round with the agent's own Write tool: the file must exist afterwards, and the
 * final text reach the terminal. Skipped, saying why, only when the package cannot be installed.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-plano.js';
import { AGENT_FINAL_TEXT, startAgentUpstream, type AgentUpstream } from './agent-upstream.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

const CLAUDE_CODE_VERSION = '2.1.197';
const CACHE = join(ROOT, 'node_modules', '.cache', 'plano-agents', `claude-code-${CLAUDE_CODE_VERSION}`);
const BIN = join(CACHE, 'node_modules', '.bin', 'claude');

let installProblem: string | undefined;
let upstream: AgentUpstream | undefined;
let plano: PlanoUp | undefined;
let dir: string;
const target = { file: '', content: 'hello from the agent\n' };

/** The pinned Claude Code in the cache folder, installed from npm when it is not there yet. */
async function installClaudeCode(): Promise<string | undefined> {
  if (existsSync(BIN)) return undefined;
  mkdirSync(CACHE, { recursive: true });
  try {
    await promisify(execFile)('npm', ['install', '--prefix', CACHE, '--no-audit', '--no-fund', '--no-save', `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`], { timeout: 120_000 });
  } catch (error) {
    return `npm could not install @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}: ${(error as Error).message.split('\n')[0]}`;
  }
  return existsSync(BIN) ? undefined : `npm installed @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} but ${BIN} is missing`;
}

beforeAll(async () => {
  installProblem = await installClaudeCode();
  dir = mkdtempSync(join(tmpdir(), 'plano-claude-code-'));
  target.file = join(dir, 'work', 'hello.txt');
  mkdirSync(join(dir, 'work'));
  upstream = await startAgentUpstream(target);
  writeFileSync(
    join(dir, 'plano_config.yaml'),
    [
      'version: v0.4.0',
      'listeners:',
      '  - name: llm',
      '    type: model',
      '    port: 12000',
      'model_providers:',
      '  - model: openai/gpt-4o',
      `    base_url: ${upstream.url}`,
      '    access_key: $OPENAI_API_KEY',
      '    default: true',
      '  - model: anthropic/claude-sonnet-4-5',
      `    base_url: ${upstream.url}`,
      '    access_key: $ANTHROPIC_API_KEY',
      '',
    ].join('\n'),
  );
  plano = await startPlanoUp([], { OPENAI_API_KEY: 'sk-upstream-openai', ANTHROPIC_API_KEY: 'sk-upstream-anthropic' }, dir);
}, 150_000);

afterAll(async () => {
  plano?.kill();
  await plano?.exited;
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `claude -p <prompt> --model <model>` in the work folder, pointed at plano; its exit code and output. */
function runClaude(model: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(BIN, ['-p', `Create the file ${target.file}`, '--model', model, '--allowedTools', 'Write'], {
      cwd: join(dir, 'work'),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        ANTHROPIC_BASE_URL: plano!.url,
        // A placeholder: plano holds the upstream keys.
        ANTHROPIC_API_KEY: 'sk-ant-placeholder',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('Claude Code through plano up', () => {
  const cases = [
    ['anthropic/claude-sonnet-4-5', 'same format'],
    ['openai/gpt-4o', 'translated to chat completions'],
  ] as const;
  for (const [model, how] of cases) it(`${model} (${how}): one Write round, the file written, the final text shown`, async (ctx) => {
    if (installProblem) return ctx.skip(installProblem);
    rmSync(target.file, { force: true });
    const before = upstream!.paths.length;
    const run = await runClaude(model);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(AGENT_FINAL_TEXT);
    expect(readFileSync(target.file, 'utf8')).toBe(target.content);
    // The tool round trip went through the gateway: a call that asked for Write, then one carrying its result.
    expect(upstream!.paths.length - before).toBeGreaterThanOrEqual(2);
    expect(plano!.stderr()).toContain(`${model} → ${model}`);
  }, 120_000);
});
