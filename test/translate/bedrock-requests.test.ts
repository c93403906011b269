import { describe, expect, it } from 'vitest';
import type { ClientApi } from '../../src/providers/types.js';
import type { JsonObject, TranslateContext } from '../../src/translate/types.js';
import { bedrockContext, bedrockTranslation } from './bedrock-cases.js';
import { requestCases, translationErrorOf } from './harness.js';

const CLIENT_OF_PREFIX: Record<string, ClientApi> = { chat: 'chat_completions', messages: 'messages', responses: 'responses' };

describe('client request → Converse request (fixtures/translate/bedrock/requests)', () => {
  for (const [name, testCase] of requestCases('bedrock/requests')) {
    const client = CLIENT_OF_PREFIX[name.slice(0, name.indexOf('-'))]!;
    it(`${name} (${client}): ${testCase.description}`, () => {
      const out = bedrockTranslation(client).request(testCase.client, testCase.context);
      expect(out).toEqual(testCase.upstream);
      // The model and the streaming choice travel in the URL path, never in the body.
      expect(out).not.toHaveProperty('model');
      expect(out).not.toHaveProperty('stream');
    });
  }
});

function errorFor(client: ClientApi, body: JsonObject, ctx: TranslateContext = bedrockContext(client, false)) {
  const error = translationErrorOf(() => bedrockTranslation(client).request(body, ctx));
  expect(error?.name).toBe('TranslationError');
  return error!;
}

describe('chat → Converse: what Converse cannot carry is refused where it is', () => {
  const user = (content: unknown) => ({ model: 'm', messages: [{ role: 'user', content }] });

  it('an image given by URL (Converse takes bytes)', () => {
    const error = errorFor('chat_completions', user([{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }]));
    expect(error.param).toBe('messages[0].content[0].image_url.url');
    expect(error.message).toContain('send the image as a data URL');
  });

  it('an image format Converse does not know', () => {
    const error = errorFor('chat_completions', user([{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }]));
    expect(error.message).toContain('"image/bmp" is not one of them');
  });

  it('tool-call arguments that are not a JSON object', () => {
    const body = {
      model: 'm',
      messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":' } }] }],
    };
    expect(errorFor('chat_completions', body).param).toBe('messages[0].tool_calls[0].function.arguments');
  });

  it('n > 1, JSON response formats, unknown roles and non-function tools', () => {
    expect(errorFor('chat_completions', { ...user('hi'), n: 2 }).param).toBe('n');
    expect(errorFor('chat_completions', { ...user('hi'), response_format: { type: 'json_object' } }).param).toBe('response_format');
    expect(errorFor('chat_completions', { model: 'm', messages: [{ role: 'function', name: 'f', content: 'x' }] }).param).toBe('messages[0].role');
    expect(errorFor('chat_completions', { ...user('hi'), tools: [{ type: 'custom', custom: { name: 'x' } }] }).param).toBe('tools[0]');
  });

  it('tool_choice none sends no tools, unless the history holds tool blocks (Converse then needs toolConfig)', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    const plain = bedrockTranslation('chat_completions').request({ ...user('hi'), tools, tool_choice: 'none' }, bedrockContext('chat_completions', false));
    expect(plain).not.toHaveProperty('toolConfig');
    const history = {
      model: 'm',
      tools,
      tool_choice: 'none',
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '' },
      ],
    };
    const out = bedrockTranslation('chat_completions').request(history, bedrockContext('chat_completions', false));
    expect(out['toolConfig']).toEqual({ tools: [{ toolSpec: { name: 'f', inputSchema: { json: { type: 'object', properties: {} } } } }] });
    // Empty arguments are an empty input; an empty tool result is one space (Converse rejects blank text).
    expect(out['messages']).toEqual([
      { role: 'user', content: [{ text: 'go' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'c1', name: 'f', input: {} } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'c1', content: [{ text: ' ' }], status: 'success' } }] },
    ]);
  });

  it('required → any, auto → auto, and stop lists', () => {
    const tools = [{ type: 'function', function: { name: 'f' } }];
    const out = bedrockTranslation('chat_completions').request({ ...user('hi'), tools, tool_choice: 'required', stop: ['a', 'b'] }, bedrockContext('chat_completions', false));
    expect(out['toolConfig']).toEqual({ tools: [{ toolSpec: { name: 'f', inputSchema: { json: { type: 'object', properties: {} } } } }], toolChoice: { any: {} } });
    expect(out['inferenceConfig']).toEqual({ stopSequences: ['a', 'b'] });
  });
});

describe('messages → Converse: what Converse cannot carry is refused where it is', () => {
  const ask = (content: unknown) => ({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content }] });

  it('an image by URL', () => {
    const error = errorFor('messages', ask([{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }]));
    expect(error.param).toBe('messages[0].content[0].source');
    expect(error.message).toContain('instead of a "url" source');
  });

  it('Anthropic server tools', () => {
    const error = errorFor('messages', { ...ask('hi'), tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] });
    expect(error.param).toBe('tools[0]');
    expect(error.message).toContain('server tools such as "web_search_20250305" run only at Anthropic');
  });

  it('a system message inside messages joins the Converse system prompt, after the top-level one', () => {
    const out = bedrockTranslation('messages').request(
      { model: 'm', max_tokens: 1, system: 'top', messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: [{ type: 'text', text: 'inner', cache_control: { type: 'ephemeral' } }] }, { role: 'system', content: 'last' }] },
      bedrockContext('messages', false),
    );
    expect(out['system']).toEqual([{ text: 'top' }, { text: 'inner' }, { cachePoint: { type: 'default' } }, { text: 'last' }]);
    expect(out['messages']).toEqual([{ role: 'user', content: [{ text: 'hi' }] }]);
  });

  it('a role Anthropic does not have, and unknown block types', () => {
    expect(errorFor('messages', { model: 'm', max_tokens: 1, messages: [{ role: 'tool', content: 'x' }] }).param).toBe('messages[0].role');
    expect(errorFor('messages', ask([{ type: 'container_upload', file_id: 'f' }])).param).toBe('messages[0].content[0]');
  });

  it('plain-text documents are sent as txt bytes; redacted thinking as redactedContent', () => {
    const out = bedrockTranslation('messages').request(
      {
        model: 'm',
        max_tokens: 10,
        messages: [
          { role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'héllo' } }] },
          { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }, { type: 'text', text: '' }] },
        ],
      },
      bedrockContext('messages', false),
    );
    expect(out['messages']).toEqual([
      { role: 'user', content: [{ document: { format: 'txt', name: 'document', source: { bytes: Buffer.from('héllo').toString('base64') } } }] },
      { role: 'assistant', content: [{ reasoningContent: { redactedContent: 'EmwKAhgBEgy3va3pzix' } }] },
    ]);
  });

  it('thinking disabled (the default) is not sent on; enabled thinking is', () => {
    const request = (thinking: JsonObject) => bedrockTranslation('messages').request({ ...ask('hi'), thinking }, bedrockContext('messages', false));
    expect(request({ type: 'disabled' })).not.toHaveProperty('additionalModelRequestFields');
    expect(request({ type: 'enabled', budget_tokens: 1024 })['additionalModelRequestFields']).toEqual({ thinking: { type: 'enabled', budget_tokens: 1024 } });
  });

  it('tool_choice any / tool / none', () => {
    const tools = [{ name: 't', input_schema: { type: 'object', properties: {} } }];
    const choice = (tool_choice: JsonObject) => bedrockTranslation('messages').request({ ...ask('hi'), tools, tool_choice }, bedrockContext('messages', false))['toolConfig'];
    expect(choice({ type: 'any' })).toMatchObject({ toolChoice: { any: {} } });
    expect(choice({ type: 'tool', name: 't' })).toMatchObject({ toolChoice: { tool: { name: 't' } } });
    expect(choice({ type: 'none' })).toBeUndefined();
  });
});

describe('responses → Converse: Responses-only features are refused before Bedrock sees them', () => {
  it('previous_response_id', () => {
    const error = errorFor('responses', { model: 'm', input: 'more', previous_response_id: 'resp_1' });
    expect(error.param).toBe('previous_response_id');
  });

  it('an image link (Converse takes bytes), reported at its chat position', () => {
    const error = errorFor('responses', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] }] });
    expect(error.message).toContain('data URL');
  });
});
