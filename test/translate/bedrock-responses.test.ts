import { describe, expect, it } from 'vitest';
import type { ClientApi } from '../../src/providers/types.js';
import { normalizeGenerated } from './generated-values.js';
import { BEDROCK_CASES, BEDROCK_CLIENT_MODEL, bedrockContext, bedrockTranslation } from './bedrock-cases.js';

const CLIENTS: ClientApi[] = ['chat_completions', 'messages', 'responses'];

describe('Bedrock Converse JSON response → each client API (fixtures/translate/bedrock/cases)', () => {
  for (const testCase of BEDROCK_CASES) {
    describe(`${testCase.name}: ${testCase.description}`, () => {
      for (const client of CLIENTS) {
        it(`→ ${client}`, () => {
          const translated = normalizeGenerated(bedrockTranslation(client).response(testCase.response, bedrockContext(client, false)));
          // Responses objects echo many request fields; the fixture pins the ones the answer decides.
          if (client === 'responses') expect(translated).toMatchObject(testCase.expected.responses);
          else expect(translated).toEqual(testCase.expected[client]);
        });
      }
    });
  }

  it('gives Responses clients the Responses object envelope, echoing the request', () => {
    const text = BEDROCK_CASES.find((c) => c.name === 'text.json');
    const request = { model: BEDROCK_CLIENT_MODEL, input: 'hi', instructions: 'Be brief.', temperature: 0.2, max_output_tokens: 50 };
    const out = bedrockTranslation('responses').response(text!.response, bedrockContext('responses', false, request));
    expect(out).toMatchObject({
      object: 'response',
      error: null,
      instructions: 'Be brief.',
      temperature: 0.2,
      max_output_tokens: 50,
      // Converse names no model in its answer: the upstream model id that was called.
      model: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      store: false,
      tools: [],
      tool_choice: 'auto',
    });
    expect(String(out['id'])).toMatch(/^resp_[0-9a-f]{32}$/);
  });
});
