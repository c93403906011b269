import { describe, expect, it } from 'vitest';
import { closestMatches, didYouMean, editDistance } from '../../src/config/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps', () => {
    expect(editDistance('access_key', 'access_key')).toBe(0);
    expect(editDistance('acess_key', 'access_key')).toBe(1);
    expect(editDistance('opnai', 'openai')).toBe(1);
    expect(editDistance('oepnai', 'openai')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('closestMatches / didYouMean', () => {
  it('suggests the misspelled key', () => {
    expect(didYouMean('pasthrough_auth', ['passthrough_auth', 'http_host', 'headers'])).toBe('did you mean "passthrough_auth"?');
  });
  it('ranks the full name of a short name first', () => {
    expect(closestMatches('gpt-4o', ['gpt-4.1', 'openai/gpt-4o-mini', 'openai/gpt-4o'])[0]).toBe('openai/gpt-4o');
  });
  it('says nothing when nothing is close', () => {
    expect(didYouMean('xyz', ['openai', 'anthropic'])).toBeUndefined();
  });
});
