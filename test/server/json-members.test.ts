/** The JSON text scanner's depth measure (json-members.ts), used to tell a too-deep body from a bug in plano. */
import { describe, expect, it } from 'vitest';
import { nestingDepth } from '../../src/server/json-members.js';

describe('nestingDepth', () => {
  it.each([
    ['1', 0],
    ['"[[[{"', 0],
    ['{}', 1],
    ['{"a":[1,{"b":[]}],"c":{}}', 4],
    ['{"a":"]]]}}}","b":[["\\"[["]]}', 3],
    ['[[[]],[[[[]]]]]', 5],
  ])('%s is %i deep', (text, depth) => {
    expect(nestingDepth(text)).toBe(depth);
  });

  it('measures 200,000 levels without recursing', () => {
    expect(nestingDepth(`{"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`)).toBe(200_001);
  });
});
