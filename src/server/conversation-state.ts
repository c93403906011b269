/**
 * The conversation-state stage of `/v1/responses` (`state_storage`), around the upstream call:
 *
 * - before it, a request with `previous_response_id` gets the stored conversation — every earlier
 *   turn's input and output items — put before its own `input` (`withHistory`);
 * - after it, the response the client received, streamed or not, is stored under its id with the
 *   conversation up to it (`RecordingSink`), unless the request said `store: false`.
 *
 * Which provider answered does not matter: a conversation can start on Claude and go on with a
 * local model. One exception, for what OpenAI and xAI keep themselves: a response that such a
 * provider produced, continued on that same provider, goes with its `previous_response_id` as it
 * is (the provider has the conversation, and its own server-side state — encrypted reasoning,
 * prompt caching — stays in play); an id plano never stored goes to them as it is too.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { ResolvedModel } from '../resolve/types.js';
import type { ClientErrorInit } from '../translate/client-errors.js';
import { createSseDecoder } from '../translate/sse.js';
import type { JsonObject } from '../translate/types.js';
import type { ConversationStore, StoredResponse } from './conversation-store.js';
import { ForwardingSink, type ReplySink } from './reply.js';
import { NATIVE_UPSTREAM } from './upstream-plan.js';

/** A request's `input` as a list of items: a string is one user message. */
export function inputItems(input: unknown): JsonObject[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (Array.isArray(input)) return input.filter((item): item is JsonObject => typeof item === 'object' && item !== null && !Array.isArray(item));
  if (typeof input === 'object' && input !== null) return [input as JsonObject];
  return [];
}

/** The request's `previous_response_id`, when it names one. */
export function previousResponseId(body: JsonObject): string | undefined {
  const id = body['previous_response_id'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The 404 for a `previous_response_id` the store does not have, in OpenAI's shape (the caller's). */
export function unknownPreviousResponse(id: string, store: ConversationStore): ClientErrorInit {
  return {
    kind: 'not_found',
    code: 'previous_response_not_found',
    param: 'previous_response_id',
    message:
      `previous_response_id '${id}' is not a response this gateway has stored (state_storage: ${store.kind})` +
      (store.kind === 'memory' ? ': responses kept in memory are gone when plano up restarts, and the oldest are evicted past its limits.' : '.'),
  };
}

/**
 * The request to send for `target`, continuing `previous` (undefined: the store has no such
 * response): `conversation` (its history, then the request's input) as the input and
 * `previous_response_id` taken out — or the request as it is, when the target keeps that
 * conversation itself (see above). `undefined` when it cannot be served: an id plano never
 * stored, for a provider that keeps no state.
 */
function withHistory(body: JsonObject, previous: StoredResponse | undefined, conversation: JsonObject[], target: ResolvedModel): JsonObject | undefined {
  const native = target.endpoints.responses.api === NATIVE_UPSTREAM.responses;
  if (previous === undefined) return native ? body : undefined;
  if (native && previous.provider === target.prefix) return body;
  const { previous_response_id: _continued, ...rest } = body;
  return { ...rest, input: conversation };
}

/** One `/v1/responses` request as the stage sees it: the response it continues, if any, and its answer's recording. */
export interface Turn {
  /** The `previous_response_id` it names. */
  continuing: string | undefined;
  /** The stored response it continues; undefined when it names none, or one the store does not have. */
  previous: StoredResponse | undefined;
  /** The request to send to `target` (withHistory); undefined: an id the store does not have, for a provider that keeps no state. */
  requestFor(target: ResolvedModel): JsonObject | undefined;
  /** The sink that stores the answer once complete, under the model `answeredBy` names then (unless `store: false`). */
  recording(sink: ReplySink, answeredBy: () => ResolvedModel): ReplySink;
}

/** The stage's view of a request to `/v1/responses` under `state_storage` (reads the response it continues). */
export async function openTurn(store: ConversationStore, body: JsonObject): Promise<Turn> {
  const continuing = previousResponseId(body);
  const previous = continuing !== undefined ? await store.get(continuing) : undefined;
  // The conversation with this turn's input: what goes upstream in place of the input when the
  // history is expanded, and what is stored with the answer.
  const conversation = previous ? [...previous.input, ...previous.output, ...inputItems(body['input'])] : inputItems(body['input']);
  return {
    continuing,
    previous,
    requestFor: (target) => (continuing === undefined ? body : withHistory(body, previous, conversation, target)),
    recording(sink, answeredBy) {
      if (body['store'] === false) return sink;
      return new RecordingSink(sink, (response) => {
        const model = answeredBy();
        return store.put({
          id: response['id'] as string,
          input: conversation,
          output: response['output'] as JsonObject[],
          response,
          model: model.name,
          provider: model.prefix,
          createdAt: Math.floor(Date.now() / 1000),
        });
      });
    },
  };
}

/**
 * Tees what goes to the client of a `/v1/responses` request and, when the response is complete
 * (a 200 JSON body, or a stream's `response.completed` event), stores it before the client's
 * response ends — so the client's next turn always finds it.
 */
export class RecordingSink extends ForwardingSink {
  #status = 0;
  #chunks: Buffer[] = [];
  #decoder: ReturnType<typeof createSseDecoder> | undefined;
  #completed: JsonObject | undefined;

  constructor(
    sink: ReplySink,
    /** Stores the response the client received; a promise the end of the response waits for. */
    private readonly onResponse: (response: JsonObject) => Promise<void> | void,
  ) {
    super(sink);
  }

  override send(status: number, headers: OutgoingHttpHeaders, body: string | Uint8Array): void {
    this.#status = status;
    if (status !== 200) return this.sink.send(status, headers, body);
    const response = parseObject(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    this.#finish(response, () => this.sink.send(status, headers, body));
  }

  override head(status: number, headers: OutgoingHttpHeaders): void {
    this.#status = status;
    if (String(headers['content-type'] ?? '').startsWith('text/event-stream')) this.#decoder = createSseDecoder();
    this.sink.head(status, headers);
  }

  override write(chunk: string | Uint8Array): boolean {
    if (this.#status === 200) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (this.#decoder) this.#events(this.#decoder.push(bytes));
      else this.#chunks.push(Buffer.from(bytes));
    }
    return this.sink.write(chunk);
  }

  override end(): void {
    if (this.#status !== 200) return this.sink.end();
    let response: JsonObject | undefined;
    if (this.#decoder) {
      this.#events(this.#decoder.end());
      response = this.#completed;
    } else {
      response = parseObject(Buffer.concat(this.#chunks).toString('utf8'));
    }
    this.#finish(response, () => this.sink.end());
  }

  #events(events: Array<{ data: string }>): void {
    for (const event of events) {
      // Only the last event carries the whole response; the others are not parsed.
      if (!event.data.includes('"response.completed"')) continue;
      const parsed = parseObject(event.data);
      const response = parsed?.['response'];
      if (parsed?.['type'] === 'response.completed' && typeof response === 'object' && response !== null) this.#completed = response as JsonObject;
    }
  }

  #finish(response: JsonObject | undefined, then: () => void): void {
    if (response === undefined || typeof response['id'] !== 'string' || !Array.isArray(response['output'])) return then();
    let stored: Promise<void> | void;
    try {
      stored = this.onResponse(response);
    } catch {
      return then();
    }
    if (stored instanceof Promise) void stored.catch(() => {}).finally(then);
    else then();
  }
}

function parseObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}
