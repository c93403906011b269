/**
 * Errors in the shape of the client's own API, whether Plano produced them or an upstream of
 * another format did. OpenAI (chat and responses): `{"error":{"message","type","param","code"}}`.
 * Anthropic: `{"type":"error","error":{"type","message"}}`.
 */
import type { ClientApi } from '../providers/types.js';
import { randomId } from './ids.js';
import { sseEvent } from './sse.js';
import type { JsonObject } from './types.js';

/** The error kinds Plano reports, named as OpenAI's `type` / Anthropic's `error.type` would be. */
export type ErrorKind =
  | 'invalid_request'
  | 'request_too_large'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'rate_limit'
  | 'upstream_unavailable'
  | 'timeout'
  | 'overloaded'
  | 'not_implemented'
  | 'internal';

const OPENAI_TYPE: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  upstream_unavailable: 'api_error',
  timeout: 'api_error',
  overloaded: 'api_error',
  not_implemented: 'invalid_request_error',
  internal: 'api_error',
};

// Anthropic's documented error types (docs.anthropic.com "Errors").
const ANTHROPIC_TYPE: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  request_too_large: 'request_too_large',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  rate_limit: 'rate_limit_error',
  upstream_unavailable: 'api_error',
  timeout: 'api_error',
  overloaded: 'overloaded_error',
  not_implemented: 'invalid_request_error',
  internal: 'api_error',
};

export interface ClientErrorInit {
  kind: ErrorKind;
  message: string;
  /** OpenAI's machine code (`model_not_found`); Anthropic has no equivalent field. */
  code?: string;
  param?: string;
}

export function clientErrorBody(client: ClientApi, init: ClientErrorInit): JsonObject {
  if (client === 'messages') {
    return { type: 'error', error: { type: ANTHROPIC_TYPE[init.kind], message: init.message } };
  }
  return {
    error: {
      message: init.message,
      type: OPENAI_TYPE[init.kind],
      param: init.param ?? null,
      code: init.code ?? null,
    },
  };
}

/** The error kind an HTTP status stands for, for upstream errors carried across formats. */
export function errorKindForStatus(status: number): ErrorKind {
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit';
  if (status === 529 || status === 503) return 'overloaded';
  if (status === 504) return 'timeout';
  if (status >= 500) return 'internal';
  return 'invalid_request';
}

/**
 * The SSE bytes that end a stream with an error, in the client's own streaming format — what its
 * SDK raises or reports: chat `data: {"error":…}` (the OpenAI SDKs throw on an `error` member),
 * Anthropic `event: error`, Responses `error` then `response.failed`. Used where a stream could
 * not be finished (the upstream broke off or ended early) and no translator state speaks for it.
 */
export function streamErrorEvents(client: ClientApi, init: ClientErrorInit): string {
  if (client === 'messages') return sseEvent(clientErrorBody('messages', init), 'error');
  if (client === 'chat_completions') return sseEvent(clientErrorBody('chat_completions', init));
  const code = init.code ?? 'server_error';
  const response = { id: randomId('resp_'), object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'failed', error: { code, message: init.message }, output: [] };
  return sseEvent({ type: 'error', code, message: init.message, param: init.param ?? null }, 'error') + sseEvent({ type: 'response.failed', response }, 'response.failed');
}
