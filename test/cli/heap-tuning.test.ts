import { describe, expect, it } from 'vitest';
import { youngGenerationHold } from '../../src/cli/heap-tuning.js';

const MB = 1024 * 1024;

describe('youngGenerationHold', () => {
  it('stops growth at the limit, and lets the young generation grow back after V8 shrinks it (an idle gateway)', () => {
    const flagFor = youngGenerationHold(16 * MB);
    // Load: 1 → 16 MB in V8's doublings; growth is switched off on reaching the limit, once.
    expect([2, 4, 8].map((mb) => flagFor(mb * MB))).toEqual([undefined, undefined, undefined]);
    expect(flagFor(16 * MB)).toBe('--semi-space-growth-factor=1');
    expect(flagFor(16 * MB)).toBeUndefined();
    // Idle: the memory reducer shrinks it to 1 MB; growth is on again for the next load…
    expect(flagFor(1 * MB)).toBe('--semi-space-growth-factor=2');
    expect(flagFor(2 * MB)).toBeUndefined();
    // …and off again at the limit.
    expect(flagFor(16 * MB)).toBe('--semi-space-growth-factor=1');
  });

  it('a young generation that overshoots the limit (not a power of two: --workers 3) is held where it is', () => {
    const flagFor = youngGenerationHold(2 * (8 / 3) * MB);
    expect(flagFor(4 * MB)).toBeUndefined();
    expect(flagFor(8 * MB)).toBe('--semi-space-growth-factor=1');
    expect(flagFor(8 * MB)).toBeUndefined();
  });
});
