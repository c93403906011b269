import { describe, expect, it } from 'vitest';
import type { RoutingPreference } from '../../src/config/types.js';
import { chatCompletionAnswer, parseRouterAnswer } from '../../src/routing/router-answer.js';

const pref = (name: string): RoutingPreference => ({ pointer: '', name, description: name, models: [`m-${name}`] });
const preferences = [pref('code generation'), pref('creative writing'), pref("user's questions")];

const routed = (answer: string) => {
  const result = parseRouterAnswer(answer, preferences);
  return result.kind === 'route' ? result.preference.name : result.kind;
};

describe('parseRouterAnswer', () => {
  it.each([
    ['{"route": ["code generation"]}', 'code generation'],
    ['{"route": ["creative writing", "code generation"]}', 'creative writing'],
    ["{'route': ['code generation']}", 'code generation'],
    ["{'route': ['code generation']}\\n", 'code generation'],
    ['Sure! Here is my answer: {"route": ["creative writing"]} Hope that helps.', 'creative writing'],
    ['```json\n{"route": ["code generation"]}\n```', 'code generation'],
    ['{"route": "creative writing"}', 'creative writing'],
    ['{"route": [" Code Generation "]}', 'code generation'],
    ['{"route": ["user\'s questions"]}', "user's questions"],
    ['Routes [see below]: {"route": ["code generation"]}', 'code generation'],
    ['["creative writing"]', 'creative writing'],
  ])('reads %j as %s', (answer, expected) => {
    expect(routed(answer)).toBe(expected);
  });

  it.each(['{"route": []}', '{"route": null}', '{}', '', '   '])('reads %j as no route', (answer) => {
    expect(parseRouterAnswer(answer, preferences).kind).toBe('none');
  });

  it('reads a null answer (no message content) as no route', () => {
    expect(parseRouterAnswer(null, preferences).kind).toBe('none');
  });

  it('drops unknown route names and keeps the first known one', () => {
    expect(parseRouterAnswer('{"route": ["image generation", "creative writing", "code generation"]}', preferences)).toEqual({
      kind: 'route',
      preference: preferences[1],
      otherRoutes: ['code generation'],
      unknownRoutes: ['image generation'],
    });
  });

  it('says which names were unknown when none is configured', () => {
    expect(parseRouterAnswer('{"route": ["image generation"]}', preferences)).toEqual({
      kind: 'none',
      unknownRoutes: ['image generation'],
      reason: 'the router named no configured route ("image generation" unknown)',
    });
  });

  it.each([
    ['I think this is about code.', /holds no JSON route list: "I think this is about code\."/],
    ['{"route": ["code generation"', /holds no JSON route list/],
    ['{"answer": 42}', /is not a route list/],
    ['{"route": [1, 2]}', /is not a route list/],
  ])('calls %j nonsense, with the reason', (answer, reason) => {
    const result = parseRouterAnswer(answer, preferences);
    expect(result.kind).toBe('nonsense');
    expect(result.kind === 'nonsense' && result.reason).toMatch(reason);
  });
});

describe('chatCompletionAnswer', () => {
  it('is the first choice message content', () => {
    expect(chatCompletionAnswer({ choices: [{ message: { role: 'assistant', content: '{"route": []}' } }] })).toBe('{"route": []}');
  });

  it.each([[{ choices: [] }], [{ choices: [{ message: { content: null } }] }], ['not json'], [null]])('is null for %j', (body) => {
    expect(chatCompletionAnswer(body)).toBeNull();
  });
});
