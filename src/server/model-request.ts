/**
 * One model request, start to finish: parse the body once, choose the model, check the
 * credential, build the upstream request, and relay the answer — passed through for same-format
 * pairs, through a `Translation` for the others.
 *
 * Same-format traffic (chat → openai_chat, messages → anthropic_messages, responses →
 * openai_responses) costs a JSON.parse of the request, a splice of the new `model` value into the
 * bytes received (model-field.ts), a header copy and a pipe; the response's bytes are relayed as
 * they arrive — the status and headers the upstream sent, `model` as the upstream wrote it
 * (re-serialising every answer just to echo the client's name back would defeat the piping).
 *
 * Never throws: every outcome becomes a response (or a cut-off one) and one access-log entry.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ClientApi, UpstreamApi } from '../providers/types.js';
import type { Gateway, LookupResult, ResolvedModel } from '../resolve/types.js';
import { clientErrorBody, streamErrorEvents, type ClientErrorInit } from '../translate/client-errors.js';
import { translateUpstreamError } from '../translate/upstream-errors.js';
import { upstreamShapeProblem } from '../translate/upstream-shape.js';
import type { JsonObject, StreamTransducer, TranslateContext, Translation } from '../translate/types.js';
import { newAccessLogEntry, type AccessLogEntry } from './access-log.js';
import { InspectingSink, inspectClientRequest, inspectUpstreamRequest } from './call-inspection.js';
import type { ClientGone } from './client-gone.js';
import { decodedExchange } from './content-encoding.js';
import { JSON_CONTENT_TYPE, sendClientError } from './errors.js';
import { clientResponseHeaders } from './headers.js';
import { BatchingSink, ForwardingSink, type ReplySink } from './reply.js';
import type { SelectModel } from './select-model.js';
import { StreamTail } from './stream-completion.js';
import { tooDeeplyNested } from './too-deep.js';
import { openTurn, unknownPreviousResponse } from './conversation-state.js';
import type { ConversationStore } from './conversation-store.js';
import { admit, type RateLimiter } from './rate-limits.js';
import { retryPolicyOf, withRetries } from './retries.js';
import { planUpstreamCall } from './upstream-plan.js';
import {
  classifyUpstreamError,
  clientLeft,
  exchangeWith,
  isConnectFailure,
  UpstreamFailure,
  type UpstreamBody,
  type UpstreamClient,
  type UpstreamExchange,
  type UpstreamExchangeRequest,
} from './upstream-client.js';
import type { RequestTrace, Tracing } from './tracing.js';
import { StreamUsageReader, usageOf, usageOfJsonBody } from './usage.js';

export type FindTranslation = (client: ClientApi, upstream: UpstreamApi) => Translation | undefined;

export interface PipelineDeps {
  env: Readonly<Record<string, string | undefined>>;
  /** [state_storage] Where /v1/responses conversations are kept; undefined: none are. */
  conversations?: ConversationStore;
  /** [ratelimits] The limits of the configuration being served (asked per request: a reload swaps them). */
  rateLimits?: () => RateLimiter;
  /** [tracing] Spans for requests and their upstream attempts; undefined: no tracing configured. */
  tracing?: Tracing;
  upstream: UpstreamClient;
  selectModel: SelectModel;
  findTranslation: FindTranslation;
  log: (entry: AccessLogEntry) => void;
  /** [--inspect] Keep each call's bodies (redacted, bounded) in its entry, for the live view. */
  inspect?: boolean;
}

export interface ModelRequest {
  api: ClientApi;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Fires when the client goes away. */
  gone: ClientGone;
  /** The configuration this request is served with, taken when it arrived. */
  gateway: Gateway;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** `embeddings`: POST /v1/embeddings (api `chat_completions` for its OpenAI error shapes), to the provider's embeddings endpoint. */
  operation?: 'embeddings';
}

/**
 * The longest `model` a request may name. Real ids are far shorter (a Bedrock inference-profile
 * ARN with its prefix is ~120 characters); the bound keeps the log line and the did-you-mean
 * over an unknown name small whatever a client sends.
 */
export const MAX_MODEL_NAME_LENGTH = 512;

/** The 400 for a `model` longer than MAX_MODEL_NAME_LENGTH, checked before any lookup; undefined for one within it. */
export function modelNameTooLong(model: string): ClientErrorInit | undefined {
  if (model.length <= MAX_MODEL_NAME_LENGTH) return undefined;
  return {
    kind: 'invalid_request',
    code: 'model_name_too_long',
    message: `\`model\` is ${model.length} characters long; this gateway accepts model names of at most ${MAX_MODEL_NAME_LENGTH} characters. GET /v1/models lists the models it serves.`,
    param: 'model',
  };
}

/** A status for the log when the client left before its response was complete (nginx's "client closed request"). */
export const CLIENT_CLOSED = 499;

export async function serveModelRequest(request: ModelRequest, sink: ReplySink, deps: PipelineDeps): Promise<void> {
  const entry = newAccessLogEntry(request.method, request.path, request.api);
  if (deps.inspect) {
    entry.inspection = inspectClientRequest(request.headers, request.body);
    sink = new InspectingSink(sink, entry.inspection);
  }
  const measured = new MeasuredSink(sink, entry, request.startedAt);
  // What stages do once the response is complete (counting its tokens), before it is logged.
  const afterwards: Array<() => void> = [];
  const trace = deps.tracing?.startRequest(request.headers, request.startedAt);
  try {
    await serve(request, measured, deps, entry, afterwards, trace);
  } catch (error) {
    // Only a bug in plano gets here — everything expected is answered inside `serve` — or a body
    // nested deeper than the stack (too-deep.ts), which is the client's to fix.
    const tooDeep = measured.headersSent ? undefined : tooDeeplyNested(error, request.body.toString('utf8'));
    if (tooDeep) {
      entry.error = tooDeep.message;
      sendClientError(measured, request.api, 400, tooDeep);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    entry.error = `internal error: ${message}`;
    if (!measured.headersSent) {
      sendClientError(measured, request.api, 500, { kind: 'internal', message: `internal error in plano: ${message}` });
    } else {
      measured.destroy(error instanceof Error ? error : new Error(message));
    }
  } finally {
    entry.totalMs = performance.now() - request.startedAt;
    for (const after of afterwards) after();
    trace?.end(entry);
    deps.log(entry);
  }
}

async function serve(
  request: ModelRequest,
  sink: ReplySink,
  deps: PipelineDeps,
  entry: AccessLogEntry,
  afterwards: Array<() => void>,
  trace: RequestTrace | undefined,
): Promise<void> {
  const { api } = request;
  const fail = (status: number, init: Parameters<typeof sendClientError>[3]): void => {
    entry.error = init.message;
    sendClientError(sink, api, status, init);
  };

  const parsed = parseRequestBody(request.body);
  if (typeof parsed === 'string') return fail(400, { kind: 'invalid_request', message: parsed });
  const { text, body } = parsed;
  const model = body.model;
  if (model !== undefined && model !== null && typeof model !== 'string') {
    return fail(400, { kind: 'invalid_request', message: '`model` must be a string naming a configured model', param: 'model' });
  }
  const tooLong = typeof model === 'string' ? modelNameTooLong(model) : undefined;
  if (tooLong) return fail(400, tooLong);
  const requested = model === null || model === '' ? undefined : model;
  // An embeddings request names its model: the default (or a route) is a chat model.
  if (request.operation === 'embeddings' && requested === undefined) {
    return fail(400, { kind: 'invalid_request', code: 'model_required', message: '`model` is required: name the embedding model (GET /v1/models lists them)', param: 'model' });
  }
  const stream = request.operation === undefined && body.stream === true;
  entry.requested = requested ?? null;
  entry.stream = stream;

  const selectedAt = trace ? Date.now() : 0;
  const selected = deps.selectModel(request.gateway, { api, requested, body, headers: request.headers });
  // A named model is looked up synchronously: awaiting it anyway would cost every request a turn
  // of the microtask queue. Routing answers a promise (it may ask a router model).
  const choice = selected instanceof Promise ? await selected : selected;
  // [tracing] A routing decision is a step of its own (it may have asked a router model).
  if (trace && choice.found && 'routing' in choice && choice.routing) {
    trace.step('routing', selectedAt, {
      'plano.route': choice.routing.route,
      'plano.routing.models': choice.routing.candidates.map((c) => c.name).join(', '),
      ...(choice.routing.notes.length > 0 ? { 'plano.routing.notes': choice.routing.notes.join('; ') } : {}),
    });
  }
  if (!choice.found) {
    const problem = lookupProblem(choice);
    return fail(problem.status, { kind: problem.status === 404 ? 'not_found' : 'invalid_request', message: problem.message, code: problem.code, param: 'model' });
  }
  // [routing] A routed request carries its route's ranked models: the first serves; the next is
  // tried when one answers 429 or 5xx, or cannot be connected to — before any byte reached the
  // client (src/server/routing.ts). Every response to it says which route and model served it.
  const routing = 'routing' in choice ? choice.routing : undefined;
  const candidates = routing?.candidates ?? [choice.model];
  const served = { model: choice.model.name };
  // [state_storage] The conversation a /v1/responses request continues, and the recording of its answer.
  const conversations = api === 'responses' ? deps.conversations : undefined;
  const openedAt = trace ? Date.now() : 0;
  const turn = conversations ? await openTurn(conversations, body) : undefined;
  // [tracing] Reading the conversation a turn continues, from the store.
  if (trace && turn?.continuing !== undefined) {
    trace.step('conversation read', openedAt, { 'plano.state.store': conversations!.kind, 'plano.state.previous_response_id': turn.continuing, 'plano.state.found': turn.previous !== undefined });
  }
  let answeredBy = choice.model;
  if (turn) sink = turn.recording(sink, () => answeredBy);
  if (routing) {
    entry.route = routing.route;
    entry.routingNotes.push(...routing.notes);
    sink = withRoutingHeaders(sink, routing.route, served);
  }
  for (let attempt = 0; attempt < candidates.length; attempt++) {
    const target = candidates[attempt]!;
    const next = candidates[attempt + 1];
    served.model = target.name;
    entry.model = target.name;
    entry.provider = target.prefix;
    entry.upstreamModel = target.model;
    answeredBy = target;

    // [ratelimits] Refused before the upstream call when a budget is spent; counted after the answer.
    const admitting = admit(deps.rateLimits?.(), target, request.headers);
    const admission = admitting ? await admitting : undefined;
    if (admission && 'refused' in admission) {
      const { error, retryAfterSeconds } = admission.refused;
      if (next) {
        entry.routingNotes.push(`${target.name}: ${error.message}; trying ${next.name}`);
        continue;
      }
      entry.error = error.message;
      return sink.send(429, { 'content-type': JSON_CONTENT_TYPE, 'retry-after': String(retryAfterSeconds) }, JSON.stringify(clientErrorBody(api, error)));
    }
    if (admission) {
      // Only the model that answered counts the answer (a routing fallback may follow).
      afterwards.push(() => {
        if (answeredBy === target) admission.count((entry.usage?.input_tokens ?? 0) + (entry.usage?.output_tokens ?? 0));
      });
    }

    const sent = turn ? turn.requestFor(target) : body;
    if (sent === undefined) return fail(404, unknownPreviousResponse(turn!.continuing!, conversations!));
    if (sent !== body) entry.notes.push(`continues ${turn!.continuing}: ${turn!.previous!.input.length + turn!.previous!.output.length} earlier items put before the input`);

    const planned = planUpstreamCall({
      target,
      api,
      body: sent,
      // The bytes received are spliced only when the request goes as it came.
      ...(sent === body ? { text, raw: request.body } : {}),
      stream,
      clientModel: requested ?? target.name,
      clientHeaders: request.headers,
      env: deps.env,
      findTranslation: deps.findTranslation,
      notes: entry.notes,
      ...(request.operation ? { operation: request.operation } : {}),
    });
    if (!planned.ok) return fail(planned.status, planned.error);
    const { endpoint, translation, context, origin } = planned.plan;
    entry.upstreamUrl = origin + planned.plan.path;
    if (entry.inspection) inspectUpstreamRequest(entry.inspection, entry.upstreamUrl, planned.plan.headers, planned.plan.body);
    const call = { origin, path: planned.plan.path, headers: planned.plan.headers, body: planned.plan.body, gone: request.gone };
    let response: UpstreamExchange;
    try {
      // [retries] The listener's max_retries: this model again first; the routing fallback below
      // takes the next model only once its attempts are spent.
      response = await withRetries(() => (trace ? tracedExchange(deps.upstream, call, trace) : exchangeWith(deps.upstream, call)), {
        policy: retryPolicyOf(request.gateway),
        gone: request.gone,
        startedAt: request.startedAt,
        onAttempt: () => void entry.attempts++,
        onRetry: (reason, waitMs) => void entry.retries.push(`${target.name}: ${reason}; again after ${waitMs} ms`),
      });
    } catch (error) {
      const failure = classifyUpstreamError(error, origin, request.gone);
      if (next && isConnectFailure(failure)) {
        entry.routingNotes.push(`${target.name}: ${failure.message}; trying ${next.name}`);
        continue;
      }
      return failUpstream(sink, api, entry, failure);
    }
    const decoded = decodedExchange(response);
    if ('undecodable' in decoded) {
      return fail(502, {
        kind: 'upstream_unavailable',
        code: 'upstream_invalid_response',
        message: `the upstream for model '${target.name}' answered with content-encoding ${decoded.undecodable}, which plano cannot decode`,
      });
    }
    response = decoded;
    if (next && (response.status === 429 || response.status >= 500)) {
      response.body.destroy();
      entry.routingNotes.push(`${target.name} answered HTTP ${response.status}; trying ${next.name}`);
      continue;
    }
    if (response.status < 400) routing?.onServed?.(target);

    if (!translation) return passThrough(response, sink, request, entry, origin);
    if (response.status >= 400) {
      const bytes = await readWhole(response.body, request.gone, origin);
      if (bytes instanceof UpstreamFailure) return failUpstream(sink, api, entry, bytes);
      const translated = translateUpstreamError(endpoint.api, api, response.status, bytes);
      // The upstream's headers go along as on a translated success: a 429's retry-after (and
      // retry-after-ms, x-ratelimit-*) is what every SDK's back-off reads, whatever its format.
      const headers = clientResponseHeaders(response.headers, false);
      headers['content-type'] = JSON_CONTENT_TYPE;
      return sink.send(translated.status, headers, JSON.stringify(translated.body));
    }
    if (stream) return relayTranslatedStream(response, translation.stream(context), sink, request, entry, origin);
    return relayTranslatedJson(response, translation, context, sink, request, entry, target, origin);
  }
}

/**
 * [tracing] One upstream attempt in its own CLIENT span, ended when the response head arrives (or
 * the call fails: the client tells the span, as the exchange's observer); the upstream gets a
 * `traceparent` naming that span, in place of the client's.
 */
function tracedExchange(upstream: UpstreamClient, call: UpstreamExchangeRequest, trace: RequestTrace): Promise<UpstreamExchange> {
  const attempt = trace.attempt(call.origin, call.path);
  // The call is this request's own (upstream-plan.ts builds its headers per call): each attempt sets its traceparent and observer there.
  call.headers['traceparent'] = attempt.traceparent;
  call.observer = attempt;
  return exchangeWith(upstream, call);
}

/**
 * [routing] The sink, adding `x-plano-route` and `x-plano-model` (the model serving now) to the
 * response head. Header values are Latin-1 only (RFC 9110 §5.5): other characters are percent-encoded.
 */
function withRoutingHeaders(sink: ReplySink, route: string, served: { model: string }): ReplySink {
  const add = (headers: OutgoingHttpHeaders): OutgoingHttpHeaders => ({
    ...headers,
    'x-plano-route': headerSafe(route),
    'x-plano-model': headerSafe(served.model),
  });
  return new HeadRewritingSink(sink, add);
}

function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

// The sinks below are classes, not object literals with a `headersSent` getter: reply.ts says why.

/** The response head through `rewriteHead` on its way. */
class HeadRewritingSink extends ForwardingSink {
  constructor(
    sink: ReplySink,
    private readonly rewriteHead: (headers: OutgoingHttpHeaders) => OutgoingHttpHeaders,
  ) {
    super(sink);
  }

  override send(status: number, headers: OutgoingHttpHeaders, body: string | Uint8Array): void {
    this.sink.send(status, this.rewriteHead(headers), body);
  }

  override head(status: number, headers: OutgoingHttpHeaders): void {
    this.sink.head(status, this.rewriteHead(headers));
  }
}

/** Records the status and the time of the first body byte in the log entry. */
class MeasuredSink extends ForwardingSink {
  constructor(
    sink: ReplySink,
    private readonly entry: AccessLogEntry,
    private readonly startedAt: number,
  ) {
    super(sink);
  }

  override send(status: number, headers: OutgoingHttpHeaders, body: string | Uint8Array): void {
    this.entry.status = status;
    if (body.length > 0) this.firstByte();
    this.sink.send(status, headers, body);
  }

  override head(status: number, headers: OutgoingHttpHeaders): void {
    this.entry.status = status;
    this.sink.head(status, headers);
  }

  override write(chunk: string | Uint8Array): boolean {
    this.firstByte();
    return this.sink.write(chunk);
  }

  private firstByte(): void {
    if (this.entry.ttfbMs === null) this.entry.ttfbMs = performance.now() - this.startedAt;
  }
}

/** The body as a JSON object and its text, or what is wrong with it. */
function parseRequestBody(raw: Buffer): { text: string; body: JsonObject } | string {
  if (raw.length === 0) return 'the request body is empty: send a JSON object with `model` and the request';
  const text = raw.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return `the request body is not valid JSON (${(error as Error).message})`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the request body must be a JSON object';
  return { text, body: body as JsonObject };
}

function lookupProblem(choice: Extract<LookupResult, { found: false }>): { status: number; code: string; message: string } {
  const list = (names: string[]) => names.map((n) => `'${n}'`).join(', ');
  if (choice.reason === 'no-default') {
    return {
      status: 400,
      code: 'model_required',
      message: 'the request names no model and the config has no default model: set `model`, or mark a model `default: true`',
    };
  }
  if (choice.reason === 'ambiguous') {
    return {
      status: 400,
      code: 'model_ambiguous',
      message: `model '${choice.requested}' is ambiguous: it is served by ${list(choice.suggestions)}. Name one of them.`,
    };
  }
  const hint = choice.suggestions.length > 0 ? ` Did you mean ${list(choice.suggestions)}?` : '';
  return {
    status: 404,
    code: 'model_not_found',
    message: `model '${choice.requested}' is not configured.${hint} GET /v1/models lists the models this gateway serves.`,
  };
}

const FAILURE_STATUS: Record<UpstreamFailure['kind'], number> = { unreachable: 502, timeout: 504, aborted: CLIENT_CLOSED };

/** No response from the upstream: 502 or 504 in the client's shape, or nothing for a client that left. */
function failUpstream(sink: ReplySink, api: ClientApi, entry: AccessLogEntry, failure: UpstreamFailure): void {
  entry.error = failure.message;
  const status = FAILURE_STATUS[failure.kind];
  if (failure.kind === 'aborted') {
    entry.status = status;
    // Nobody reads this; it settles a Web response still waiting for its head.
    if (!sink.headersSent) sink.send(status, {}, '');
    return;
  }
  sendClientError(sink, api, status, {
    kind: failure.kind === 'timeout' ? 'timeout' : 'upstream_unavailable',
    code: failure.kind === 'timeout' ? 'upstream_timeout' : 'upstream_unreachable',
    message: failure.message,
  });
}

/** Same format: the upstream's status, headers and bytes, as they arrive; usage read on the side. */
async function passThrough(response: UpstreamExchange, sink: ReplySink, request: ModelRequest, entry: AccessLogEntry, origin: string): Promise<void> {
  sink.head(response.status, clientResponseHeaders(response.headers, true));
  const contentType = response.headers['content-type'];
  const isStream = typeof contentType === 'string' && contentType.startsWith('text/event-stream');
  if (response.status >= 400) {
    await relay(response.body, sink, request.gone, origin, entry, IDENTITY_STEP);
    return;
  }
  if (isStream) {
    const reader = new StreamUsageReader();
    const tail = new StreamTail(request.api);
    await relay(response.body, sink, request.gone, origin, entry, {
      chunk: identity,
      after(data) {
        reader.push(data);
        tail.push(data);
      },
      end(brokeOff) {
        // Bytes already relayed cannot be taken back: an answer cut short (broken off, or ended
        // without its final event) is ended with the format's error event, so the client knows.
        if (tail.finished()) return '';
        const message = brokeOff ?? "the upstream's stream ended before its final event: the answer is incomplete";
        entry.error = message;
        return streamErrorEvents(request.api, { kind: 'upstream_unavailable', code: 'upstream_incomplete', message });
      },
    });
    entry.usage = reader.usage() ?? null;
    return;
  }
  const chunks: Buffer[] = [];
  let length = 0;
  const completed = await relay(response.body, sink, request.gone, origin, entry, {
    chunk: identity,
    after: (data) => {
      chunks.push(data);
      length += data.length;
    },
    end: endWhole,
  });
  if (completed) entry.usage = usageOfJsonBody(chunks, length) ?? null;
}

async function relayTranslatedStream(
  response: UpstreamExchange,
  transducer: StreamTransducer,
  sink: ReplySink,
  request: ModelRequest,
  entry: AccessLogEntry,
  origin: string,
): Promise<void> {
  const headers = clientResponseHeaders(response.headers, false);
  // Whatever the upstream framed its stream as (Bedrock: application/vnd.amazon.eventstream), the client gets SSE.
  headers['content-type'] = 'text/event-stream; charset=utf-8';
  headers['cache-control'] = 'no-cache';
  sink.head(response.status, headers);
  await relay(response.body, new BatchingSink(sink), request.gone, origin, entry, {
    chunk: (data) => transducer.push(data),
    end: (brokeOff) => transducer.end(brokeOff),
  });
  entry.usage = transducer.usage() ?? null;
}

async function relayTranslatedJson(
  response: UpstreamExchange,
  translation: Translation,
  context: TranslateContext,
  sink: ReplySink,
  request: ModelRequest,
  entry: AccessLogEntry,
  target: ResolvedModel,
  origin: string,
): Promise<void> {
  const bytes = await readWhole(response.body, request.gone, origin);
  if (bytes instanceof UpstreamFailure) return failUpstream(sink, request.api, entry, bytes);
  let upstreamJson: unknown;
  try {
    upstreamJson = JSON.parse(bytes.toString('utf8'));
  } catch {
    upstreamJson = undefined;
  }
  if (typeof upstreamJson !== 'object' || upstreamJson === null || Array.isArray(upstreamJson)) {
    entry.error = 'the upstream answered with a body that is not a JSON object';
    return sendClientError(sink, request.api, 502, {
      kind: 'upstream_unavailable',
      code: 'upstream_invalid_response',
      message: `the upstream for model '${target.name}' answered HTTP ${response.status} with a body that is not a JSON object`,
    });
  }
  const shapeProblem = upstreamShapeProblem(translation.upstream, upstreamJson as JsonObject);
  if (shapeProblem !== undefined) {
    entry.error = `the upstream answered with ${shapeProblem}`;
    return sendClientError(sink, request.api, 502, {
      kind: 'upstream_unavailable',
      code: 'upstream_invalid_response',
      message: `the upstream for model '${target.name}' answered HTTP ${response.status} with ${shapeProblem}`,
    });
  }
  const translated = translation.response(upstreamJson as JsonObject, context);
  entry.usage = usageOf(upstreamJson) ?? null;
  const headers = clientResponseHeaders(response.headers, false);
  headers['content-type'] = JSON_CONTENT_TYPE;
  sink.send(response.status, headers, JSON.stringify(translated));
}

/** What a relay does with each upstream chunk: the bytes to send now, then anything to do once they are sent. */
interface RelayStep {
  chunk(data: Buffer): string | Uint8Array;
  after?(data: Buffer): void;
  /**
   * The upstream body ended, or broke off (`brokeOff` says why): the last bytes to send.
   * Undefined when a broken-off body cannot be ended cleanly (a JSON body cut midway): the
   * client's connection is then cut, which its HTTP client reports as an error.
   */
  end(brokeOff?: string): string | undefined;
}

const identity = (data: Buffer): Buffer => data;
/** A body that is one document: whole, or not at all. */
const endWhole = (brokeOff?: string): string | undefined => (brokeOff === undefined ? '' : undefined);
const IDENTITY_STEP: RelayStep = { chunk: identity, end: endWhole };

/**
 * Moves the upstream body to the client chunk by chunk, as it arrives, pausing the upstream while
 * the client is slow (backpressure). Resolves true when the body was delivered whole; false when
 * the upstream failed (the client's response is cut off — its status is already sent) or the
 * client left (the upstream request is abandoned).
 */
function relay(body: UpstreamBody, sink: ReplySink, gone: ClientGone, origin: string, entry: AccessLogEntry, step: RelayStep): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    // A translator that threw has no state left to close the stream with.
    let stepFailed = false;
    const untranslatable = (error: unknown): UpstreamFailure => {
      stepFailed = true;
      return new UpstreamFailure('unreachable', `the upstream's stream could not be translated: ${(error as Error).message}`);
    };
    const resume = (): void => body.resume();
    const reader: BodyReader<true> = {
      data(data) {
        let out: string | Uint8Array;
        try {
          out = step.chunk(data);
        } catch (error) {
          return untranslatable(error);
        }
        if (out.length > 0 && !sink.write(out)) {
          body.pause();
          sink.onDrain(resume);
        }
        step.after?.(data);
        return undefined;
      },
      end() {
        let tail: string | undefined;
        try {
          tail = step.end();
        } catch (error) {
          return untranslatable(error);
        }
        if (tail !== undefined && tail.length > 0) sink.write(tail);
        sink.end();
        return true;
      },
    };
    consumeBody(body, gone, origin, reader, (result) => {
      if (result === true) return resolve(true);
      entry.error = result.message;
      if (result.kind === 'aborted') {
        entry.status = CLIENT_CLOSED;
        return resolve(false);
      }
      let closing: string | undefined;
      try {
        closing = stepFailed ? undefined : step.end(result.message);
      } catch {
        closing = undefined;
      }
      if (closing === undefined) {
        sink.destroy(result);
      } else {
        if (closing.length > 0) sink.write(closing);
        sink.end();
      }
      resolve(false);
    });
  });
}

/** The whole upstream body, or why it could not be read. */
function readWhole(body: UpstreamBody, gone: ClientGone, origin: string): Promise<Buffer | UpstreamFailure> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    consumeBody(body, gone, origin, { data: (data) => void chunks.push(data), end: () => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)) }, resolve);
  });
}

/** What `consumeBody` does with a body: each chunk (a failure stops the read), then the end's result (or a failure). */
interface BodyReader<T> {
  data(chunk: Buffer): UpstreamFailure | undefined;
  end(): T | UpstreamFailure;
}

/**
 * Reads `body` through `reader` until it ends, the upstream fails, the reader fails it (the rest
 * is then abandoned) or the client leaves (the upstream request too); `done` hears which, once.
 */
function consumeBody<T>(body: UpstreamBody, gone: ClientGone, origin: string, reader: BodyReader<T>, done: (result: T | UpstreamFailure) => void): void {
  let finished = false;
  let stopListening = (): void => {};
  const finish = (result: T | UpstreamFailure): void => {
    if (finished) return;
    finished = true;
    stopListening();
    done(result);
  };
  body.read({
    data(chunk) {
      if (finished) return;
      const failure = reader.data(chunk);
      if (failure === undefined) return;
      body.destroy();
      finish(failure);
    },
    end() {
      if (!finished) finish(reader.end());
    },
    error: (error) => finish(classifyUpstreamError(error, origin, gone, 'body')),
  });
  if (finished) return;
  stopListening = gone.onAbort(() => {
    body.destroy();
    finish(clientLeft());
  });
}
