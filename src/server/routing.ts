/**
 * [routing, issue 7] Preference-based routing in the gateway, at the model-selection seam
 * (select-model.ts): a request that names no model, under a config with routing_preferences,
 * is given the ranked models of the route the router model matches (or the default model, and
 * why); a request that names a model is looked up as always. Also the decision API
 * (`POST /routing/v1/{chat/completions,messages,responses}`): the same decision, without
 * calling the model.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ClientApi } from '../providers/types.js';
import { lookupModel } from '../resolve/lookup.js';
import type { Gateway, ResolvedModel } from '../resolve/types.js';
import { AFFINITY_HEADER } from '../routing/affinity.js';
import { decideRoute, decisionJson, recordServedModel, routeLabel, type RouteDecision, type RoutingContext } from '../routing/router.js';
import { clientErrorBody } from '../translate/client-errors.js';
import { isObject } from '../translate/json-fields.js';
import type { JsonObject } from '../translate/types.js';
import type { PreparedRouting } from './routing-http.js';
import type { ModelChoice, ModelChoiceRequest, SelectModel } from './select-model.js';
import { parseTraceparent } from './tracing.js';

export interface GatewayRouting {
  /** Model selection with routing (for `createGatewayApp`'s `selectModel`). */
  selectModel: SelectModel;
  /** The decision API's answer to one request: 200 and the decision, or 400 in the client API's error shape. */
  decision(api: ClientApi, rawBody: string, headers: IncomingHttpHeaders): Promise<DecisionAnswer>;
}

/** The decision API's response; `error` is what was wrong with the request, for the access log. */
export interface DecisionAnswer {
  status: 200 | 400;
  body: JsonObject;
  error?: string;
}

export function createGatewayRouting(prepared: PreparedRouting): GatewayRouting {
  const decide = (api: ClientApi, body: JsonObject, headers: IncomingHttpHeaders): Promise<RouteDecision> => {
    const sessionId = headerValue(headers[AFFINITY_HEADER]);
    return decideRoute({ api, body, ...(sessionId !== undefined ? { sessionId } : {}) }, contextFor(prepared, headers));
  };

  const selectModel: SelectModel = async (gateway, request) => {
    const routed = request.requested === undefined && prepared.settings.preferences.length > 0;
    if (!routed) return lookupModel(gateway, request.requested);
    const decision = await decide(request.api, request.body, request.headers);
    return routedChoice(gateway, request, decision, prepared.context);
  };

  return {
    selectModel,
    async decision(api, rawBody, headers) {
      const invalid = (message: string): DecisionAnswer => ({
        status: 400,
        body: clientErrorBody(api, { kind: 'invalid_request', message }),
        error: message,
      });
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch (error) {
        return invalid(`the request body is not valid JSON (${(error as Error).message})`);
      }
      if (!isObject(body)) return invalid('the request body must be a JSON object');
      const decision = await decide(api, body, headers);
      return { status: 200, body: { ...decisionJson(decision), trace_id: traceId(headers) } };
    },
  };
}

/** The shared context, with the router reached using this request's headers (a passthrough_auth router uses the client's key). */
function contextFor(prepared: PreparedRouting, headers: IncomingHttpHeaders): RoutingContext {
  const call = prepared.call;
  if (!call) return prepared.context;
  return { ...prepared.context, callRouter: (body, signal) => call(body, signal, headers) };
}

/**
 * The decision as a model choice: its models looked up in order (one a preference lists that
 * is not configured is skipped and noted), the first serving and the rest kept for fallback.
 */
function routedChoice(gateway: Gateway, request: ModelChoiceRequest, decision: RouteDecision, ctx: RoutingContext): ModelChoice {
  const notes: string[] = [];
  if (decision.source === 'default' && decision.reason) notes.push(`default model: ${decision.reason}`);
  if (decision.source === 'session') notes.push(`pinned by ${AFFINITY_HEADER}`);
  notes.push(...decision.notes);

  const listed: { name: string; model: ResolvedModel }[] = [];
  for (const name of decision.models) {
    const hit = lookupModel(gateway, name);
    if (hit.found) listed.push({ name, model: hit.model });
    else notes.push(`route model '${name}' is not configured; skipped`);
  }
  const first = listed[0]?.model;
  if (!first) {
    // Nothing of the route can serve: the default model, as for an unmatched request.
    const fallback = lookupModel(gateway, undefined);
    if (!fallback.found) return fallback;
    return { ...fallback, routing: { route: 'default', candidates: [fallback.model], notes } };
  }
  return {
    found: true,
    requested: request.requested ?? '',
    model: first,
    via: decision.source === 'default' ? 'default' : 'name',
    routing: {
      route: routeLabel(decision),
      candidates: listed.map((l) => l.model),
      notes,
      // A pin that cannot be moved (the shared store is down) leaves the session where it was.
      onServed: (served) => void recordServedModel(ctx, decision, listed.find((l) => l.model === served)?.name ?? served.name).catch(() => {}),
    },
  };
}

/** The trace id of a valid W3C `traceparent` (read as the tracing stage reads it), else a new one. */
function traceId(headers: IncomingHttpHeaders): string {
  return parseTraceparent(headers.traceparent)?.traceId ?? randomBytes(16).toString('hex');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined || one.trim() === '' ? undefined : one.trim();
}
