/**
 * Starting configs: the templates `plano init` writes, and the config synthesised from the
 * environment that `plano up`, `expand` and `models list` serve when there is no config file (as
 * Plano's zero-config defaults do) and `plano init --from-env` saves. Pure: text out, never a
 * key's value — keys are written as `$VARIABLE` references.
 */
import { PROVIDERS } from '../providers/registry.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The editor modeline every written config starts with (README: "Editor support"). */
export const SCHEMA_MODELINE = '# yaml-language-server: $schema=./node_modules/plano/schemas/plano_config.schema.json';

export interface Template {
  name: string;
  /** One line for `plano init --help` and the prompt. */
  summary: string;
  text(env: Env, options: FromEnvOptions): string;
}

export interface FromEnvOptions {
  /** An Ollama server that answered (its base URL), to serve as `ollama/*`. */
  ollama?: string;
}

/** What the environment gives each provider that has a conventional key variable. */
export interface EnvironmentProvider {
  id: string;
  /** The variable that is set (the first of the provider's that is), or undefined: the client's key is passed through. */
  keyVariable: string | undefined;
  keyVariables: readonly string[];
}

export function environmentProviders(env: Env): EnvironmentProvider[] {
  return PROVIDERS.filter((spec) => spec.keyVariables !== undefined).map((spec) => ({
    id: spec.id,
    keyVariable: spec.keyVariables!.find((name) => (env[name] ?? '') !== ''),
    keyVariables: spec.keyVariables!,
  }));
}

const LISTENER = `listeners:
  # One model listener: the OpenAI (/v1/chat/completions, /v1/responses) and Anthropic
  # (/v1/messages) APIs on one port. Point any SDK at http://127.0.0.1:12000.
  - name: llm
    type: model
    port: 12000
`;

/**
 * One wildcard entry per known provider: its key from the environment when the variable is set,
 * else the client's own key passed through (`passthrough_auth`), as Plano's zero-config `up`.
 */
export function configFromEnv(env: Env, options: FromEnvOptions = {}): string {
  const providers = environmentProviders(env);
  const keyed = providers.filter((p) => p.keyVariable !== undefined);
  const entries = providers.map((p) =>
    p.keyVariable !== undefined
      ? `  - model: ${p.id}/*\n    access_key: $${p.keyVariable}\n`
      : `  - model: ${p.id}/*  # ${p.keyVariables.join(' or ')} not set: the client's key is sent\n    passthrough_auth: true\n`,
  );
  if (options.ollama) entries.push(`  - model: ollama/*\n    base_url: ${options.ollama}  # answered when this config was made\n`);
  return `${SCHEMA_MODELINE}
# Synthesised from the environment: every provider plano knows a key variable for, as a wildcard
# (\`openai/gpt-4o\`, \`anthropic/claude-sonnet-4-5\`, …). ${keyed.length === 0 ? 'No key variable was set' : `Keys from ${keyed.map((p) => p.keyVariable).join(', ')}`};
# the others pass the client's own key through. No default model: a request names its model.
# Check it with \`plano validate\`, see every URL with \`plano expand\`.
version: v0.4.0

${LISTENER}
model_providers:
${entries.join('\n')}`;
}

export const TEMPLATES: readonly Template[] = [
  {
    name: 'env',
    summary: 'providers from my environment: every provider whose key variable is set (same as --from-env)',
    text: (env, options) => configFromEnv(env, options),
  },
  {
    name: 'routing',
    summary: 'preference routing: requests without a model go to the model for their kind of task',
    text: () => `${SCHEMA_MODELINE}
# Preference routing: a request that names no model is sent to a router model, which picks the
# route whose description fits; the route's first model serves it. A request that names a model
# is served by that model, as always. \`plano route "write a haiku"\` shows a decision.
version: v0.4.0

${LISTENER}
model_providers:
  # The default serves what no route fits (and any request when the router cannot be asked).
  - model: openai/gpt-4o-mini
    access_key: $OPENAI_API_KEY
    default: true

  - model: openai/gpt-4.1
    access_key: $OPENAI_API_KEY

  - model: anthropic/claude-sonnet-4-5
    access_key: $ANTHROPIC_API_KEY

routing_preferences:
  - name: code generation
    description: writing new code, functions or boilerplate from a description
    models:
      - anthropic/claude-sonnet-4-5
      - openai/gpt-4.1
  - name: quick answers
    description: short factual questions and small talk
    models:
      - openai/gpt-4o-mini

# The router: by default Katanemo's hosted Plano-Orchestrator (no key needed). To route with one
# of your models instead, name it:
# overrides:
#   llm_routing_model: openai/gpt-4o-mini
`,
  },
  {
    name: 'conversations',
    summary: 'conversation state for /v1/responses: previous_response_id on any model',
    text: () => `${SCHEMA_MODELINE}
# Conversation state: clients of the Responses API continue a conversation by its
# previous_response_id, whatever model serves it — plano keeps each answer and puts the
# conversation before the next turn for models that keep none themselves (Anthropic, Gemini …).
version: v0.4.0

${LISTENER}
model_providers:
  - model: anthropic/claude-sonnet-4-5
    access_key: $ANTHROPIC_API_KEY
    default: true

  - model: openai/gpt-4o
    access_key: $OPENAI_API_KEY

# memory: kept while plano up runs (the newest 10,000 responses). To keep them across restarts,
# and share them between gateways, use PostgreSQL:
#   state_storage:
#     type: postgres
#     connection_string: postgresql://plano:$PGPASSWORD@localhost:5432/plano
state_storage:
  type: memory
`,
  },
  {
    name: 'coding-agents',
    summary: 'coding agents on other models: Claude Code and Codex served by the models you choose',
    text: () => `${SCHEMA_MODELINE}
# Coding agents on the models you choose. Claude Code asks for Claude models by name and Codex
# for OpenAI's; the aliases below send those names to other models, so the agents run unchanged:
#   ANTHROPIC_BASE_URL=http://127.0.0.1:12000 ANTHROPIC_API_KEY=unused claude
#   plano agent codex        (runs Codex on this gateway; see README, "Coding agents")
version: v0.4.0

${LISTENER}
model_providers:
  - model: openai/gpt-4.1
    access_key: $OPENAI_API_KEY
    default: true

  - model: openai/gpt-4o-mini
    access_key: $OPENAI_API_KEY

  - model: deepseek/deepseek-chat
    access_key: $DEEPSEEK_API_KEY

  - model: anthropic/claude-sonnet-4-5
    access_key: $ANTHROPIC_API_KEY

model_aliases:
  # Claude Code's main model and its fast one, on OpenAI and DeepSeek models.
  claude-sonnet-4-5-20250929:
    target: openai/gpt-4.1
  claude-haiku-4-5-20251001:
    target: deepseek/deepseek-chat
  # Codex's model, on Claude.
  gpt-5-codex:
    target: anthropic/claude-sonnet-4-5
`,
  },
  {
    name: 'proxy',
    summary: 'pass through to a LiteLLM- or OpenRouter-style proxy, each client with its own key',
    text: () => `${SCHEMA_MODELINE}
# An OpenAI-compatible proxy in front of everything (LiteLLM, OpenRouter, a company gateway):
# plano serves the OpenAI and Anthropic APIs to your clients and speaks chat completions to the
# proxy, passing each client's own key through (the proxy checks it), translating Anthropic
# clients' /v1/messages as it goes.
version: v0.4.0

${LISTENER}
model_providers:
  # Any model the proxy serves: \`proxy/gpt-4o\`, \`proxy/claude-3-5-sonnet\` … (the part after
  # \`proxy/\` is sent as the model).
  - model: proxy/*
    base_url: http://localhost:4000
    provider_interface: openai
    passthrough_auth: true
`,
  },
];

export function findTemplate(name: string): Template | undefined {
  return TEMPLATES.find((template) => template.name === name);
}
