/**
 * Issue 13: the real coding agents — Claude Code and OpenAI's Codex CLI, pinned npm packages
 * installed into node_modules/.cache by the suite (agent-cli.ts) — pointed at the built
 * `plano up` the way the README says, each on a model its own API serves and on models plano
 * translates for it. Every run is one tool round with the agent's own tool (Claude Code's Write,
 * Codex's shell): the file must exist afterwards and the final text reach the terminal. Skipped,
 * saying why, only when a package cannot be installed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE_CODE, CODEX, installAgent, runAgent } from './agent-cli.js';
import { AGENT_FINAL_TEXT, startAgentUpstream, type AgentUpstream } from './agent-upstream.js';
import { plano as runPlano } from '../cli/run-plano.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';
import { freePort } from './free-port.js';

const UPSTREAM_KEYS = { OPENAI_API_KEY: 'sk-up-openai', ANTHROPIC_API_KEY: 'sk-up-anthropic', DEEPSEEK_API_KEY: 'sk-up-deepseek' };

/** The config every run serves: three models behind the agent upstream, the model listener on `port`. */
function configText(port: number): string {
  const entry = (model: string, key: string) => [`  - model: ${model}`, `    base_url: ${upstream!.url}`, `    access_key: $${key}`];
  return [
    'version: v0.4.0',
    'listeners:',
    '  - name: llm',
    '    type: model',
    `    port: ${port}`,
    'model_providers:',
    ...entry('openai/gpt-4o', 'OPENAI_API_KEY'),
    '    default: true',
    ...entry('anthropic/claude-sonnet-4-5', 'ANTHROPIC_API_KEY'),
    ...entry('deepseek/deepseek-chat', 'DEEPSEEK_API_KEY'),
    '',
  ].join('\n');
}

let installed: Record<'claude' | 'codex', { bin: string } | { problem: string }>;
let upstream: AgentUpstream | undefined;
let plano: PlanoUp | undefined;
let dir: string;
const target = { file: '', content: 'hello from the agent\n' };

beforeAll(async () => {
  const [claude, codex] = await Promise.all([installAgent(CLAUDE_CODE), installAgent(CODEX)]);
  installed = { claude, codex };
  dir = mkdtempSync(join(tmpdir(), 'plano-agents-'));
  target.file = join(dir, 'work', 'hello.txt');
  mkdirSync(join(dir, 'work'));
  mkdirSync(join(dir, 'home', '.codex'), { recursive: true });
  upstream = await startAgentUpstream(target);
  writeFileSync(join(dir, 'plano_config.yaml'), configText(12000));
  plano = await startPlanoUp([], UPSTREAM_KEYS, dir);
}, 240_000);

afterAll(async () => {
  plano?.kill();
  await plano?.exited;
  await upstream?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What every run must show: exit 0, the file the agent's tool wrote, the final text, and plano serving the model. */
function expectToolRound(run: { code: number | null; output: string }, model: string, requestsBefore: number): void {
  expect(run.code, run.output).toBe(0);
  expect(run.output).toContain(AGENT_FINAL_TEXT);
  expect(readFileSync(target.file, 'utf8')).toBe(target.content);
  expect(upstream!.paths.length - requestsBefore, 'a call asking for the tool, then one carrying its result').toBeGreaterThanOrEqual(2);
  expect(plano!.stderr()).toContain(`${model} → ${model}`);
}

describe('Claude Code through plano up (ANTHROPIC_BASE_URL and a placeholder key)', () => {
  const cases = [
    ['anthropic/claude-sonnet-4-5', 'same format'],
    ['openai/gpt-4o', 'translated to chat completions'],
  ] as const;
  for (const [model, how] of cases) {
    it(`${model} (${how}): a Write round`, async (ctx) => {
      const agent = installed.claude;
      if ('problem' in agent) return ctx.skip(agent.problem);
      rmSync(target.file, { force: true });
      const before = upstream!.paths.length;
      const run = await runAgent(agent.bin, ['-p', `Create the file ${target.file}`, '--model', model, '--allowedTools', 'Write'], {
        cwd: join(dir, 'work'),
        env: { HOME: dir, ANTHROPIC_BASE_URL: plano!.url, ANTHROPIC_API_KEY: 'sk-ant-placeholder', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1' },
      });
      expectToolRound(run, model, before);
      if (model === 'openai/gpt-4o') {
        // Claude Code asks for 32,000 output tokens; gpt-4o writes at most 16,384 and refuses more.
        expect(upstream!.bodies.slice(before).map((b) => b.max_tokens)).toEqual(upstream!.bodies.slice(before).map(() => 16_384));
        expect(plano!.stderr()).toContain('note="max_tokens 32000 is more than gpt-4o can write: sent 16384"');
      }
    }, 120_000);
  }
});

describe('Codex CLI through plano up (a model_providers entry with wire_api = "responses", given by -c)', () => {
  const cases = [
    ['openai/gpt-4o', 'same format: the Responses API'],
    ['anthropic/claude-sonnet-4-5', 'translated to chat completions, then to Anthropic messages'],
    ['deepseek/deepseek-chat', 'translated to chat completions'],
  ] as const;
  for (const [model, how] of cases) {
    it(`${model} (${how}): a shell round`, async (ctx) => {
      const agent = installed.codex;
      if ('problem' in agent) return ctx.skip(agent.problem);
      rmSync(target.file, { force: true });
      const before = upstream!.paths.length;
      const provider = `model_providers.plano={name="plano",base_url="${plano!.url}/v1",wire_api="responses",env_key="PLANO_PLACEHOLDER_KEY"}`;
      // exec's default sandbox is read-only; workspace-write lets its shell write in the work folder.
      const run = await runAgent(
        agent.bin,
        ['exec', '--skip-git-repo-check', '--sandbox', 'workspace-write', '-c', provider, '-c', 'model_provider=plano', '-c', `model=${model}`, `Create the file ${target.file}`],
        { cwd: join(dir, 'work'), env: { HOME: join(dir, 'home'), CODEX_HOME: join(dir, 'home', '.codex'), PLANO_PLACEHOLDER_KEY: 'unused' } },
      );
      expectToolRound(run, model, before);
    }, 120_000);
  }
});


async function answersAt(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
}

describe('Codex’s namespaced tools through a translation', () => {
  it('a call of a function its namespace tool groups (close_agent of multi_agent_v1) reaches that tool', async (ctx) => {
    const agent = installed.codex;
    if ('problem' in agent) return ctx.skip(agent.problem);
    const before = upstream!.bodies.length;
    const provider = `model_providers.plano={name="plano",base_url="${plano!.url}/v1",wire_api="responses",env_key="PLANO_PLACEHOLDER_KEY"}`;
    const run = await runAgent(agent.bin, ['exec', '--skip-git-repo-check', '-c', provider, '-c', 'model_provider=plano', '-c', 'model=deepseek/deepseek-chat', 'Close the agent agent-x'], {
      cwd: join(dir, 'work'),
      env: { HOME: join(dir, 'home'), CODEX_HOME: join(dir, 'home', '.codex'), PLANO_PLACEHOLDER_KEY: 'unused' },
    });
    expect(run.code, run.output).toBe(0);
    // The tool's answer went back to the model: Codex ran its close_agent (which rejects the id),
    // rather than "unsupported call", which is what it says to a call without its namespace.
    const toolMessages = upstream!.bodies.slice(before).flatMap((b) => (b.messages ?? []).filter((m: { role: string }) => m.role === 'tool'));
    expect(toolMessages.map((m: { content: string }) => m.content).join('\n')).toMatch(/invalid agent id agent-x/);
    expect(toolMessages.map((m: { content: string }) => m.content).join('\n')).not.toContain('unsupported call');
  }, 120_000);
});

describe('plano agent: the launcher', () => {
  it('uses the plano up already serving the config; the agent’s arguments reach it, its exit code is plano’s', async (ctx) => {
    const agent = installed.claude;
    if ('problem' in agent) return ctx.skip(agent.problem);
    const port = await freePort();
    const folder = mkdtempSync(join(tmpdir(), 'plano-agent-running-'));
    writeFileSync(join(folder, 'plano_config.yaml'), configText(port));
    const gateway = spawn(process.execPath, [join(import.meta.dirname, '../../bin/plano.js'), 'up'], { cwd: folder, env: { PATH: process.env.PATH ?? '', ...UPSTREAM_KEYS }, stdio: 'ignore' });
    try {
      while (!(await answersAt(port))) await new Promise((resolve) => setTimeout(resolve, 100));
      rmSync(target.file, { force: true });
      const env = { PATH: `${dirname(agent.bin)}:${process.env.PATH}`, HOME: dir, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', ANTHROPIC_API_KEY: 'sk-ant-the-users-real-key' };
      const run = await runPlano(['agent', '--model', 'openai/gpt-4o', 'claude', '-p', `Create the file ${target.file}`, '--allowedTools', 'Write'], { cwd: folder, env, timeoutMs: 90_000 });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain(AGENT_FINAL_TEXT);
      expect(readFileSync(target.file, 'utf8')).toBe(target.content);
      expect(run.stderr).not.toContain('starting plano up');
      // An argument Claude Code refuses: its exit code, not plano's own.
      const refused = await runPlano(['agent', 'claude', '--no-such-claude-flag'], { cwd: folder, env, timeoutMs: 60_000 });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/no-such-claude-flag/);
    } finally {
      gateway.kill();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 150_000);

  it('starts plano up for the run when none answers, and stops it after (Codex, with a subcommand)', async (ctx) => {
    const agent = installed.codex;
    if ('problem' in agent) return ctx.skip(agent.problem);
    const port = await freePort();
    const folder = mkdtempSync(join(tmpdir(), 'plano-agent-start-'));
    writeFileSync(join(folder, 'plano_config.yaml'), configText(port));
    try {
      rmSync(target.file, { force: true });
      const env = { PATH: `${dirname(agent.bin)}:${process.env.PATH}`, HOME: join(dir, 'home'), CODEX_HOME: join(dir, 'home', '.codex'), ...UPSTREAM_KEYS };
      const run = await runPlano(
        ['agent', '--model', 'anthropic/claude-sonnet-4-5', 'codex', 'exec', '--skip-git-repo-check', '--sandbox', 'workspace-write', `Create the file ${target.file}`],
        { cwd: folder, env, timeoutMs: 90_000 },
      );
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stderr).toContain(`no gateway answers at http://127.0.0.1:${port}; starting plano up plano_config.yaml for this run`);
      expect(run.stdout + run.stderr).toContain(AGENT_FINAL_TEXT);
      expect(readFileSync(target.file, 'utf8')).toBe(target.content);
      expect(await answersAt(port)).toBe(false);
      // Codex was pointed at plano by -c overrides alone: no config file written for it.
      expect(existsSync(join(dir, 'home', '.codex', 'config.toml'))).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 150_000);

  it('an agent that is not on PATH runs through npx, with the same arguments and exit code', async () => {
    const port = await freePort();
    const folder = mkdtempSync(join(tmpdir(), 'plano-agent-npx-'));
    writeFileSync(join(folder, 'plano_config.yaml'), configText(port));
    // A stand-in npx on PATH that says what it was asked to run, and exits 7.
    writeFileSync(join(folder, 'npx'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${join(folder, 'npx-args')}'\nprintf '%s' "$ANTHROPIC_BASE_URL" > '${join(folder, 'npx-url')}'\nexit 7\n`, { mode: 0o755 });
    try {
      const run = await runPlano(['agent', 'claude', '-p', 'hi'], { cwd: folder, env: { PATH: folder, ...UPSTREAM_KEYS }, timeoutMs: 60_000 });
      expect(run.code).toBe(7);
      expect(run.stderr).toContain('claude is not on PATH; running @anthropic-ai/claude-code through npx');
      expect(readFileSync(join(folder, 'npx-args'), 'utf8').trim().split('\n')).toEqual(['--yes', '@anthropic-ai/claude-code', '--model', 'openai/gpt-4o', '-p', 'hi']);
      expect(readFileSync(join(folder, 'npx-url'), 'utf8')).toBe(`http://127.0.0.1:${port}`);
      expect(await answersAt(port)).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);

  it('an agent that is not on PATH: exit 2, saying how to install it', async () => {
    const run = await runPlano(['agent', 'codex', 'exec', 'hi'], { cwd: dir, env: { PATH: '/nonexistent' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('codex is not on PATH');
    expect(run.stderr).toContain('npm install -g @openai/codex');
  });
});
