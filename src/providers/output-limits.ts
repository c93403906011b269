/**
 * The most tokens a model can write in one answer, for the models where the provider documents
 * it and a client is likely to ask for more: Claude Code asks every model for 32,000, and
 * gpt-4o refuses a `max_tokens` above 16,384 with a 400. Translations clamp a request to these
 * (and say so in the access log); a model not listed here gets what the client asked for.
 *
 * From the providers' model pages (OpenAI: "max output tokens"; DeepSeek: "max output"). Dated
 * snapshots are listed when their limit is known to match: gpt-4o's first snapshot (2024-05-13)
 * writes at most 4,096.
 */
const OUTPUT_TOKEN_LIMITS: Readonly<Record<string, number>> = {
  'gpt-4o': 16_384,
  'gpt-4o-2024-05-13': 4_096,
  'gpt-4o-2024-08-06': 16_384,
  'gpt-4o-2024-11-20': 16_384,
  'gpt-4o-mini': 16_384,
  'gpt-4o-mini-2024-07-18': 16_384,
  'gpt-4.1': 32_768,
  'gpt-4.1-2025-04-14': 32_768,
  'gpt-4.1-mini': 32_768,
  'gpt-4.1-mini-2025-04-14': 32_768,
  'gpt-4.1-nano': 32_768,
  'gpt-4.1-nano-2025-04-14': 32_768,
  'gpt-4-turbo': 4_096,
  'gpt-3.5-turbo': 4_096,
  'deepseek-chat': 8_192,
};

/** The output limit of an upstream model id, when it is known. */
export function outputTokenLimit(model: string): number | undefined {
  return Object.hasOwn(OUTPUT_TOKEN_LIMITS, model) ? OUTPUT_TOKEN_LIMITS[model] : undefined;
}
