import { describe, expect, it } from 'vitest';
import { closestMatches, didYouMean, editDistance, editDistanceWithin } from '../../src/config/suggest.js';

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

describe('editDistanceWithin (the banded distance did-you-mean runs on client input)', () => {
  /** The plain full-matrix optimal string alignment distance, to check the band against. */
  function fullDistance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
      }
    }
    return d[a.length]![b.length]!;
  }

  it('agrees with the full distance wherever that is within the limit, and says "over" otherwise', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const word = () => Array.from({ length: Math.floor(random() * 12) }, () => 'abc-'[Math.floor(random() * 4)]).join('');
    for (let n = 0; n < 3000; n++) {
      const [a, b, limit] = [word(), word(), Math.floor(random() * 5)];
      const full = fullDistance(a, b);
      expect(editDistanceWithin(a, b, limit), `${a} ${b} ${limit}`).toBe(full <= limit ? full : limit + 1);
    }
  });

  it('a megabyte against a megabyte with one change: found within the band', () => {
    const long = 'x'.repeat(1_000_000);
    expect(editDistanceWithin(long, `y${long.slice(1)}z`, 4)).toBe(2);
    expect(editDistanceWithin(long, `${long}yyyyy`, 4)).toBe(5);
    expect(closestMatches(long, [`openai/${long}`, 'gpt-4o'])).toEqual([`openai/${long}`]);
  });
});
