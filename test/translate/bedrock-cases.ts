/** The Bedrock case fixtures (fixtures/translate/bedrock/cases) and how the tests reach the Bedrock translations. */
import type { ClientApi } from '../../src/providers/types.js';
import { findTranslation } from '../../src/translate/index.js';
import type { JsonObject, TranslateContext, Translation } from '../../src/translate/types.js';
import { fixtureJson, fixtureNames } from './harness.js';

export interface BedrockCase {
  description: string;
  response: JsonObject;
  stream: Record<string, JsonObject>[];
  expected: Record<ClientApi, JsonObject>;
}

export const BEDROCK_CLIENT_MODEL = 'claude-on-bedrock';

export function bedrockTranslation(client: ClientApi): Translation {
  const translation = findTranslation(client, 'bedrock_converse');
  if (translation === undefined) throw new Error(`no ${client} → bedrock_converse translation registered`);
  return translation;
}

export function bedrockContext(client: ClientApi, stream: boolean, clientRequest?: JsonObject): TranslateContext {
  return { upstreamModel: 'anthropic.claude-3-5-sonnet-20240620-v1:0', clientModel: BEDROCK_CLIENT_MODEL, stream, clientRequest };
}

export const BEDROCK_CASES = fixtureNames('bedrock/cases', '.json').map((name) => ({ name, ...fixtureJson<BedrockCase>(`bedrock/cases/${name}`) }));
