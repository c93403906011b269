/**
 * Translations mint ids (`msg_<32 hex>`, `resp_…`) and timestamps where the upstream gave none;
 * tests compare translated bodies after replacing those with stable stand-ins (`msg_*`, 0).
 */
const GENERATED_ID = /^(chatcmpl-|msg_|resp_|fc_|ctc_|rs_|toolu_|call_)[0-9a-f]{32}$/;
const TIMESTAMP_KEYS = new Set(['created', 'created_at']);

export function normalizeGenerated(value: unknown): unknown {
  if (typeof value === 'string') {
    const match = GENERATED_ID.exec(value);
    return match ? `${match[1]}*` : value;
  }
  if (Array.isArray(value)) return value.map(normalizeGenerated);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, TIMESTAMP_KEYS.has(key) && typeof item === 'number' ? 0 : normalizeGenerated(item)]),
    );
  }
  return value;
}

/** The same replacement over a whole SSE text, for comparing many runs quickly. */
export function normalizeGeneratedText(text: string): string {
  return text.replace(/(chatcmpl-|msg_|resp_|fc_|ctc_|rs_|toolu_|call_)[0-9a-f]{32}/g, '$1*').replace(/"(created|created_at)":\d+/g, '"$1":0');
}
