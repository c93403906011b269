/**
 * `POST /v1/messages/count_tokens` (Anthropic's "Count message tokens"; the Anthropic SDK's
 * `messages.countTokens`, and Claude Code calls it for `/context`). A model served over the
 * Messages API answers it itself: the request is forwarded to that upstream's
 * `…/messages/count_tokens`, with the same URL, credential and header rules as any call. Any
 * other model gets an estimate, said as one (`x-plano-token-count: estimate`), never a 404.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { lookupModel } from '../resolve/lookup.js';
import type { Gateway, ResolvedModel } from '../resolve/types.js';
import { clientErrorBody, type ErrorKind } from '../translate/client-errors.js';
import type { JsonObject } from '../translate/types.js';
import { upstreamCredential } from './auth.js';
import { decodedBytes } from './content-encoding.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { MAX_MODEL_NAME_LENGTH } from './model-request.js';
import { readSmallBody, UpstreamFailure, type UpstreamClient } from './upstream-client.js';

/** A token count is a few bytes; an answer much larger is not one. */
const MAX_COUNT_ANSWER_BYTES = 1 << 20;

export interface CountTokensAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  /** What went wrong, for the access log. */
  error: string | null;
  model: ResolvedModel | null;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

export async function countTokens(
  gateway: Gateway,
  raw: string,
  headers: IncomingHttpHeaders,
  upstream: UpstreamClient,
  env: Readonly<Record<string, string | undefined>>,
  signal: AbortSignal,
): Promise<CountTokensAnswer> {
  const refuse = (status: number, kind: ErrorKind, message: string, model: ResolvedModel | null = null): CountTokensAnswer => ({
    status,
    headers: JSON_HEADERS,
    body: JSON.stringify(clientErrorBody('messages', { kind, message })),
    error: message,
    model,
  });
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    return refuse(400, 'invalid_request', `the request body is not valid JSON (${(error as Error).message})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse(400, 'invalid_request', 'the request body must be a JSON object');
  const request = body as JsonObject;
  const requested = typeof request['model'] === 'string' && request['model'] !== '' ? request['model'] : undefined;
  if (requested !== undefined && requested.length > MAX_MODEL_NAME_LENGTH) {
    return refuse(400, 'invalid_request', `\`model\` is ${requested.length} characters long; this gateway accepts model names of at most ${MAX_MODEL_NAME_LENGTH} characters.`);
  }
  const found = lookupModel(gateway, requested);
  if (!found.found) return refuse(404, 'not_found', `model '${requested ?? ''}' is not configured. GET /v1/models lists the models this gateway serves.`);
  const target = found.model;
  const endpoint = target.endpoints.messages;
  if (endpoint.api !== 'anthropic_messages') {
    return { status: 200, headers: { ...JSON_HEADERS, 'x-plano-token-count': 'estimate' }, body: JSON.stringify({ input_tokens: estimateInputTokens(request) }), error: null, model: target };
  }

  const credential = upstreamCredential(target, headers, env);
  if (!credential.ok) return refuse(401, 'authentication', credential.message, target);
  const url = new URL(endpoint.url);
  try {
    const response = await upstream.send({
      origin: url.origin,
      path: `${url.pathname.replace(/\/+$/, '')}/count_tokens${url.search}`,
      headers: upstreamRequestHeaders(headers, target, credential.key, endpoint.api),
      body: JSON.stringify({ ...request, model: target.model }),
      signal,
    });
    const bytes = await readSmallBody(response.body, MAX_COUNT_ANSWER_BYTES, signal, `the token count from ${url.origin}`);
    const text = decodedBytes(bytes, response.headers['content-encoding'], MAX_COUNT_ANSWER_BYTES).toString('utf8');
    const out = clientResponseHeaders(response.headers, false) as Record<string, string | string[]>;
    delete out['content-encoding'];
    return { status: response.status, headers: out, body: text, error: response.status >= 400 ? `the upstream answered HTTP ${response.status}` : null, model: target };
  } catch (error) {
    const failure = error instanceof UpstreamFailure ? error : new UpstreamFailure('unreachable', `the answer from ${url.origin} could not be read: ${(error as Error).message}`);
    return refuse(failure.kind === 'timeout' ? 504 : 502, 'upstream_unavailable', failure.message, target);
  }
}

/**
 * A documented estimate for models whose upstream has no token counter: one token per four
 * characters of the text a model reads (system, message content, tool definitions and calls, as
 * their JSON), plus three per message for its framing. Tokenizers differ by model family; this is
 * what `count_tokens` is used for (context budgets), not billing.
 */
export function estimateInputTokens(request: JsonObject): number {
  const messages = Array.isArray(request['messages']) ? request['messages'] : [];
  let characters = textLength(request['system']) + textLength(request['tools']);
  for (const message of messages) characters += textLength(typeof message === 'object' && message !== null ? (message as JsonObject)['content'] : message);
  return Math.ceil(characters / 4) + 3 * messages.length;
}

function textLength(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + textLength(item), 0);
  if (typeof value === 'object') {
    const block = value as JsonObject;
    // A text block counts its text; anything else (tool use, tool definitions, images' sources) its JSON.
    if (typeof block['text'] === 'string') return block['text'].length;
    return JSON.stringify(value).length;
  }
  return String(value).length;
}
