/**
 * Issue 13: the real coding agents — Claude Code and OpenAI's Codex CLI, pinned npm packages
 * installed into node_modules/.cache by the suite (agent-cli.ts) — pointed at the built
 * `plano up` the way the README says, each on a model its own API serves and on models plano
 * translates for it. Every run is one tool round with the agent's own tool (Claude Code's Write,
 * Codex's shell): the file must exist afterwards and the final text reach the terminal. Skipped,
 * saying why, only when a package cannot be installed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE_CODE, CODEX, installAgent, runAgent } from './agent-cli.js';
import { AGENT_FINAL_TEXT, startAgentUpstream, type AgentUpstream } from './agent-upstream.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

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
  const entry = (model: string, key: string) => [`  - model: ${model}`, `    base_url: ${upstream!.url}`, `    access_key: $${key}`];
  writeFileSync(
    join(dir, 'plano_config.yaml'),
    [
      'version: v0.4.0',
      'listeners:',
      '  - name: llm',
      '    type: model',
      '    port: 12000',
      'model_providers:',
      ...entry('openai/gpt-4o', 'OPENAI_API_KEY'),
      '    default: true',
      ...entry('anthropic/claude-sonnet-4-5', 'ANTHROPIC_API_KEY'),
      ...entry('deepseek/deepseek-chat', 'DEEPSEEK_API_KEY'),
      '',
    ].join('\n'),
  );
  plano = await startPlanoUp([], { OPENAI_API_KEY: 'sk-up-openai', ANTHROPIC_API_KEY: 'sk-up-anthropic', DEEPSEEK_API_KEY: 'sk-up-deepseek' }, dir);
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
