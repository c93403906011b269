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
import type { Gateway, LookupResult, ResolvedModel } from '../resolve/types.js';
import type { JsonObject } from '../translate/types.js';

export interface ModelChoiceRequest {
  api: ClientApi;
  /** The client's `model`; undefined when it sent none (or an empty string). */
  requested: string | undefined;
  /** The parsed request body (read-only). */
  body: JsonObject;
  headers: IncomingHttpHeaders;
}

/**
 * [routing, issue 7] What preference routing adds to a choice (src/server/routing.ts): the
 * route for `x-plano-route`, the ranked models (the first is the choice's `model`; the next is
 * tried when one answers 429 or 5xx, or cannot be connected to, before the client got a byte),
 * lines for the access log, and a callback with the model that served.
 */
export interface RoutingOutcome {
  route: string;
  candidates: ResolvedModel[];
  notes: string[];
  onServed?(model: ResolvedModel): void;
}

export type ModelChoice = LookupResult | (Extract<LookupResult, { found: true }> & { routing?: RoutingOutcome });

export type SelectModel = (gateway: Gateway, request: ModelChoiceRequest) => ModelChoice | Promise<ModelChoice>;

/** The model the client named (missing → the default model). */
export const selectNamedModel: SelectModel = (gateway, request) => lookupModel(gateway, request.requested);
