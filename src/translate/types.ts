/**
 * How `plano up` turns a client's request into the upstream's and the upstream's answer back.
 * Each client→upstream pair is a `Translation`: pure request and response functions plus a
 * stream transducer with explicit state. Same-format pairs are not translations: the server
 * passes their bodies and streams through untouched (only `model` is rewritten).
 */
import type { ClientApi, UpstreamApi } from '../providers/types.js';

export type JsonObject = Record<string, unknown>;

export interface TranslateContext {
  /**
   * The model id sent upstream. A response's `model` is the model that answered, as the upstream
   * names it (its own `model` field; this id where it gives none, as Bedrock's Converse): the
   * same rule a passed-through answer follows, so one route does not say `gpt-4o-2024-08-06`
   * and another the name the client asked for.
   */
  upstreamModel: string;
  /** The model name the client asked for, for messages that speak of it. */
  clientModel: string;
  /**
   * Where a request translation says what it left out that the client did send (a hosted tool
   * the provider cannot run): one sentence each, for the access log. Absent: not collected.
   */
  notes?: string[];
  stream: boolean;
  /**
   * The client's request body as received. Streams whose output depends on the client's options
   * read it here (chat's `stream_options.include_usage` decides whether a final usage chunk is
   * sent); absent means the API's defaults.
   */
  clientRequest?: JsonObject;
}

/** What a stream transducer emits: bytes ready for the client (SSE text for every client API). */
export interface StreamTransducer {
  /** Feed the next raw upstream bytes (arbitrary boundaries); returns client bytes to send now, maybe empty. */
  push(chunk: Uint8Array): string;
  /**
   * Upstream ended; returns what is left to send (closing events, `data: [DONE]`). `brokeOff`
   * says why when the upstream broke off (a reset, an idle timeout) instead of ending: unless the
   * answer was already complete, the closing bytes are then the client format's error event
   * carrying that reason, so the client learns its answer is incomplete.
   */
  end(brokeOff?: string): string;
  /** Token usage seen so far, for the access log. */
  usage(): { input_tokens?: number; output_tokens?: number } | undefined;
}

export interface Translation {
  client: ClientApi;
  upstream: UpstreamApi;
  /** Client request body → upstream request body. Throws TranslationError for requests the upstream cannot express. */
  request(body: JsonObject, ctx: TranslateContext): JsonObject;
  /** Upstream JSON response (2xx) → client response body. */
  response(body: JsonObject, ctx: TranslateContext): JsonObject;
  /** A transducer for one streamed response. */
  stream(ctx: TranslateContext): StreamTransducer;
}

/** A request that cannot be carried to the upstream API; becomes a 400 in the client's error shape. */
export class TranslationError extends Error {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'TranslationError';
  }
}
