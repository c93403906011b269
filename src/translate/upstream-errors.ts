/**
 * Upstream errors carried across formats: an Anthropic 529 reaches an OpenAI SDK as
 * `{"error":{…}}` and an OpenAI 400 reaches an Anthropic SDK as `{"type":"error","error":{…}}`,
 * with the upstream's status and message kept. (Same-format errors are piped through untouched
 * by the server; this is only for pairs that translate.)
 */
import type { ClientApi, UpstreamApi } from '../providers/types.js';
import { clientErrorBody, errorKindForStatus, type ClientErrorInit, type ErrorKind } from './client-errors.js';
import { isObject, objectField, stringField } from './json-fields.js';
import type { JsonObject } from './types.js';

/**
 * Error type names the upstream APIs use, lower-cased, and the kind each stands for. One table
 * serves all of them: the OpenAI and Anthropic vocabularies overlap without conflict, and
 * Bedrock's exception names are distinct (AWS Bedrock Runtime API reference, "Errors").
 */
const ERROR_KIND_BY_UPSTREAM_TYPE: Readonly<Record<string, ErrorKind>> = {
  // OpenAI (platform.openai.com/docs/guides/error-codes) and Anthropic (docs.anthropic.com "Errors")
  invalid_request_error: 'invalid_request',
  request_too_large: 'request_too_large',
  authentication_error: 'authentication',
  permission_error: 'permission',
  billing_error: 'permission',
  not_found_error: 'not_found',
  model_not_found: 'not_found',
  rate_limit_error: 'rate_limit',
  insufficient_quota: 'rate_limit',
  overloaded_error: 'overloaded',
  timeout_error: 'timeout',
  api_error: 'internal',
  server_error: 'internal',
  // Bedrock: the `x-amzn-ErrorType` names, and the ConverseStream exception event names.
  validationexception: 'invalid_request',
  accessdeniedexception: 'permission',
  resourcenotfoundexception: 'not_found',
  throttlingexception: 'rate_limit',
  servicequotaexceededexception: 'rate_limit',
  serviceunavailableexception: 'overloaded',
  modelnotreadyexception: 'overloaded',
  modeltimeoutexception: 'timeout',
  internalserverexception: 'internal',
  modelerrorexception: 'internal',
  modelstreamerrorexception: 'internal',
};

/** Longest upstream text carried into a message (an HTML error page from a proxy can be large). */
const MAX_CARRIED_TEXT = 2000;

export interface TranslatedError {
  status: number;
  body: JsonObject;
}

/**
 * An upstream error response (status ≥ 400, body as received) in the client's error shape.
 * The status is kept; the upstream's message, type and code are carried; a body that is not a
 * recognisable error object is carried as text in the message.
 */
export function translateUpstreamError(
  upstream: UpstreamApi,
  client: ClientApi,
  status: number,
  body: Uint8Array,
): TranslatedError {
  const text = new TextDecoder('utf-8').decode(body).trim();
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = undefined;
  }
  const init = upstreamErrorInit(payload, status) ?? {
    kind: errorKindForStatus(status),
    message:
      text === ''
        ? `the ${upstream} upstream answered HTTP ${status} with an empty body`
        : `the ${upstream} upstream answered HTTP ${status}: ${carriedText(text)}`,
  };
  return { status, body: clientErrorBody(client, init) };
}

/**
 * The client error an upstream error payload stands for, or undefined when `payload` has no
 * message to carry. Understands `{"error":{"message","type","code","param"}}` (OpenAI, Anthropic),
 * `{"error":"…"}` (Ollama), `{"message":"…"}` (Bedrock), `{"detail":"…"}`, and a one-element array of
 * these (Gemini's OpenAI layer). Also used for errors that arrive inside a stream (`status` absent).
 */
export function upstreamErrorInit(payload: unknown, status?: number): ClientErrorInit | undefined {
  const error = Array.isArray(payload) ? payload[0] : payload;
  if (!isObject(error)) return undefined;
  const inner = objectField(error, 'error');
  const message =
    stringField(inner, 'message') ??
    stringField(error, 'error') ??
    stringField(error, 'message') ??
    stringField(error, 'detail');
  if (message === undefined) return undefined;
  const source = inner ?? error;
  const type = stringField(source, 'type') ?? stringField(error, '__type');
  const rawCode = source['code'];
  const code = typeof rawCode === 'string' ? rawCode : typeof rawCode === 'number' ? String(rawCode) : undefined;
  const known = [code, type].map((name) => (name === undefined ? undefined : ERROR_KIND_BY_UPSTREAM_TYPE[name.toLowerCase()]));
  const kind = known.find((k) => k !== undefined) ?? (status === undefined ? 'internal' : errorKindForStatus(status));
  const init: ClientErrorInit = { kind, message: carriedText(message) };
  // OpenAI-shaped clients get the upstream's own machine code (or error type) in `code`.
  const carriedCode = code ?? (type === 'error' ? undefined : type);
  if (carriedCode !== undefined) init.code = carriedCode;
  const param = stringField(source, 'param');
  if (param !== undefined) init.param = param;
  return init;
}

function carriedText(text: string): string {
  return text.length <= MAX_CARRIED_TEXT ? text : `${text.slice(0, MAX_CARRIED_TEXT)}…`;
}
