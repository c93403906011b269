/**
 * One access-log line per request. The entry holds what happened, never a header or a body, so
 * no secret can reach the log; `formatAccessLog` renders it for people or for machines. (With
 * --inspect it also carries the call's redacted bodies for the live view: never formatted here.)
 */
import type { ClientApi } from '../providers/types.js';
import type { CallInspection } from './call-inspection.js';
import type { TokenUsage } from './usage.js';

export interface AccessLogEntry {
  /** Epoch milliseconds when the request arrived. */
  time: number;
  method: string;
  /** Without the query string (it is not forwarded, and could carry anything). */
  path: string;
  api: ClientApi | null;
  /** The model the client named; null when it named none; undefined when its body was not read or not understood. */
  requested: string | null | undefined;
  /** The configured model that served it, its provider, and the id sent upstream. */
  model: string | null;
  provider: string | null;
  upstreamModel: string | null;
  stream: boolean;
  /** 499 when the client went away before the response was complete (nginx's convention). */
  status: number;
  /** Until the first body byte went to the client; null when none did. */
  ttfbMs: number | null;
  totalMs: number;
  usage: TokenUsage | null;
  /** Why Plano answered with an error of its own, or why the response was cut off. */
  error: string | null;
  /** [routing] `x-plano-route` of a routed request (the preference, or `default`); null when not routed. */
  route: string | null;
  /** [routing] Why the default model served, models tried before the one that served. */
  routingNotes: string[];
  /** What a translation left out of the request (a hosted tool the provider cannot run). */
  notes: string[];
  /** Upstream calls made for it: retries (the listener's `max_retries`) and routing fallbacks included. */
  attempts: number;
  /** Why each retry was made, and how long it waited. */
  retries: string[];
  /** Where the last upstream call went (origin and path, as planned: may hold a credential in its query — redact before showing). */
  upstreamUrl: string | null;
  /** [--inspect] The bodies, redacted, for the live view; never printed in the log. */
  inspection?: CallInspection;
}

/** An entry for a request that has just arrived; the pipeline fills it in as it goes. */
export function newAccessLogEntry(method: string, path: string, api: ClientApi | null): AccessLogEntry {
  return {
    time: Date.now(),
    method,
    path,
    api,
    requested: undefined,
    model: null,
    provider: null,
    upstreamModel: null,
    stream: false,
    status: 0,
    ttfbMs: null,
    totalMs: 0,
    usage: null,
    error: null,
    route: null,
    routingNotes: [],
    notes: [],
    attempts: 0,
    retries: [],
    upstreamUrl: null,
  };
}

export type AccessLogFormat = 'text' | 'json';

export function formatAccessLog(entry: AccessLogEntry, format: AccessLogFormat): string {
  if (format === 'json') {
    return JSON.stringify({
      time: isoTime(entry.time),
      method: entry.method,
      path: entry.path,
      api: entry.api,
      requested_model: entry.requested ?? null,
      model: entry.model,
      provider: entry.provider,
      upstream_model: entry.upstreamModel,
      stream: entry.stream,
      status: entry.status,
      ttfb_ms: entry.ttfbMs === null ? null : round(entry.ttfbMs),
      total_ms: round(entry.totalMs),
      input_tokens: entry.usage?.input_tokens ?? null,
      output_tokens: entry.usage?.output_tokens ?? null,
      error: entry.error,
      attempts: entry.attempts,
      ...(entry.retries.length > 0 ? { retries: entry.retries } : {}),
      ...(entry.route !== null ? { route: entry.route, routing_notes: entry.routingNotes } : {}),
      ...(entry.notes.length > 0 ? { notes: entry.notes } : {}),
    });
  }
  // The path, the requested model (and the model a wildcard made of it) and error texts can
  // carry what the client sent: a line break in them would forge a log line, an escape would
  // reach the terminal. They appear bare only when they are plain printable ASCII.
  const parts = [isoTime(entry.time), entry.method, bareOrQuoted(entry.path)];
  if (entry.api !== null) {
    const requested = entry.requested === undefined ? undefined : entry.requested === null ? '(default)' : bareOrQuoted(entry.requested);
    if (entry.model !== null) parts.push(`${requested ?? '(default)'} → ${bareOrQuoted(entry.model)} [${entry.provider}]`);
    else if (requested !== undefined) parts.push(requested);
    if (entry.route !== null) parts.push(`route=${quoted(entry.route)}`);
    if (entry.stream) parts.push('stream');
  }
  parts.push(String(entry.status));
  if (entry.ttfbMs !== null) parts.push(`ttfb=${round(entry.ttfbMs)}ms`);
  parts.push(`total=${round(entry.totalMs)}ms`);
  if (entry.usage) parts.push(`tokens=${entry.usage.input_tokens ?? '?'}/${entry.usage.output_tokens ?? '?'}`);
  if (entry.attempts > 1) parts.push(`attempts=${entry.attempts}`);
  if (entry.error !== null) parts.push(`error=${quoted(entry.error)}`);
  for (const note of entry.retries) parts.push(`retry=${quoted(note)}`);
  for (const note of entry.routingNotes) parts.push(`routing=${quoted(note)}`);
  for (const note of entry.notes) parts.push(`note=${quoted(note)}`);
  return parts.join(' ');
}

// Lines of one second share their date and time up to the seconds: formatted once, not once a
// line (Date#toISOString was a sizeable part of a line's cost).
let cachedSecond = Number.NaN;
let cachedSecondPrefix = '';

/** `time` (epoch ms) as Date#toISOString would write it. */
export function isoTime(time: number): string {
  const second = Math.floor(time / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedSecondPrefix = new Date(second * 1000).toISOString().slice(0, -4); // up to and with the '.'
  }
  const millis = time - second * 1000;
  return `${cachedSecondPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/** Printable ASCII without spaces or quotes as is; anything else quoted. */
function bareOrQuoted(text: string): string {
  return /^[!#-~]+$/.test(text) && !text.startsWith('(') ? text : quoted(text);
}

/**
 * A JSON string literal, with the characters JSON leaves raw but terminals act on also escaped:
 * DEL and the C1 controls (U+009B is a one-byte CSI), and the line separators and bidirectional
 * overrides that make a line display as something else.
 */
function quoted(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Milliseconds to a tenth, as the log (and the live view) shows them. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
