import { describe, expect, it } from 'vitest';
import type { RoutingPreference } from '../../src/config/types.js';
import {
  conversationFromRequest,
  MAX_ROUTING_TURNS,
  routeLines,
  routerPrompt,
  routerRequestBody,
  selectConversation,
  trimMiddleUtf8,
  type RouterMessage,
} from '../../src/routing/router-prompt.js';
import { fixtureJson, fixtureText, routingConfig } from './fixture-config.js';

const preferences = routingConfig().routingPreferences;

describe('the router request', () => {
  it.each([
    ['chat_completions', 'conversation.chat.json'],
    ['messages', 'conversation.messages.json'],
    ['responses', 'conversation.responses.json'],
  ] as const)('from a %s conversation is the fixture prompt', (api, file) => {
    const body = routerRequestBody({
      model: 'Arch-Router-1.5B',
      preferences,
      conversation: conversationFromRequest(api, fixtureJson(file)),
    });
    expect(body.model).toBe('Arch-Router-1.5B');
    expect(body.temperature).toBe(0.01);
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0].role).toBe('user');
    expect(body.messages[0].content).toBe(fixtureText('router-prompt.txt'));
  });

  it('lists routes with Python-style spacing, one a line, in declared order', () => {
    const prefs: RoutingPreference[] = [
      { pointer: '/routing_preferences/0', name: 'b "quoted"', description: 'second: a, b', models: [] },
      { pointer: '/routing_preferences/1', name: 'a', models: [] },
    ];
    expect(routeLines(prefs)).toBe(
      '{"name": "b \\"quoted\\"", "description": "second: a, b", "parameters": {"type": "object", "properties": {}, "required": []}}\n' +
        '{"name": "a", "description": "", "parameters": {"type": "object", "properties": {}, "required": []}}',
    );
  });

  it('keeps `$` sequences in descriptions and messages as written', () => {
    const prefs: RoutingPreference[] = [{ pointer: '', name: 'money', description: "costs $& and $'", models: [] }];
    const prompt = routerPrompt(prefs, [{ role: 'user', content: 'pay $1 $$' }]);
    expect(prompt).toContain('"description": "costs $& and $\'"');
    expect(prompt).toContain('"content": "pay $1 $$"');
  });
});

// Vectors from the reference's own tests (orchestrator_model_v1.rs): one preference
// "Image generation", this conversation, and a token budget of 235 or 230.
const imagePreference: RoutingPreference[] = [
  { pointer: '', name: 'Image generation', description: 'generating image', models: ['gpt-4o'] },
];
const turns = (...pairs: [string, string][]): RouterMessage[] => pairs.map(([role, content]) => ({ role, content }));

describe('conversation selection', () => {
  it('keeps only the newest user turn when the assistant turn before it overflows (budget 235)', () => {
    const conversation = turns(
      ['user', 'hi'],
      ['assistant', 'Hello! How can I assist you today?'],
      ['user', 'given the image In style of Andy Warhol, portrait of Bart and Lisa Simpson'],
    );
    expect(selectConversation(conversation, 235)).toEqual(
      turns(['user', 'given the image In style of Andy Warhol, portrait of Bart and Lisa Simpson']),
    );
  });

  it('middle-trims the user turn that overflows (budget 230)', () => {
    const conversation = turns(
      ['user', 'hi'],
      ['assistant', 'Hello! How can I assist you today?'],
      ['user', 'given the image In style of Andy Warhol'],
      ['assistant', 'ok here is the image'],
      ['user', 'pls give me another image about Bart and Lisa'],
    );
    expect(selectConversation(conversation, 230)).toEqual(
      turns(['user', 'given…rhol'], ['assistant', 'ok here is the image'], ['user', 'pls give me another image about Bart and Lisa']),
    );
  });

  it('uses the last turn whole when nothing fits', () => {
    const long = 'x'.repeat(400);
    expect(selectConversation(turns(['user', 'earlier'], ['assistant', long]), 10)).toEqual(turns(['assistant', long]));
  });

  it('drops system, developer and tool turns and turns without text', () => {
    const conversation = turns(
      ['system', 'be brief'],
      ['developer', 'rules'],
      ['user', 'a'],
      ['assistant', ''],
      ['tool', '{"ok": true}'],
      ['user', 'b'],
    );
    expect(selectConversation(conversation, 8192)).toEqual(turns(['user', 'a'], ['user', 'b']));
  });

  it(`keeps at most the last ${MAX_ROUTING_TURNS} turns`, () => {
    const conversation = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn-${i}` }));
    const selected = selectConversation(conversation, 1_000_000);
    expect(selected.map((m) => m.content)).toEqual(conversation.slice(-MAX_ROUTING_TURNS).map((m) => m.content));
  });

  it('bounds a huge user message by the budget, keeping its head and tail', () => {
    const huge = `HEAD ${'A'.repeat(500_000)} TAIL`;
    const [only] = selectConversation(turns(['user', huge]), 2048);
    expect(Buffer.byteLength(only!.content)).toBeLessThanOrEqual(2048 * 4);
    expect(only!.content.startsWith('HEAD ')).toBe(true);
    expect(only!.content.endsWith(' TAIL')).toBe(true);
    expect(only!.content).toContain('…');
  });
});

describe('trimMiddleUtf8', () => {
  it('leaves text that fits alone', () => {
    expect(trimMiddleUtf8('hello', 5)).toBe('hello');
  });

  it('keeps 60% head and 40% tail around the marker', () => {
    // 20 bytes available after the 3-byte marker: 12 from the start, 8 from the end.
    expect(trimMiddleUtf8('abcdefghijklmnopqrstuvwxyz0123456789', 23)).toBe('abcdefghijkl…23456789');
  });

  it('keeps only the head when the marker does not fit', () => {
    expect(trimMiddleUtf8('abcdefgh', 2)).toBe('ab');
  });

  it('cuts on UTF-8 character boundaries', () => {
    const out = trimMiddleUtf8('é'.repeat(50), 25);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(25);
    expect([...out].every((c) => c === 'é' || c === '…')).toBe(true);
    expect(out).toContain('…');
  });
});

describe('conversationFromRequest', () => {
  it('reads a Responses string input as one user turn', () => {
    expect(conversationFromRequest('responses', { input: 'write a haiku' })).toEqual(turns(['user', 'write a haiku']));
  });

  it('reads an Anthropic user turn of tool results as a turn without text', () => {
    const body = fixtureJson('conversation.messages.json');
    expect(conversationFromRequest('messages', body)[2]).toEqual({ role: 'user', content: '' });
  });

  it('joins the text parts of a turn with a newline', () => {
    const body = { messages: [{ role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] }] };
    expect(conversationFromRequest('chat_completions', body)).toEqual(turns(['user', 'one\ntwo']));
  });
});
