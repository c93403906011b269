/**
 * Model selection: the one place a request's target is chosen. Today that is the model the
 * client named, looked up as DESIGN.md orders it; preference-based routing plugs in here by
 * passing another `SelectModel` to `createGatewayApp` (it may look at the body and be async,
 * e.g. to ask a router model), and everything after selection — URL, auth, translation — stays
 * as it is.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ClientApi } from '../providers/types.js';
import { lookupModel } from '../resolve/lookup.js';
import type { Gateway, LookupResult } from '../resolve/types.js';
import type { JsonObject } from '../translate/types.js';

export interface ModelChoiceRequest {
  api: ClientApi;
  /** The client's `model`; undefined when it sent none (or an empty string). */
  requested: string | undefined;
  /** The parsed request body (read-only). */
  body: JsonObject;
  headers: IncomingHttpHeaders;
}

export type SelectModel = (gateway: Gateway, request: ModelChoiceRequest) => LookupResult | Promise<LookupResult>;

/** The model the client named (missing → the default model). */
export const selectNamedModel: SelectModel = (gateway, request) => lookupModel(gateway, request.requested);
