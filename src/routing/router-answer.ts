/**
 * Reading the router model's answer. The models are asked for `{"route": ["name", …]}` but small
 * ones wrap it in prose or code fences, use single quotes, answer a bare string, or invent route
 * names; the reference replaces every `'` with `"` and fails the request when that does not
 * parse. Here the answer is read leniently, and what cannot be read is reported with a reason
 * (the caller falls back to the default model) rather than failing anything.
 */
import type { RoutingPreference } from '../config/types.js';
import { isObject } from '../translate/json-fields.js';

export type RouterAnswer =
  /** The first route the router named that is a configured preference. */
  | { kind: 'route'; preference: RoutingPreference; otherRoutes: string[]; unknownRoutes: string[] }
  /** The router named no configured route (an empty list, null, or only unknown names). */
  | { kind: 'none'; unknownRoutes: string[]; reason: string }
  /** The answer could not be read as a route list. */
  | { kind: 'nonsense'; reason: string };

/** How much of a bad answer to quote in a reason. */
const QUOTE_LIMIT = 120;

export function parseRouterAnswer(answer: string | null, preferences: readonly RoutingPreference[]): RouterAnswer {
  const text = (answer ?? '').trim();
  if (text === '') return { kind: 'none', unknownRoutes: [], reason: 'the router gave an empty answer' };

  const read = readRouteNames(text);
  if (read.kind !== 'names') {
    const what = read.kind === 'no-json' ? 'holds no JSON route list' : 'is not a route list';
    return { kind: 'nonsense', reason: `the router's answer ${what}: ${quote(text)}` };
  }
  const names = read.names;

  const matched: RoutingPreference[] = [];
  const unknownRoutes: string[] = [];
  for (const name of names) {
    const preference = findPreference(name, preferences);
    if (!preference) unknownRoutes.push(name);
    else if (!matched.includes(preference)) matched.push(preference);
  }
  const [first, ...others] = matched;
  if (!first) {
    const reason =
      unknownRoutes.length > 0
        ? `the router named no configured route (${unknownRoutes.map((n) => JSON.stringify(n)).join(', ')} unknown)`
        : 'the router matched no route';
    return { kind: 'none', unknownRoutes, reason };
  }
  return { kind: 'route', preference: first, otherRoutes: others.map((p) => p.name), unknownRoutes };
}

/**
 * The answer text of a Chat Completions response body (`choices[0].message.content`); null
 * when there is none (no choices, or a null content — the reference reads both as "no route").
 */
export function chatCompletionAnswer(body: unknown): string | null {
  if (!isObject(body) || !Array.isArray(body.choices)) return null;
  const choice = body.choices[0];
  if (!isObject(choice) || !isObject(choice.message)) return null;
  const content = choice.message.content;
  return typeof content === 'string' ? content : null;
}

/**
 * The route names a parsed answer carries: `{"route": [...]}`, `{"route": "name"}`,
 * `{"route": null}` or `{}` (none), or a bare list of names. Undefined for any other shape.
 */
function routeNames(value: unknown): string[] | undefined {
  let route: unknown = value;
  if (isObject(value)) {
    if (Object.keys(value).length === 0) return [];
    if (!('route' in value) && !('routes' in value)) return undefined;
    route = value.route ?? value.routes ?? null;
  }
  if (route === null) return [];
  if (typeof route === 'string') return route.trim() === '' ? [] : [route];
  if (Array.isArray(route) && route.every((r) => typeof r === 'string')) {
    return (route as string[]).filter((r) => r.trim() !== '');
  }
  return undefined;
}

/** Exact name first; then ignoring surrounding space and case, which small models get wrong. */
function findPreference(name: string, preferences: readonly RoutingPreference[]): RoutingPreference | undefined {
  const exact = preferences.find((p) => p.name === name);
  if (exact) return exact;
  const loose = name.trim().toLowerCase();
  return preferences.find((p) => p.name.trim().toLowerCase() === loose);
}

type ReadNames = { kind: 'names'; names: string[] } | { kind: 'no-json' } | { kind: 'not-a-route-list' };

/**
 * The route names of the first `{…}` or `[…]` in the text that parses as JSON (as written, or
 * with single-quoted strings read as double-quoted ones) and has the shape of a route list.
 * Prose and code fences around it are ignored.
 */
function readRouteNames(text: string): ReadNames {
  let parsedAny = false;
  for (let start = 0; start < text.length; start++) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    const end = matchingClose(text, start);
    if (end === -1) continue;
    const value = parseLeniently(text.slice(start, end + 1));
    if (value === undefined) continue;
    parsedAny = true;
    const names = routeNames(value);
    if (names) return { kind: 'names', names };
  }
  return parsedAny ? { kind: 'not-a-route-list' } : { kind: 'no-json' };
}

function parseLeniently(candidate: string): unknown {
  for (const attempt of [candidate, doubleQuoted(candidate)]) {
    try {
      return JSON.parse(attempt) as unknown;
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

/** Index of the bracket closing the one at `start`, skipping brackets inside '…' or "…" strings; -1 if none. */
function matchingClose(text: string, start: number): number {
  const stack: string[] = [];
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') stack.push(c === '{' ? '}' : ']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/**
 * Rewrites single-quoted strings as JSON strings (`{'route': ['a']}` → `{"route": ["a"]}`),
 * keeping apostrophes inside double-quoted strings, and drops the literal two-character `\n`
 * some models emit between tokens (what the reference's `fix_json_response` also removes).
 */
function doubleQuoted(candidate: string): string {
  let out = '';
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate[i]!;
    if (c === '"' || c === "'") {
      const end = stringEnd(candidate, i);
      const body = candidate.slice(i + 1, end);
      out += c === '"' ? `"${body}"` : JSON.stringify(body.replace(/\\'/g, "'"));
      i = end;
    } else if (c === '\\' && candidate[i + 1] === 'n') {
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

/** Index of the quote closing the string that opens at `start` (or the text's end). */
function stringEnd(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return text.length;
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return JSON.stringify(oneLine.length > QUOTE_LIMIT ? `${oneLine.slice(0, QUOTE_LIMIT)}…` : oneLine);
}
