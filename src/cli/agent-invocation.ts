/**
 * How `plano agent` runs a coding agent against the gateway: the command, its arguments and the
 * environment that point it there, for each agent — a table, one row an agent. Pure: the command
 * (src/cli/commands/agent.ts) finds the gateway and runs what this returns.
 *
 * Claude Code reads ANTHROPIC_BASE_URL and a key; the key is a placeholder, since plano holds the
 * upstream keys (the user's real one is neither needed nor sent). Codex takes a
 * `model_providers` entry that speaks the Responses API, given as `-c` overrides so that
 * `~/.codex/config.toml` is never created or changed.
 */

export type AgentName = 'claude' | 'codex';

export interface AgentInvocation {
  command: string;
  args: string[];
  /** Variables to set; `undefined` removes one. */
  env: Record<string, string | undefined>;
}

export interface AgentSpec {
  /** The npm package that installs it, for the hint when it is not on PATH. */
  packageName: string;
  invocation(gatewayUrl: string, model: string, userArgs: readonly string[]): AgentInvocation;
}

/** What the agents are given instead of a real key. */
export const PLACEHOLDER_KEY = 'plano-placeholder-key';

/** Codex subcommands that take its global options after them. */
const CODEX_SUBCOMMANDS = new Set(['exec', 'e', 'review', 'resume']);

export const AGENTS: Readonly<Record<AgentName, AgentSpec>> = {
  claude: {
    packageName: '@anthropic-ai/claude-code',
    invocation: (gatewayUrl, model, userArgs) => ({
      command: 'claude',
      // The user's own --model wins.
      args: userArgs.includes('--model') ? [...userArgs] : ['--model', model, ...userArgs],
      env: { ANTHROPIC_BASE_URL: gatewayUrl, ANTHROPIC_API_KEY: PLACEHOLDER_KEY, ANTHROPIC_AUTH_TOKEN: undefined },
    }),
  },
  codex: {
    packageName: '@openai/codex',
    invocation: (gatewayUrl, model, userArgs) => {
      const provider = `model_providers.plano={name="plano",base_url="${gatewayUrl}/v1",wire_api="responses",env_key="PLANO_AGENT_KEY"}`;
      const overrides = ['-c', provider, '-c', 'model_provider=plano', ...(userArgs.includes('--model') || userArgs.includes('-m') ? [] : ['-c', `model=${model}`])];
      const [first, ...rest] = userArgs;
      const args = first !== undefined && CODEX_SUBCOMMANDS.has(first) ? [first, ...overrides, ...rest] : [...overrides, ...userArgs];
      return { command: 'codex', args, env: { PLANO_AGENT_KEY: PLACEHOLDER_KEY } };
    },
  },
};

export function isAgentName(name: string): name is AgentName {
  return Object.hasOwn(AGENTS, name);
}
