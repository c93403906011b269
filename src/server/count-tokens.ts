/**
 * `POST /v1/messages/count_tokens` (Anthropic's "Count message tokens"; the Anthropic SDK's
 * `messages.countTokens`, and Claude Code calls it for `/context`). A model served over the
 * Messages API answers it itself: the request is forwarded to that upstream's
 * `…/messages/count_tokens`, with the same URL, credential and header rules as any call. A model
 * of a family with a well-kept tokenizer (OpenAI's) is counted with it (token-counter.ts); any
 * other gets an estimate. `x-plano-token-count` says which (`tiktoken/o200k_base`, `estimate`);
 * never a 404.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { lookupModel } from '../resolve/lookup.js';
import type { Gateway, ResolvedModel } from '../resolve/types.js';
import { clientErrorBody, type ClientErrorInit, type ErrorKind } from '../translate/client-errors.js';
import type { JsonObject } from '../translate/types.js';
import { clientResponseHeaders } from './headers.js';
import { modelNameTooLong } from './model-request.js';
import type { TokenCounter } from './token-counter.js';
import { tooDeeplyNested } from './too-deep.js';
import { readSmallAnswer, UpstreamFailure, type UpstreamClient } from './upstream-client.js';
import { planUpstreamCall } from './upstream-plan.js';

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

/** count_tokens' answer when counting failed on a body nested deeper than plano walks (too-deep.ts); any other error is rethrown. */
export function tooDeepToCount(error: unknown, raw: string): CountTokensAnswer {
  const tooDeep = tooDeeplyNested(error, raw);
  if (!tooDeep) throw error;
  return refusal(400, tooDeep);
}

/** A count_tokens error, in the Messages API's shape. */
function refusal(status: number, init: ClientErrorInit, model: ResolvedModel | null = null): CountTokensAnswer {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(clientErrorBody('messages', init)), error: init.message, model };
}

export async function countTokens(
  gateway: Gateway,
  raw: string,
  headers: IncomingHttpHeaders,
  upstream: UpstreamClient,
  env: Readonly<Record<string, string | undefined>>,
  signal: AbortSignal,
  counter: TokenCounter,
): Promise<CountTokensAnswer> {
  const refuse = (status: number, kind: ErrorKind, message: string, model: ResolvedModel | null = null): CountTokensAnswer =>
    refusal(status, { kind, message }, model);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    return refuse(400, 'invalid_request', `the request body is not valid JSON (${(error as Error).message})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse(400, 'invalid_request', 'the request body must be a JSON object');
  const request = body as JsonObject;
  const requested = typeof request['model'] === 'string' && request['model'] !== '' ? request['model'] : undefined;
  const tooLong = requested === undefined ? undefined : modelNameTooLong(requested);
  if (tooLong) return refusal(400, tooLong);
  const found = lookupModel(gateway, requested);
  if (!found.found) return refuse(404, 'not_found', `model '${requested ?? ''}' is not configured. GET /v1/models lists the models this gateway serves.`);
  const target = found.model;
  const endpoint = target.endpoints.messages;
  if (endpoint.api !== 'anthropic_messages') {
    const { tokens, tokenizer } = await localCount(request, target.model, counter);
    return { status: 200, headers: { ...JSON_HEADERS, 'x-plano-token-count': tokenizer }, body: JSON.stringify({ input_tokens: tokens }), error: null, model: target };
  }

  // The Messages call as any other is planned; the count is its `…/count_tokens` sibling.
  const planned = planUpstreamCall({ target, api: 'messages', body: request, stream: false, clientModel: requested ?? target.name, clientHeaders: headers, env, findTranslation: () => undefined });
  if (!planned.ok) return refuse(planned.status, planned.error.kind, planned.error.message, target);
  const { origin, path } = planned.plan;
  const query = path.indexOf('?');
  const [pathname, search] = query === -1 ? [path, ''] : [path.slice(0, query), path.slice(query)];
  try {
    const response = await upstream.send({ origin, path: `${pathname.replace(/\/+$/, '')}/count_tokens${search}`, headers: planned.plan.headers, body: planned.plan.body, signal });
    const text = await readSmallAnswer(response, MAX_COUNT_ANSWER_BYTES, signal, `the token count from ${origin}`);
    const out = clientResponseHeaders(response.headers, false) as Record<string, string | string[]>;
    delete out['content-encoding'];
    return { status: response.status, headers: out, body: text, error: response.status >= 400 ? `the upstream answered HTTP ${response.status}` : null, model: target };
  } catch (error) {
    const failure = error instanceof UpstreamFailure ? error : new UpstreamFailure('unreachable', `the answer from ${origin} could not be read: ${(error as Error).message}`);
    return refuse(failure.kind === 'timeout' ? 504 : 502, 'upstream_unavailable', failure.message, target);
  }
}

/** Tokens a chat model adds around each message, and to prime its answer (OpenAI's published way of counting chat input). */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_FOR_REPLY = 3;

/**
 * The input tokens of a request counted here: with the model family's tokenizer when there is one
 * (the texts a model reads — system, message text, tool definitions and calls as their JSON — plus
 * the per-message framing), else the documented estimate.
 */
async function localCount(request: JsonObject, model: string, counter: TokenCounter): Promise<{ tokens: number; tokenizer: string }> {
  const texts = countableTexts(request);
  const messages = Array.isArray(request['messages']) ? request['messages'].length : 0;
  const counted = await counter.count(model, texts).catch(() => undefined);
  if (counted) return { tokens: counted.tokens + TOKENS_PER_MESSAGE * messages + TOKENS_FOR_REPLY, tokenizer: counted.tokenizer };
  return { tokens: estimateInputTokens(request), tokenizer: 'estimate' };
}

/**
 * A documented estimate for models with no tokenizer here and no token counter upstream: one
 * token per four characters of the text a model reads (system, message content, tool definitions
 * and calls, as their JSON), plus three per message for its framing. Tokenizers differ by model
 * family; this is what `count_tokens` is used for (context budgets), not billing.
 */
export function estimateInputTokens(request: JsonObject): number {
  const messages = Array.isArray(request['messages']) ? request['messages'] : [];
  const characters = countableTexts(request).reduce((sum, text) => sum + text.length, 0);
  return Math.ceil(characters / 4) + TOKENS_PER_MESSAGE * messages.length;
}

/** The texts of a Messages request a model reads: system, each message's content, the tool definitions. */
function countableTexts(request: JsonObject): string[] {
  const texts: string[] = [];
  collectTexts(request['system'], texts);
  const messages = Array.isArray(request['messages']) ? request['messages'] : [];
  for (const message of messages) collectTexts(typeof message === 'object' && message !== null ? (message as JsonObject)['content'] : message, texts);
  collectTexts(request['tools'], texts);
  return texts;
}

function collectTexts(value: unknown, out: string[]): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectTexts(item, out);
  } else if (typeof value === 'object') {
    const block = value as JsonObject;
    // A text block counts its text; anything else (tool use, tool definitions, images' sources) its JSON.
    out.push(typeof block['text'] === 'string' ? block['text'] : JSON.stringify(value));
  } else {
    out.push(String(value));
  }
}
