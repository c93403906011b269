/**
 * What counts as a secret (DESIGN.md "Run-time parity"): a value that authenticates. Decided by
 * what a value is and where it sits, not by one exact key name — a key under a misspelled
 * `acess_key` is still a key, and so is `sk-…` wherever it was pasted. Every output that shows
 * a piece of the config (validate's source frames, expand, up's banner) asks here.
 */
import { remember } from './remember.js';
import { editDistance } from './suggest.js';

/** Key names whose values authenticate; a name within two edits of one of these counts too. */
const CREDENTIAL_KEYS = ['access_key', 'api_key', 'apikey', 'secret', 'secret_key', 'token', 'password', 'passwd', 'authorization', 'connection_string', 'credentials'];

/** Parts of a key name that say its value authenticates (`x-api-key`, `client_secret`, `auth_token`). */
const CREDENTIAL_KEY_PART = /(^|[_-])(key|secret|token|password|passwd|pwd|auth|authorization|credentials?|bearer)([_-]|$)|apikey|accesskey/i;

/** Keys whose values are lists of names or switches, never secrets, despite their words. */
const NOT_CREDENTIAL_KEYS = new Set(['passthrough_auth', 'max_tokens', 'max_completion_tokens', 'model_aliases', 'prompt_cache_key']);

export function isCredentialKeyName(key: string): boolean {
  const name = key.toLowerCase();
  if (NOT_CREDENTIAL_KEYS.has(name)) return false;
  if (CREDENTIAL_KEY_PART.test(name)) return true;
  return CREDENTIAL_KEYS.some((known) => Math.abs(known.length - name.length) <= 2 && editDistance(known, name) <= 2);
}

/** Vendor key formats: OpenAI/Anthropic/DeepSeek `sk-`, Groq `gsk_`, xAI `xai-`, Google `AIza`, AWS `AKIA`/`ASIA`, GitHub, Hugging Face, Slack. */
const VENDOR_KEY = /^(sk-|sk_|gsk_|xai-|AIza|AKIA|ASIA|ghp_|gho_|github_pat_|hf_|xox[abp]-|pk-|rk-)[A-Za-z0-9_\-]{8,}/;

/**
 * A literal that looks like a credential wherever it is: a vendor key format, or a long random
 * token — mixed-case letters and digits, no `/` or `.`, and at most two `-`/`_` (a model id such
 * as `Qwen2-VL-72B-Instruct-GPTQ-Int4` is words joined by many of them).
 */
export function looksLikeCredential(value: string): boolean {
  if (VENDOR_KEY.test(value)) return true;
  return (
    value.length >= 32 &&
    /^[A-Za-z0-9_\-+=]+$/.test(value) &&
    /[a-z]/.test(value) &&
    /[A-Z]/.test(value) &&
    /[0-9]/.test(value) &&
    (value.match(/[-_]/g)?.length ?? 0) <= 2
  );
}

/** Query parameters that carry a credential (Gemini's `key`, Azure SAS `sig`, `api_key`, `token` …). */
const CREDENTIAL_PARAMS = new Set(['key', 'api_key', 'apikey', 'api-key', 'token', 'access_token', 'auth', 'secret', 'password', 'sig', 'signature', 'code', 'x-api-key']);

export const REDACTED = '***';

/**
 * The character ranges of `url` that authenticate: the userinfo (`user:pass@`) and the values of
 * credential-like query parameters. Text that is not an absolute URL has none.
 */
export function credentialRangesInUrl(url: string): Array<[start: number, end: number]> {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) return [];
  const ranges: Array<[number, number]> = [];
  const authorityStart = scheme[0].length;
  const authorityEnd = indexOfAny(url, '/?#', authorityStart);
  const at = url.lastIndexOf('@', authorityEnd - 1);
  if (at >= authorityStart) ranges.push([authorityStart, at]);
  const query = url.indexOf('?', authorityEnd);
  if (query !== -1) {
    const end = indexOfAny(url, '#', query);
    let start = query + 1;
    while (start < end) {
      const next = indexOfAny(url, '&', start);
      const stop = Math.min(next, end);
      const eq = url.indexOf('=', start);
      if (eq !== -1 && eq < stop && CREDENTIAL_PARAMS.has(safeDecode(url.slice(start, eq)).toLowerCase()) && stop > eq + 1) {
        ranges.push([eq + 1, stop]);
      }
      start = stop + 1;
    }
  }
  return ranges;
}

/** `url` with its credentials as `***`: `https://***@host/v1?api_key=***`. */
export function redactUrl(url: string): string {
  const ranges = credentialRangesInUrl(url);
  if (ranges.length === 0) return url;
  let out = '';
  let from = 0;
  for (const [start, end] of ranges) {
    out += url.slice(from, start) + REDACTED;
    from = end;
  }
  return out + url.slice(from);
}

// URLs that recur (an upstream's, once per request) are redacted once: bounded, as clients choose
// the wildcard models, and so some of the paths, that reach it.
const redactedUrls = new Map<string, string>();

/** `redactUrl`, remembered for the URLs seen before (the request path shows each call's upstream URL). */
export function redactUrlCached(url: string): string {
  return redactedUrls.get(url) ?? remember(redactedUrls, url, redactUrl(url), 1024);
}

/** Whether `url` carries a username or password before its host. */
export function hasUserinfo(url: string): boolean {
  const ranges = credentialRangesInUrl(url);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  return scheme !== null && ranges.length > 0 && ranges[0]![0] === scheme[0].length;
}

function indexOfAny(text: string, chars: string, from: number): number {
  for (let i = from; i < text.length; i++) if (chars.includes(text[i]!)) return i;
  return text.length;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
