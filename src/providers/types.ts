/** The client APIs `plano up` serves, by the key DESIGN.md's `endpoints` object uses. */
export type ClientApi = 'chat_completions' | 'messages' | 'responses';

export const CLIENT_APIS: readonly ClientApi[] = ['chat_completions', 'messages', 'responses'];

/** The request path each client API is served on. */
export const CLIENT_API_PATHS: Readonly<Record<ClientApi, string>> = {
  chat_completions: '/v1/chat/completions',
  messages: '/v1/messages',
  responses: '/v1/responses',
};

/** Where `plano up` serves embeddings (OpenAI's API, passed through: not one of the client APIs above). */
export const EMBEDDINGS_PATH = '/v1/embeddings';

/** The wire formats upstreams speak (`openai_embeddings`: POST /embeddings, passed through). */
export type UpstreamApi = 'openai_chat' | 'openai_responses' | 'anthropic_messages' | 'bedrock_converse' | 'openai_embeddings';

/**
 * Where the credential goes. `bearer`: `Authorization: Bearer` (OpenAI-style, Bedrock API keys);
 * `x-api-key`: Anthropic's `x-api-key` plus `anthropic-version`; `api-key`: Azure OpenAI's `api-key`.
 */
export type AuthStyle = 'bearer' | 'x-api-key' | 'api-key';

export interface EndpointPath {
  /** Appended to the path prefix; `{model}` is replaced by the upstream model id. */
  url: string;
  /** The same for streaming requests, where the provider uses a different path (Bedrock). */
  stream: string;
}

/**
 * One provider, as data. Adding an OpenAI-compatible provider is one record in
 * `PROVIDERS` (registry.ts); nothing outside that table branches on a provider's name.
 */
export interface ProviderSpec {
  /** The config prefix: `openai` in `openai/gpt-4o`. */
  id: string;
  /** Other prefixes that mean this provider (`google` → gemini). */
  aliases: readonly string[];
  displayName: string;
  /** `owned_by` in `/v1/models`. */
  ownedBy: string;
  /** scheme://host of the provider's public endpoint; null when the config must give `base_url`. */
  defaultBaseUrl: string | null;
  /** The path prefix used when `base_url` has no path of its own (`/v1`, `/openai/v1` …); `{model}` allowed. */
  defaultPathPrefix: string;
  /** Query parameters that belong to the default prefix (Azure's `api-version`); a `base_url` with a path or a query replaces them. */
  defaultQuery?: Readonly<Record<string, string>>;
  /** The upstream API spoken for each client API. */
  upstreamApiFor: Readonly<Record<ClientApi, UpstreamApi>>;
  /** The path suffix for each upstream API this provider speaks. */
  endpointPaths: Readonly<Partial<Record<UpstreamApi, EndpointPath>>>;
  authStyle: AuthStyle;
  /** Headers every request to this provider carries (before the config's own `headers`). */
  defaultHeaders?: Readonly<Record<string, string>>;
  /** Keys of this provider in the model catalogue (provider_models.yaml), when it has any. */
  catalogKeys: readonly string[];
  /** May be named by `provider_interface` for a custom prefix. */
  usableAsInterface: boolean;
  /** Where the docs for keys live, for messages that tell the user how to fix auth. */
  keyHint?: string;
  /**
   * The environment variables its key conventionally lives in, first preferred. A provider with
   * them is part of the config `plano up` synthesises when there is no config file (as Plano's
   * zero-config defaults), and of `plano init --from-env`.
   */
  keyVariables?: readonly string[];
  /** Its id in the price table of @pydantic/genai-prices (the live view's costs); none: priced only by a config cost source. */
  pricesId?: string;
}
