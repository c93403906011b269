/**
 * Whether an upstream's 2xx JSON answer has the shape its API promises, before it is translated:
 * a translation reads the fields it knows and would turn an answer without them into an empty
 * but well-formed one (a 200 with no content and zero usage). Only what every translation needs
 * is checked; unknown and optional fields are left alone.
 */
import type { UpstreamApi } from '../providers/types.js';
import type { JsonObject } from './types.js';

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What each upstream API's answer must hold, as a sentence for the error when it does not. */
const SHAPES: Readonly<Record<UpstreamApi, (body: JsonObject) => string | undefined>> = {
  openai_chat(body) {
    const choices = body['choices'];
    if (!Array.isArray(choices) || choices.length === 0) return 'a chat completion without `choices`';
    if (!isObject(choices[0]) || !isObject(choices[0]['message'])) return 'a chat completion whose first choice has no `message`';
    return undefined;
  },
  anthropic_messages(body) {
    if (!Array.isArray(body['content'])) return 'a message without a `content` list';
    return undefined;
  },
  openai_responses(body) {
    if (!Array.isArray(body['output'])) return 'a response without an `output` list';
    return undefined;
  },
  bedrock_converse(body) {
    const output = body['output'];
    if (!isObject(output) || !isObject(output['message'])) return 'a Converse answer without `output.message`';
    return undefined;
  },
  openai_embeddings(body) {
    if (!Array.isArray(body['data'])) return 'an embeddings answer without a `data` list';
    return undefined;
  },
};

/** Undefined when `body` is a usable answer of `api`; else what it is instead. */
export function upstreamShapeProblem(api: UpstreamApi, body: JsonObject): string | undefined {
  return SHAPES[api](body);
}
