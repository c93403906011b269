/**
 * Errors Plano itself answers with, in the client API's own shape (DESIGN.md "Errors"): OpenAI
 * `{"error":{…}}` for chat and responses clients — and for paths that are no API at all —,
 * Anthropic `{"type":"error","error":{…}}` for messages clients.
 */
import type { ClientApi } from '../providers/types.js';
import { clientErrorBody, type ClientErrorInit } from '../translate/client-errors.js';
import type { ReplySink } from './reply.js';

export const JSON_CONTENT_TYPE = 'application/json';

/** A JSON body Plano produced, sent whole. */
export function sendJson(sink: ReplySink, status: number, body: unknown): void {
  sink.send(status, { 'content-type': JSON_CONTENT_TYPE }, JSON.stringify(body));
}

export function sendClientError(sink: ReplySink, client: ClientApi | null, status: number, init: ClientErrorInit): void {
  sendJson(sink, status, clientErrorBody(client ?? 'chat_completions', init));
}
