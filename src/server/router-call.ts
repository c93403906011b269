/**
 * [routing, issue 7] Sending the router request to the router model over HTTP: the same URL,
 * credential and header rules as any upstream call (a configured router model is a configured
 * model), through the server's undici client. Used by `plano up` and by `plano route`.
 *
 * The router request is a Chat Completions body; a router model whose provider speaks another
 * wire API for chat clients is not supported as a router (the router models are served by
 * OpenAI-compatible servers: Ollama, vLLM, the hosted endpoint).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ResolvedModel } from '../resolve/types.js';
import { chatCompletionAnswer } from '../routing/router-answer.js';
import type { RouterRequestBody } from '../routing/router-prompt.js';
import { upstreamErrorInit } from '../translate/upstream-errors.js';
import { upstreamCredential } from './auth.js';
import { upstreamRequestHeaders } from './headers.js';
import type { UpstreamClient } from './upstream-client.js';

/** A router answer is a few tokens; anything much larger is not one. */
const MAX_ROUTER_RESPONSE_BYTES = 1 << 20;

/** How much of a non-JSON error body to quote. */
const QUOTED_ERROR_CHARS = 200;

export type RouterCall = (body: RouterRequestBody, signal: AbortSignal, clientHeaders?: IncomingHttpHeaders) => Promise<string | null>;

/**
 * A `callRouter` for `decideRoute`: resolves to the answer text, rejects with a one-line reason
 * when the router cannot be reached, refuses, or answers something that is not a completion.
 * `clientHeaders` supply the key when the router model uses passthrough_auth.
 */
export function routerCall(target: ResolvedModel, client: UpstreamClient, env: Readonly<Record<string, string | undefined>>): RouterCall {
  return async (body, signal, clientHeaders = {}) => {
    const endpoint = target.endpoints.chat_completions;
    if (endpoint.api !== 'openai_chat') {
      throw new Error(`router model '${target.name}' speaks ${endpoint.api}; a router must be served over OpenAI chat completions`);
    }
    const credential = upstreamCredential(target, clientHeaders, env);
    if (!credential.ok) throw new Error(credential.message);
    const url = new URL(endpoint.url);
    const response = await client.send({
      origin: url.origin,
      path: url.pathname + url.search,
      headers: upstreamRequestHeaders({}, target, credential.key),
      body: JSON.stringify({ ...body, model: target.model }),
      signal,
    });
    const text = await readText(response.body, signal);
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      payload = undefined;
    }
    if (response.status < 200 || response.status > 299) {
      const message = upstreamErrorInit(payload, response.status)?.message ?? oneLine(text);
      throw new Error(`the router model answered HTTP ${response.status}${message ? `: ${message}` : ''}`);
    }
    if (payload === undefined) throw new Error(`the router model's answer is not JSON: ${oneLine(text) || '(empty body)'}`);
    return chatCompletionAnswer(payload);
  };
}

async function readText(body: AsyncIterable<Uint8Array | string> & { destroy(): void }, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += bytes.length;
    if (size > MAX_ROUTER_RESPONSE_BYTES) {
      body.destroy();
      throw new Error(`the router model's answer is larger than ${MAX_ROUTER_RESPONSE_BYTES} bytes`);
    }
    chunks.push(bytes);
    if (signal.aborted) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTED_ERROR_CHARS ? `${flat.slice(0, QUOTED_ERROR_CHARS)}…` : flat;
}
