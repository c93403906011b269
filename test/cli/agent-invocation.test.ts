/** How `plano agent` points each coding agent at the gateway (src/cli/agent-invocation.ts). */
import { describe, expect, it } from 'vitest';
import { AGENTS, PLACEHOLDER_KEY } from '../../src/cli/agent-invocation.js';

const URL = 'http://127.0.0.1:12000';

describe('claude', () => {
  it('ANTHROPIC_BASE_URL at the gateway, a placeholder key (the user’s token unset), the model, then the user’s arguments in order', () => {
    expect(AGENTS.claude.invocation(URL, 'openai/gpt-4o', ['-p', 'fix it', '--verbose'])).toEqual({
      command: 'claude',
      args: ['--model', 'openai/gpt-4o', '-p', 'fix it', '--verbose'],
      env: { ANTHROPIC_BASE_URL: URL, ANTHROPIC_API_KEY: PLACEHOLDER_KEY, ANTHROPIC_AUTH_TOKEN: undefined },
    });
  });

  it('the user’s own --model wins', () => {
    expect(AGENTS.claude.invocation(URL, 'openai/gpt-4o', ['--model', 'deepseek/deepseek-chat']).args).toEqual(['--model', 'deepseek/deepseek-chat']);
  });
});

describe('codex', () => {
  const overrides = ['-c', 'model_providers.plano={name="plano",base_url="http://127.0.0.1:12000/v1",wire_api="responses",env_key="PLANO_AGENT_KEY"}', '-c', 'model_provider=plano', '-c', 'model=anthropic/claude-sonnet-4-5'];

  it('-c overrides for a Responses provider at the gateway (no config file written), a placeholder key', () => {
    expect(AGENTS.codex.invocation(URL, 'anthropic/claude-sonnet-4-5', ['fix the bug'])).toEqual({
      command: 'codex',
      args: [...overrides, 'fix the bug'],
      env: { PLANO_AGENT_KEY: PLACEHOLDER_KEY },
    });
  });

  it('after a subcommand such as exec, whose options they are; the user’s --model / -m wins', () => {
    expect(AGENTS.codex.invocation(URL, 'anthropic/claude-sonnet-4-5', ['exec', '--json', 'hi']).args).toEqual(['exec', ...overrides, '--json', 'hi']);
    expect(AGENTS.codex.invocation(URL, 'anthropic/claude-sonnet-4-5', ['-m', 'x']).args).toEqual([...overrides.slice(0, 4), '-m', 'x']);
  });
});
