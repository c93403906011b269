/**
 * What every client API's Bedrock translation shares: the Converse vocabulary (AWS Bedrock API
 * reference, "Converse" and "ConverseStream") — content blocks, media formats, stop reasons,
 * usage, turn merging and the stream's exceptions.
 *
 * Converse's JSON REST body carries binary fields (`image.source.bytes`, `document.source.bytes`)
 * as base64 strings, so a client's base64 data is passed through without decoding.
 */
import { arrayField, isObject, numberField, objectField, stringField } from './json-fields.js';
import { TranslationError, type JsonObject } from './types.js';

export type ConverseRole = 'user' | 'assistant';

export interface ConverseMessage {
  role: ConverseRole;
  content: JsonObject[];
}

/**
 * Converse wants user and assistant turns to alternate and rejects blank text blocks. Client
 * APIs allow consecutive same-role messages (a chat `tool` message followed by a `user` one
 * both become user turns), so those are joined into one turn; empty turns are left out.
 */
export function mergeTurns(messages: readonly ConverseMessage[]): ConverseMessage[] {
  const merged: ConverseMessage[] = [];
  for (const message of messages) {
    if (message.content.length === 0) continue;
    const last = merged[merged.length - 1];
    // A loop, not push(...content): spreading a list of 100,000 blocks overflows the call stack.
    if (last !== undefined && last.role === message.role) for (const block of message.content) last.content.push(block);
    else merged.push({ role: message.role, content: [...message.content] });
  }
  return merged;
}

/** A text block, or nothing for empty text (Converse rejects a blank `text`). */
export function textBlocks(text: string): JsonObject[] {
  return text.length === 0 ? [] : [{ text }];
}

// ImageBlock.format: png | jpeg | gif | webp.
const IMAGE_FORMATS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

// DocumentBlock.format: pdf | csv | doc | docx | xls | xlsx | html | txt | md.
const DOCUMENT_FORMATS: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
};

/** `{image: {format, source: {bytes}}}` from base64 data and its media type. */
export function imageBlock(mediaType: string, base64: string, where: string): JsonObject {
  const format = IMAGE_FORMATS[mediaType.toLowerCase()];
  if (format === undefined) {
    throw new TranslationError(
      `${where}: Bedrock Converse accepts PNG, JPEG, GIF and WebP images; "${mediaType}" is not one of them.`,
      where,
    );
  }
  return { image: { format, source: { bytes: base64 } } };
}

/**
 * `{document: {format, name, source: {bytes}}}`. Converse requires a name of letters, digits,
 * single spaces, hyphens, parentheses and square brackets, so other characters become hyphens.
 */
export function documentBlock(mediaType: string, base64: string, name: string, where: string): JsonObject {
  const format = DOCUMENT_FORMATS[mediaType.toLowerCase()];
  if (format === undefined) {
    throw new TranslationError(
      `${where}: Bedrock Converse accepts documents of type ${Object.keys(DOCUMENT_FORMATS).join(', ')}; "${mediaType}" is not one of them.`,
      where,
    );
  }
  return { document: { format, name: documentName(name), source: { bytes: base64 } } };
}

function documentName(name: string): string {
  let out = '';
  for (const char of name.replace(/\.[A-Za-z0-9]+$/, '')) {
    const allowed = /[A-Za-z0-9\-()[\]]/.test(char) || (char === ' ' && !out.endsWith(' '));
    out += allowed ? char : '-';
  }
  return out.trim() || 'document';
}

/** `data:<media type>;base64,<data>` → its parts; undefined for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const meta = url.slice('data:'.length, comma);
  if (!meta.endsWith(';base64')) return undefined;
  return { mediaType: meta.slice(0, -';base64'.length), data: url.slice(comma + 1) };
}

/** `{toolSpec: {name, description, inputSchema: {json}}}`; Converse requires an object schema. */
export function toolSpec(name: string, description: string | undefined, schema: unknown): JsonObject {
  const json = isObject(schema) ? schema : { type: 'object', properties: {} };
  return { toolSpec: { name, ...(description ? { description } : {}), inputSchema: { json } } };
}

/** Whether a conversation already holds tool blocks (Converse then requires a `toolConfig`). */
export function usesTools(messages: readonly ConverseMessage[]): boolean {
  return messages.some((message) => message.content.some((block) => 'toolUse' in block || 'toolResult' in block));
}

/**
 * `toolConfig` for the tools and choice. Converse has no "none" choice, so "none" sends no
 * tools at all — unless the conversation holds tool blocks, which Converse refuses without a
 * `toolConfig`; then the tools are sent with the model left to choose.
 */
export function toolConfig(
  tools: readonly JsonObject[],
  choice: JsonObject | 'none' | undefined,
  messages: readonly ConverseMessage[],
): JsonObject | undefined {
  if (tools.length === 0) return undefined;
  if (choice === 'none') return usesTools(messages) ? { tools } : undefined;
  return { tools, ...(choice ? { toolChoice: choice } : {}) };
}

/** `inferenceConfig`, present only when the client set one of its fields. */
export function inferenceConfig(fields: {
  maxTokens: number | undefined;
  temperature: number | undefined;
  topP: number | undefined;
  stopSequences: string[] | undefined;
}): JsonObject | undefined {
  const config: JsonObject = {};
  if (fields.maxTokens !== undefined) config['maxTokens'] = fields.maxTokens;
  if (fields.temperature !== undefined) config['temperature'] = fields.temperature;
  if (fields.topP !== undefined) config['topP'] = fields.topP;
  if (fields.stopSequences !== undefined && fields.stopSequences.length > 0) config['stopSequences'] = fields.stopSequences;
  return Object.keys(config).length > 0 ? config : undefined;
}

/** Bedrock `stopReason` → Anthropic `stop_reason` (stop_sequence is kept, unlike the reference). */
export function anthropicStopReasonOf(stopReason: string | undefined): string {
  switch (stopReason) {
    case 'tool_use':
    case 'max_tokens':
    case 'stop_sequence':
      return stopReason;
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** The stop sequence that ended the turn, where the model reports it (Anthropic models do). */
export function stopSequenceOf(body: JsonObject): string | null {
  return stringField(objectField(body, 'additionalModelResponseFields'), 'stop_sequence') ?? null;
}

export interface ConverseUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number | undefined;
  cacheWriteInputTokens: number | undefined;
}

export const NO_USAGE: ConverseUsage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: undefined, cacheWriteInputTokens: undefined };

/** Converse `usage`; `inputTokens` excludes prompt-cache reads and writes, which come apart. */
export function converseUsage(usage: unknown): ConverseUsage | undefined {
  if (!isObject(usage)) return undefined;
  return {
    inputTokens: numberField(usage, 'inputTokens') ?? 0,
    outputTokens: numberField(usage, 'outputTokens') ?? 0,
    cacheReadInputTokens: numberField(usage, 'cacheReadInputTokens'),
    cacheWriteInputTokens: numberField(usage, 'cacheWriteInputTokens'),
  };
}

/** Anthropic `usage`: like Converse, `input_tokens` leaves out cache reads and writes. */
export function anthropicUsageOf(usage: ConverseUsage): JsonObject {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    ...(usage.cacheReadInputTokens !== undefined ? { cache_read_input_tokens: usage.cacheReadInputTokens } : {}),
    ...(usage.cacheWriteInputTokens !== undefined ? { cache_creation_input_tokens: usage.cacheWriteInputTokens } : {}),
  };
}

/** For the access log: every prompt token, as the other translations count them. */
export function logUsageOf(usage: ConverseUsage | undefined): { input_tokens?: number; output_tokens?: number } | undefined {
  if (usage === undefined) return undefined;
  const input = usage.inputTokens + (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0);
  return { input_tokens: input, output_tokens: usage.outputTokens };
}

/** The content blocks of a Converse response's `output.message`. */
export function outputBlocks(body: JsonObject): JsonObject[] {
  return arrayField(objectField(body, 'output')?.['message'], 'content').filter(isObject);
}
