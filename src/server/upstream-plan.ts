/**
 * The one place an upstream call is planned, for gateway requests and the router alike: from the
 * model chosen, the client's API and its request, everything the call needs — where it goes, the
 * headers (credential included), the body as the upstream's API wants it, and the translation
 * that will read the answer. Pure apart from the environment it is handed: no I/O, no clock.
 * Executing the plan (undici), and the stages around it, are the caller's.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { CLIENT_API_PATHS, type ClientApi, type UpstreamApi } from '../providers/types.js';
import type { ResolvedModel, UpstreamEndpoint } from '../resolve/types.js';
import type { ClientErrorInit } from '../translate/client-errors.js';
import { TranslationError, type JsonObject, type TranslateContext, type Translation } from '../translate/types.js';
import { embeddingsUrl } from '../resolve/endpoints.js';
import { upstreamCredential } from './auth.js';
import { upstreamRequestHeaders } from './headers.js';
import { withModel } from './model-field.js';

/** The upstream API each client API is passed through to unchanged. */
export const NATIVE_UPSTREAM: Readonly<Record<ClientApi, UpstreamApi>> = {
  chat_completions: 'openai_chat',
  messages: 'anthropic_messages',
  responses: 'openai_responses',
};

export interface UpstreamPlanInput {
  target: ResolvedModel;
  api: ClientApi;
  /** The client's request as parsed, and (for a pass-through splice) its text and bytes. */
  body: JsonObject;
  text?: string;
  raw?: Buffer;
  stream: boolean;
  /** The name the client asked for (messages speak of it). */
  clientModel: string;
  /** Forwarded by the header rules (headers.ts). */
  clientHeaders: IncomingHttpHeaders;
  /** Where a passthrough credential is read; the forwarded headers by default. */
  credentialHeaders?: IncomingHttpHeaders;
  env: Readonly<Record<string, string | undefined>>;
  findTranslation: (client: ClientApi, upstream: UpstreamApi) => Translation | undefined;
  /** Where the translation says what it changed (the access log's notes). */
  notes?: string[];
  /** `embeddings`: a POST /v1/embeddings (an OpenAI-shaped client), passed through to the provider's embeddings endpoint. */
  operation?: 'embeddings';
}

export interface UpstreamPlan {
  endpoint: UpstreamEndpoint;
  /** Undefined when the call is in the client's own format (passed through). */
  translation: Translation | undefined;
  context: TranslateContext;
  /** scheme://host[:port] */
  origin: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
}

export type UpstreamPlanResult = { ok: true; plan: UpstreamPlan } | { ok: false; status: number; error: ClientErrorInit };

export function planUpstreamCall(input: UpstreamPlanInput): UpstreamPlanResult {
  const { target, api, body, stream } = input;
  const endpoint = input.operation === 'embeddings' ? embeddingsEndpoint(target) : target.endpoints[api];
  if (endpoint === null) {
    return refuse(404, {
      kind: 'not_found',
      code: 'embeddings_not_supported',
      param: 'model',
      message:
        `model '${target.name}' is served by ${target.provider.displayName}, which has no embeddings endpoint: ` +
        'name an embedding model of a provider that has one (OpenAI, Azure OpenAI, Gemini, Mistral, Ollama, an OpenAI-compatible server).',
    });
  }
  let translation: Translation | undefined;
  if (input.operation === undefined && endpoint.api !== NATIVE_UPSTREAM[api]) {
    translation = input.findTranslation(api, endpoint.api);
    if (!translation) {
      return refuse(501, {
        kind: 'not_implemented',
        code: 'translation_not_available',
        message:
          `model '${target.name}' speaks ${endpoint.api}, and plano cannot yet translate ${CLIENT_API_PATHS[api]} (${api}) requests to ${endpoint.api}. ` +
          `Call it through the API it speaks, or pick another model.`,
      });
    }
  }

  const credential = upstreamCredential(target, input.credentialHeaders ?? input.clientHeaders, input.env);
  if (!credential.ok) return refuse(401, { kind: 'authentication', code: 'missing_api_key', message: credential.message });

  const context: TranslateContext = { upstreamModel: target.model, clientModel: input.clientModel, stream, clientRequest: body, notes: input.notes };
  let upstreamBody: string | Buffer;
  if (translation) {
    try {
      upstreamBody = JSON.stringify(translation.request(body, context));
    } catch (error) {
      if (!(error instanceof TranslationError)) throw error;
      return refuse(400, { kind: 'invalid_request', message: error.message, ...(error.param !== undefined ? { param: error.param } : {}) });
    }
  } else {
    // Same format: the bytes received, `model` spliced (model-field.ts); no re-serialising.
    upstreamBody = (input.text !== undefined ? withModel(input.text, body, target.model) : undefined) ?? input.raw ?? JSON.stringify({ ...body, model: target.model });
  }

  const destination = upstreamTarget(endpoint, stream);
  return {
    ok: true,
    plan: {
      endpoint,
      translation,
      context,
      origin: destination.origin,
      path: destination.path,
      headers: upstreamRequestHeaders(input.clientHeaders, target, credential.key, endpoint.api),
      body: upstreamBody,
    },
  };
}

// A model's embeddings endpoint, made once per resolved model (a Gateway is immutable).
const embeddingEndpoints = new WeakMap<ResolvedModel, UpstreamEndpoint | null>();

function embeddingsEndpoint(target: ResolvedModel): UpstreamEndpoint | null {
  let endpoint = embeddingEndpoints.get(target);
  if (endpoint === undefined) {
    const url = embeddingsUrl(target, target.model);
    endpoint = url === null ? null : { api: 'openai_embeddings', url, streamUrl: url };
    embeddingEndpoints.set(target, endpoint);
  }
  return endpoint;
}

function refuse(status: number, error: ClientErrorInit): UpstreamPlanResult {
  return { ok: false, status, error };
}

interface UpstreamTarget {
  origin: string;
  path: string;
}

// Endpoints belong to an immutable Gateway: split each URL once, not per request.
const targets = new WeakMap<UpstreamEndpoint, { url: UpstreamTarget; stream: UpstreamTarget }>();

function upstreamTarget(endpoint: UpstreamEndpoint, stream: boolean): UpstreamTarget {
  let cached = targets.get(endpoint);
  if (!cached) {
    cached = { url: splitUrl(endpoint.url), stream: splitUrl(endpoint.streamUrl) };
    targets.set(endpoint, cached);
  }
  return stream ? cached.stream : cached.url;
}

function splitUrl(url: string): UpstreamTarget {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: parsed.pathname + parsed.search };
}
