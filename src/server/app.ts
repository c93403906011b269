/**
 * The gateway as a Hono app: the three model APIs, `/v1/models` (and its CORS preflight),
 * `/healthz`, and JSON 404s.
 *
 * On Node a model request enters the pipeline one way: `app.serveNode`, which the server
 * (listen.ts) hands the three model routes before Hono sees them. It reads the body as Buffers
 * and writes the answer to the socket, with no Web `Request`/`ReadableStream` or Hono Context
 * built in between — the hot path of a proxy (Hono's per-request Request and Context cost about
 * as much CPU as the rest of a passed-through request). Anywhere else (`app.request()` in tests,
 * other runtimes) the Hono routes run the same pipeline on the Web `Request` and answer a Web
 * `Response`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CLIENT_API_PATHS, CLIENT_APIS, EMBEDDINGS_PATH, type ClientApi } from '../providers/types.js';
import { lookupModel } from '../resolve/lookup.js';
import { anthropicModelObject, anthropicModelsPage, modelsListObject, ownedBy } from '../resolve/models-list.js';
import type { Gateway } from '../resolve/types.js';
import { clientErrorBody } from '../translate/client-errors.js';
import { findTranslation } from '../translate/index.js';
import { newAccessLogEntry, type AccessLogEntry } from './access-log.js';
import { ClientGone } from './client-gone.js';
import { countTokens, tooDeepToCount } from './count-tokens.js';
import { createTokenCounter, type TokenCounter } from './token-counter.js';
import { JSON_CONTENT_TYPE } from './errors.js';
import { MAX_MODEL_NAME_LENGTH, serveModelRequest, type FindTranslation, type PipelineDeps } from './model-request.js';
import { nodeReplySink, webReplySink, type ReplySink } from './reply.js';
import type { GatewayRouting } from './routing.js';
import { selectNamedModel, type SelectModel } from './select-model.js';
import type { UpstreamClient } from './upstream-client.js';
import type { ConversationStore, StoredResponse } from './conversation-store.js';
import type { RateLimiter } from './rate-limits.js';
import type { Tracing } from './tracing.js';
import type { JsonObject } from '../translate/types.js';

export interface GatewayAppOptions {
  /** The configuration to serve, asked once per request (so `--watch` can swap it between requests). */
  gateway: () => Gateway;
  /** Where `access_key` variables are read, on each request. */
  env: Readonly<Record<string, string | undefined>>;
  upstream: UpstreamClient;
  /** Called once per request, when its response is complete. */
  log?: (entry: AccessLogEntry) => void;
  /** Model selection; the default looks up the model the client named. */
  selectModel?: SelectModel;
  /** The translation for a client→upstream pair of different formats (default: the translation table); none → 501. */
  findTranslation?: FindTranslation;
  /** Counts tokens for `count_tokens` with a model family's tokenizer (default: token-counter.ts's, on a worker thread). */
  tokenCounter?: TokenCounter;
  /** Largest request body accepted (default 50 MiB: room for a few base64 images). */
  maxBodyBytes?: number;
  /**
   * [routing, issue 7] Preference routing for the configuration being served (asked per request,
   * like `gateway`): it selects the model unless `selectModel` is given, and serves the decision
   * API, POST /routing/v1/{chat/completions,messages,responses}.
   */
  routing?: () => GatewayRouting;
  /** [state_storage] Where /v1/responses conversations are kept (and GET/DELETE /v1/responses/{id} read); none by default. */
  conversations?: ConversationStore;
  /** [ratelimits] The limits of the configuration being served (asked per request, like `gateway`); none by default. */
  rateLimits?: () => RateLimiter;
  /** [tracing] Spans for model requests; none by default. */
  tracing?: Tracing;
  /** [--inspect] Keep each model call's bodies (redacted, bounded) in its log entry, for the live view. */
  inspect?: boolean;
}

type GatewayContext = Context;

const DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024;
const noLog = (): void => {};

export type GatewayApp = Hono & {
  /**
   * Serves a request to one of the model routes (POST /v1/chat/completions, /v1/messages,
   * /v1/responses) straight on Node's objects, as the Hono route would; false for any other
   * request, which then goes to `app.fetch`.
   */
  serveNode(incoming: IncomingMessage, outgoing: ServerResponse): boolean;
};

export function createGatewayApp(options: GatewayAppOptions): GatewayApp {
  const routing = options.routing;
  const deps: PipelineDeps = {
    env: options.env,
    ...(options.conversations ? { conversations: options.conversations } : {}),
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    ...(options.tracing ? { tracing: options.tracing } : {}),
    upstream: options.upstream,
    selectModel: options.selectModel ?? (routing ? (gateway, request) => routing().selectModel(gateway, request) : selectNamedModel),
    findTranslation: options.findTranslation ?? findTranslation,
    log: options.log ?? noLog,
    ...(options.inspect ? { inspect: true } : {}),
  };
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // Made on the first count_tokens call: most gateways never count.
  let counter: TokenCounter | undefined;
  const tokenCounter = (): TokenCounter => (counter ??= options.tokenCounter ?? createTokenCounter());
  const hono = new Hono();

  for (const api of CLIENT_APIS) {
    hono.post(CLIENT_API_PATHS[api], (c) => serveModelRoute(c, api, options.gateway(), deps, maxBodyBytes));
  }
  // [embeddings] An OpenAI-shaped request (errors in OpenAI's shape), passed through to the
  // provider's embeddings endpoint: the model pipeline with `operation: 'embeddings'`.
  hono.post(EMBEDDINGS_PATH, (c) => serveModelRoute(c, 'chat_completions', options.gateway(), deps, maxBodyBytes, 'embeddings'));
  const apiAt = new Map<string, ClientApi>(CLIENT_APIS.map((api) => [CLIENT_API_PATHS[api], api]));
  const app: GatewayApp = Object.assign(hono, {
    serveNode(incoming: IncomingMessage, outgoing: ServerResponse): boolean {
      if (incoming.method !== 'POST') return false;
      const url = incoming.url ?? '';
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      const embeddings = path === EMBEDDINGS_PATH;
      const api = embeddings ? 'chat_completions' : apiAt.get(path);
      if (api === undefined) return false;
      serveNodeModelRequest(incoming, outgoing, api, path, options.gateway(), deps, maxBodyBytes, embeddings ? 'embeddings' : undefined).catch((error: unknown) => {
        // Only a bug in plano gets here (the pipeline answers every failure it expects); what
        // Hono's onError would do, short of a body: the connection is cut and the log says why.
        outgoing.destroy();
        deps.log({ ...newAccessLogEntry(incoming.method ?? 'POST', path, api), status: 500, error: `internal error in plano: ${(error as Error).message}` });
      });
      return true;
    },
  });

  // [routing, issue 7] What a request would be routed to, without calling the model.
  if (routing) {
    for (const api of CLIENT_APIS) {
      app.post(`/routing${CLIENT_API_PATHS[api]}`, async (c) => {
        const startedAt = performance.now();
        const answer = await routing().decision(api, await c.req.text(), Object.fromEntries(c.req.raw.headers));
        deps.log(routeLogEntry(c, answer.status, startedAt, answer.error ?? null));
        return c.json(answer.body, answer.status);
      });
    }
  }

  app.get('/v1/models', (c) => {
    const startedAt = performance.now();
    if (speaksAnthropic(c)) {
      const query = (name: string): string | undefined => c.req.query(name);
      const limit = query('limit') === undefined ? undefined : Number(query('limit'));
      const page = anthropicModelsPage(modelsListObject(options.gateway()), {
        ...(limit !== undefined && Number.isFinite(limit) ? { limit } : {}),
        ...(query('after_id') !== undefined ? { afterId: query('after_id') } : {}),
        ...(query('before_id') !== undefined ? { beforeId: query('before_id') } : {}),
      });
      deps.log(routeLogEntry(c, 200, startedAt, null));
      return c.json(page, 200, MODELS_LIST_CORS);
    }
    const text = modelsListText(options.gateway());
    // content-length is set here, not left to the adapter: Hono answers HEAD with this response
    // minus its body, and a HEAD response carries the length a GET would have (RFC 9110 §8.6).
    const response = c.body(text, 200, {
      'content-type': JSON_CONTENT_TYPE,
      'content-length': String(Buffer.byteLength(text)),
      ...MODELS_LIST_CORS,
    });
    deps.log(routeLogEntry(c, 200, startedAt, null));
    return response;
  });

  // A browser page (a chat playground, a model picker) that lists the models sends a CORS
  // preflight first when it sets Authorization; answered as Plano answers it.
  app.options('/v1/models', (c) => {
    const startedAt = performance.now();
    const response = c.body(null, 204, MODELS_LIST_PREFLIGHT);
    deps.log(routeLogEntry(c, 204, startedAt, null));
    return response;
  });

  app.post('/v1/messages/count_tokens', async (c) => {
    const startedAt = performance.now();
    const raw = await c.req.text();
    const answer = await countTokens(options.gateway(), raw, Object.fromEntries(c.req.raw.headers), options.upstream, options.env, c.req.raw.signal, tokenCounter())
      .catch((error: unknown) => tooDeepToCount(error, raw));
    const entry = routeLogEntry(c, answer.status, startedAt, answer.error);
    if (answer.model) {
      entry.model = answer.model.name;
      entry.provider = answer.model.prefix;
      entry.upstreamModel = answer.model.model;
    }
    deps.log(entry);
    return c.body(answer.body, answer.status as ContentfulStatusCode, answer.headers);
  });

  // One model, as OpenAI's `models.retrieve` and Anthropic's `models.retrieve` ask for it. Ids
  // hold a slash (`openai/gpt-4o`): the SDKs send it percent-encoded, curl as is; both match.
  app.get('/v1/models/:id{.+}', (c) => {
    const startedAt = performance.now();
    const id = c.req.param('id'); // decoded by Hono
    const gateway = options.gateway();
    const listed = modelsListObject(gateway).data.find((m) => m.id === id);
    const lookup = listed === undefined && id !== '' && id.length <= MAX_MODEL_NAME_LENGTH ? lookupModel(gateway, id) : undefined;
    const anthropic = speaksAnthropic(c);
    if (listed === undefined && !lookup?.found) {
      const message = `model '${id.length > 200 ? `${id.slice(0, 200)}…` : id}' is not served by this gateway. GET /v1/models lists the models it serves.`;
      deps.log(routeLogEntry(c, 404, startedAt, message));
      return c.json(clientErrorBody(anthropic ? 'messages' : 'chat_completions', { kind: 'not_found', message, code: 'model_not_found', param: 'model' }), 404);
    }
    deps.log(routeLogEntry(c, 200, startedAt, null));
    if (anthropic) return c.json(anthropicModelObject(id), 200, MODELS_LIST_CORS);
    const owned = listed?.owned_by ?? (lookup?.found ? ownedBy(lookup.model) : '');
    return c.json({ id, object: 'model', created: 0, owned_by: owned }, 200, MODELS_LIST_CORS);
  });

  // [state_storage] The stored responses, as OpenAI's API serves its own.
  const storedResponse = async (c: GatewayContext, startedAt: number): Promise<{ store: ConversationStore; record: StoredResponse } | Response> => {
    const id = c.req.param('id') ?? '';
    const store = options.conversations;
    const record = store ? await store.get(id) : undefined;
    if (store && record) return { store, record };
    const message = store
      ? `no stored response '${id.length > 200 ? `${id.slice(0, 200)}…` : id}' (state_storage: ${store.kind})`
      : 'this gateway stores no responses: its config has no state_storage (add `state_storage: {type: memory}` to keep them)';
    deps.log(routeLogEntry(c, 404, startedAt, message));
    return c.json(clientErrorBody('responses', { kind: 'not_found', message, code: 'response_not_found' }), 404);
  };
  app.get('/v1/responses/:id', async (c) => {
    const startedAt = performance.now();
    const found = await storedResponse(c, startedAt);
    if (found instanceof Response) return found;
    deps.log(routeLogEntry(c, 200, startedAt, null));
    return c.json(found.record.response);
  });
  app.get('/v1/responses/:id/input_items', async (c) => {
    const startedAt = performance.now();
    const found = await storedResponse(c, startedAt);
    if (found instanceof Response) return found;
    deps.log(routeLogEntry(c, 200, startedAt, null));
    const items = found.record.input;
    const idOf = (item: JsonObject | undefined): string | null => (typeof item?.['id'] === 'string' ? item['id'] : null);
    return c.json({ object: 'list', data: items, first_id: idOf(items[0]), last_id: idOf(items[items.length - 1]), has_more: false });
  });
  app.delete('/v1/responses/:id', async (c) => {
    const startedAt = performance.now();
    const found = await storedResponse(c, startedAt);
    if (found instanceof Response) return found;
    await found.store.delete(found.record.id);
    deps.log(routeLogEntry(c, 200, startedAt, null));
    return c.json({ id: found.record.id, object: 'response', deleted: true });
  });

  app.get('/healthz', (c) => {
    const startedAt = performance.now();
    const response = c.json({ status: 'ok' });
    deps.log(routeLogEntry(c, 200, startedAt, null));
    return response;
  });

  // Errors at a model API's path (or its /routing twin) are in that API's shape, so the client's
  // SDK can read them; anywhere else in OpenAI's.
  const postOnly = new Set([...apiAt.keys(), EMBEDDINGS_PATH, ...(routing ? [...apiAt.keys()].map((path) => `/routing${path}`) : [])]);
  const errorShapeAt = (path: string): ClientApi => apiAt.get(path) ?? apiAt.get(path.replace(/^\/routing(?=\/)/, '')) ?? 'chat_completions';

  app.notFound((c) => {
    const startedAt = performance.now();
    const shape = errorShapeAt(c.req.path);
    if (postOnly.has(c.req.path)) {
      // RFC 9110 §15.5.6: a 405 names the methods the resource supports in Allow.
      const message = `${c.req.path} is served for POST, not ${c.req.method}`;
      deps.log(routeLogEntry(c, 405, startedAt, message));
      return c.json(clientErrorBody(shape, { kind: 'invalid_request', message, code: 'method_not_allowed' }), 405, { allow: 'POST' });
    }
    const message = `no route for ${c.req.method} ${c.req.path}: this gateway serves POST ${Object.values(CLIENT_API_PATHS).join(', POST ')}, POST ${EMBEDDINGS_PATH}, POST /v1/messages/count_tokens, GET /v1/models, GET /v1/models/{id}, GET and DELETE /v1/responses/{id}, GET /v1/responses/{id}/input_items and GET /healthz`;
    deps.log(routeLogEntry(c, 404, startedAt, message));
    return c.json(clientErrorBody(shape, { kind: 'not_found', message, code: 'not_found' }), 404);
  });

  app.onError((error, c) => {
    const message = `internal error in plano: ${error.message}`;
    deps.log(routeLogEntry(c, 500, performance.now(), message));
    return c.json(clientErrorBody(errorShapeAt(c.req.path), { kind: 'internal', message }), 500);
  });

  return app;
}

/** A model request through Hono, on the Web `Request` (`app.request()`, runtimes other than Node): answers a Web `Response`. */
async function serveModelRoute(c: GatewayContext, api: ClientApi, gateway: Gateway, deps: PipelineDeps, maxBodyBytes: number, operation?: 'embeddings'): Promise<Response> {
  const path = c.req.path;
  const startedAt = performance.now();
  const gone = new ClientGone();
  const { sink, response } = webReplySink(() => gone.abort());
  const raw = c.req.raw;
  raw.signal.addEventListener('abort', () => gone.abort(), { once: true });
  const body = Buffer.from(await raw.arrayBuffer());
  if (body.length > maxBodyBytes) {
    rejectTooLarge(sink, api, raw.method, path, deps, maxBodyBytes, startedAt);
    return response;
  }
  void serveModelRequest({ api, method: raw.method, path, headers: Object.fromEntries(raw.headers), body, gone, gateway, startedAt, ...(operation ? { operation } : {}) }, sink, deps);
  return response;
}

/** A model request on Node's own request and response objects. */
async function serveNodeModelRequest(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  api: ClientApi,
  path: string,
  gateway: Gateway,
  deps: PipelineDeps,
  maxBodyBytes: number,
  operation?: 'embeddings',
): Promise<void> {
  const startedAt = performance.now();
  const gone = new ClientGone();
  // The client closed the connection before its response was written whole. (`on`, not `once`,
  // here and in readNodeBody: a request's own streams emit these at most once, or harmlessly
  // again, and die with it; `once` builds a wrapper per listener per request.)
  outgoing.on('close', () => {
    if (!outgoing.writableFinished) gone.abort();
  });
  const body = await readNodeBody(incoming, outgoing, maxBodyBytes);
  const sink = nodeReplySink(outgoing);
  const method = incoming.method ?? 'POST';
  if (body === 'too-large') return rejectTooLarge(sink, api, method, path, deps, maxBodyBytes, startedAt);
  if (body === 'aborted') return;
  return serveModelRequest({ api, method, path, headers: incoming.headers, body, gone, gateway, startedAt, ...(operation ? { operation } : {}) }, sink, deps);
}

/**
 * The request body, read straight from Node's stream. One declared larger than `limit` is not
 * read; a client waiting for `100 Continue` (listen.ts leaves it to this) is told to send it only
 * when it is not.
 */
function readNodeBody(incoming: IncomingMessage, outgoing: ServerResponse, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  const declared = Number(incoming.headers['content-length']);
  if (declared > limit) return Promise.resolve('too-large');
  if (incoming.headers.expect?.toLowerCase() === '100-continue') outgoing.writeContinue();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | 'too-large' | 'aborted'): void => {
      incoming.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) done('too-large');
      else chunks.push(chunk);
    };
    incoming.on('data', onData);
    incoming.on('end', () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    incoming.on('error', () => done('aborted'));
    incoming.on('close', () => {
      if (!incoming.complete) done('aborted');
    });
  });
}

function rejectTooLarge(sink: ReplySink, api: ClientApi, method: string, path: string, deps: PipelineDeps, limit: number, startedAt: number): void {
  const message = `the request body is larger than the gateway accepts (${Math.round(limit / (1024 * 1024))} MiB)`;
  const body = JSON.stringify(clientErrorBody(api, { kind: 'request_too_large', message, code: 'request_too_large' }));
  // The rest of the body is not read: close the connection rather than wait for it.
  sink.send(413, { 'content-type': JSON_CONTENT_TYPE, connection: 'close' }, body);
  deps.log({ ...newAccessLogEntry(method, path, api), status: 413, totalMs: performance.now() - startedAt, error: message });
}

/**
 * The model list is what `plano models list` prints, no secret: any origin may read it. Plano
 * answers the preflight; the list itself carries Allow-Origin too, without which a browser that
 * passed the preflight still hides the answer from the page.
 */
const MODELS_LIST_CORS = { 'access-control-allow-origin': '*' };
const MODELS_LIST_PREFLIGHT = {
  allow: 'GET, OPTIONS',
  ...MODELS_LIST_CORS,
  'access-control-allow-headers': 'Authorization, Content-Type',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'content-type': JSON_CONTENT_TYPE,
};

// A Gateway is immutable: its /v1/models body is rendered once.
const modelsListTexts = new WeakMap<Gateway, string>();

function modelsListText(gateway: Gateway): string {
  let text = modelsListTexts.get(gateway);
  if (text === undefined) {
    text = JSON.stringify(modelsListObject(gateway));
    modelsListTexts.set(gateway, text);
  }
  return text;
}

/**
 * A request from an Anthropic client: its SDK always sends `anthropic-version`, and authenticates
 * with `x-api-key`; OpenAI's sends neither. It gets Anthropic's shapes for the model list.
 */
function speaksAnthropic(c: GatewayContext): boolean {
  return c.req.header('anthropic-version') !== undefined || c.req.header('x-api-key') !== undefined;
}

function routeLogEntry(c: GatewayContext, status: number, startedAt: number, error: string | null): AccessLogEntry {
  return { ...newAccessLogEntry(c.req.method, c.req.path, null), status, totalMs: performance.now() - startedAt, error };
}
