/**
 * The provider table. Each record says where a provider lives, which wire API it speaks for
 * each client API, and how it authenticates — the only place provider names appear.
 *
 * Paths follow each provider's real endpoint (DESIGN.md "Upstream URL"); the seed guide's
 * "Results in:" lines are the test vectors (test/providers/upstream-url.test.ts).
 */
import type { ClientApi, EndpointPath, ProviderSpec, UpstreamApi } from './types.js';

const CHAT: EndpointPath = { url: '/chat/completions', stream: '/chat/completions' };
const RESPONSES: EndpointPath = { url: '/responses', stream: '/responses' };
const MESSAGES: EndpointPath = { url: '/messages', stream: '/messages' };
// OpenAI's embeddings endpoint, which OpenAI-compatible servers mirror next to chat completions.
const EMBEDDINGS: EndpointPath = { url: '/embeddings', stream: '/embeddings' };
// Bedrock Runtime: POST /model/{modelId}/converse and /converse-stream (AWS Bedrock API reference).
const CONVERSE: EndpointPath = { url: '/model/{model}/converse', stream: '/model/{model}/converse-stream' };

const SPEAKS_CHAT: Record<ClientApi, UpstreamApi> = {
  chat_completions: 'openai_chat',
  messages: 'openai_chat',
  responses: 'openai_chat',
};
const SPEAKS_CHAT_AND_RESPONSES: Record<ClientApi, UpstreamApi> = { ...SPEAKS_CHAT, responses: 'openai_responses' };

/**
 * The router `overrides.llm_routing_model` means when it names no configured model (the
 * reference's default): Katanemo's hosted Plano-Orchestrator, served by the `plano` row below
 * and reached without credentials. Validate accepts the name; routing builds the target.
 */
export const HOSTED_ROUTER_PROVIDER = 'plano';
export const HOSTED_ROUTER_MODEL = 'Plano-Orchestrator';

/**
 * An OpenAI chat-completions-compatible provider: the common case, one line each below. It
 * serves POST /v1/embeddings too unless its row says it has none (`embeddings: false`).
 */
function openAiCompatible(
  id: string,
  displayName: string,
  defaultBaseUrl: string | null,
  defaultPathPrefix: string,
  { embeddings = true, ...extra }: Partial<ProviderSpec> & { embeddings?: boolean } = {},
): ProviderSpec {
  return {
    id,
    aliases: [],
    displayName,
    ownedBy: id,
    defaultBaseUrl,
    defaultPathPrefix,
    upstreamApiFor: SPEAKS_CHAT,
    endpointPaths: embeddings ? { openai_chat: CHAT, openai_embeddings: EMBEDDINGS } : { openai_chat: CHAT },
    authStyle: 'bearer',
    catalogKeys: [],
    usableAsInterface: true,
    ...extra,
  };
}

export const PROVIDERS: readonly ProviderSpec[] = [
  openAiCompatible('openai', 'OpenAI', 'https://api.openai.com', '/v1', {
    pricesId: 'openai',
    keyVariables: ['OPENAI_API_KEY'],
    upstreamApiFor: SPEAKS_CHAT_AND_RESPONSES,
    endpointPaths: { openai_chat: CHAT, openai_responses: RESPONSES, openai_embeddings: EMBEDDINGS },
    catalogKeys: ['openai'],
  }),
  {
    id: 'anthropic',
    aliases: [],
    displayName: 'Anthropic',
    ownedBy: 'anthropic',
    defaultBaseUrl: 'https://api.anthropic.com',
    defaultPathPrefix: '/v1',
    // Spoken natively for every client API (translated), not through Anthropic's OpenAI-compat layer.
    upstreamApiFor: { chat_completions: 'anthropic_messages', messages: 'anthropic_messages', responses: 'anthropic_messages' },
    endpointPaths: { anthropic_messages: MESSAGES },
    authStyle: 'x-api-key',
    catalogKeys: ['anthropic'],
    usableAsInterface: true,
    pricesId: 'anthropic',
    keyVariables: ['ANTHROPIC_API_KEY'],
  },
  openAiCompatible('deepseek', 'DeepSeek', 'https://api.deepseek.com', '/v1', { catalogKeys: ['deepseek'], pricesId: 'deepseek', keyVariables: ['DEEPSEEK_API_KEY'], embeddings: false }),
  openAiCompatible('mistral', 'Mistral AI', 'https://api.mistral.ai', '/v1', { aliases: ['mistralai'], catalogKeys: ['mistralai'], pricesId: 'mistral', keyVariables: ['MISTRAL_API_KEY'] }),
  openAiCompatible('groq', 'Groq', 'https://api.groq.com', '/openai/v1', { pricesId: 'groq', keyVariables: ['GROQ_API_KEY'], embeddings: false }),
  openAiCompatible('gemini', 'Google Gemini', 'https://generativelanguage.googleapis.com', '/v1beta/openai', {
    aliases: ['google'],
    catalogKeys: ['google'],
    pricesId: 'google',
    keyVariables: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  }),
  openAiCompatible('together_ai', 'Together AI', 'https://api.together.xyz', '/v1', { aliases: ['together'], pricesId: 'together', keyVariables: ['TOGETHER_API_KEY'] }),
  openAiCompatible('xai', 'xAI', 'https://api.x.ai', '/v1', {
    aliases: ['x-ai'],
    pricesId: 'x-ai',
    keyVariables: ['XAI_API_KEY'],
    upstreamApiFor: SPEAKS_CHAT_AND_RESPONSES,
    endpointPaths: { openai_chat: CHAT, openai_responses: RESPONSES, openai_embeddings: EMBEDDINGS },
    catalogKeys: ['x-ai'],
  }),
  openAiCompatible('moonshotai', 'Moonshot AI', 'https://api.moonshot.ai', '/v1', { catalogKeys: ['moonshotai'], pricesId: 'moonshotai', keyVariables: ['MOONSHOT_API_KEY'] }),
  openAiCompatible('zhipu', 'Zhipu AI', 'https://open.bigmodel.cn', '/api/paas/v4', { aliases: ['z-ai'], catalogKeys: ['z-ai'] }),
  openAiCompatible('azure_openai', 'Azure OpenAI', null, '/openai/deployments/{model}', {
    // The latest GA data-plane version (Azure OpenAI REST reference, "API version lifecycle").
    defaultQuery: { 'api-version': '2024-10-21' },
    authStyle: 'api-key',
    usableAsInterface: false,
    pricesId: 'azure',
  }),
  {
    id: 'amazon_bedrock',
    aliases: ['amazon'],
    displayName: 'Amazon Bedrock',
    ownedBy: 'amazon_bedrock',
    defaultBaseUrl: null,
    defaultPathPrefix: '',
    upstreamApiFor: { chat_completions: 'bedrock_converse', messages: 'bedrock_converse', responses: 'bedrock_converse' },
    endpointPaths: { bedrock_converse: CONVERSE },
    // Bedrock API keys are sent as a bearer token (no SigV4).
    authStyle: 'bearer',
    catalogKeys: ['amazon'],
    usableAsInterface: false,
    pricesId: 'aws',
  },
  openAiCompatible('qwen', 'Qwen (Alibaba DashScope)', null, '/compatible-mode/v1', { catalogKeys: ['qwen'], usableAsInterface: false }),
  openAiCompatible('ollama', 'Ollama', null, '/v1', { usableAsInterface: false }),
  openAiCompatible('xiaomi', 'Xiaomi MiMo', 'https://api.xiaomimimo.com', '/v1', { catalogKeys: ['xiaomi'] }),
  openAiCompatible('digitalocean', 'DigitalOcean Gradient', 'https://inference.do-ai.run', '/v1', {
    aliases: ['do', 'do_ai'],
    catalogKeys: ['digitalocean'],
    keyVariables: ['DO_API_KEY'],
  }),
  openAiCompatible('vercel', 'Vercel AI Gateway', 'https://ai-gateway.vercel.sh', '/v1', { keyVariables: ['AI_GATEWAY_API_KEY'] }),
  openAiCompatible('openrouter', 'OpenRouter', 'https://openrouter.ai', '/api/v1', { pricesId: 'openrouter', keyVariables: ['OPENROUTER_API_KEY'] }),
  openAiCompatible('edenai', 'Eden AI', 'https://api.edenai.run', '/v3', { keyVariables: ['EDENAI_API_KEY'] }),
  openAiCompatible('chatgpt', 'ChatGPT (Codex backend)', 'https://chatgpt.com', '/backend-api/codex', {
    upstreamApiFor: SPEAKS_CHAT_AND_RESPONSES,
    endpointPaths: { openai_chat: CHAT, openai_responses: RESPONSES },
    catalogKeys: ['chatgpt'],
  }),
  // Katanemo's hosted Arch-Function / Plano-Orchestrator models.
  openAiCompatible(HOSTED_ROUTER_PROVIDER, 'Plano', 'https://archfc.katanemo.dev', '/v1', { embeddings: false }),
];

const byPrefix = new Map<string, ProviderSpec>();
for (const spec of PROVIDERS) {
  byPrefix.set(spec.id, spec);
  for (const alias of spec.aliases) byPrefix.set(alias, spec);
}

/** The provider a config prefix names (`openai`, `google` …), case-insensitively; undefined when unknown. */
export function findProvider(prefix: string): ProviderSpec | undefined {
  return byPrefix.get(prefix.toLowerCase());
}

/** Every prefix the table accepts, for did-you-mean. */
export function knownPrefixes(): string[] {
  return [...byPrefix.keys()];
}

const customSpecs = new Map<string, ProviderSpec>();

/**
 * The wire behaviour a custom prefix gets through `provider_interface: <id>`: that record's,
 * except for the Responses API. The seed promises custom providers only the Chat Completions
 * standard, and OpenAI-compatible servers (vLLM, LiteLLM, Ollama …) serve `/v1/responses`
 * unevenly, so Responses clients are translated to chat completions for them.
 */
export function customProviderSpec(interfaceId: string): ProviderSpec | undefined {
  const base = findProvider(interfaceId);
  if (!base?.usableAsInterface) return undefined;
  let spec = customSpecs.get(base.id);
  if (!spec) {
    const speaksChat = base.endpointPaths.openai_chat !== undefined;
    spec = speaksChat && base.upstreamApiFor.responses === 'openai_responses'
      ? { ...base, upstreamApiFor: { ...base.upstreamApiFor, responses: 'openai_chat' } }
      : base;
    customSpecs.set(base.id, spec);
  }
  return spec;
}

/** Providers that a custom prefix may name with `provider_interface`. */
export function interfaceNames(): string[] {
  return PROVIDERS.filter((p) => p.usableAsInterface).map((p) => p.id);
}
