/** The tokenizer-backed counter behind count_tokens (token-counter.ts): right counts, off the main thread. */
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenCounter } from '../../src/server/token-counter.js';

const counter = createTokenCounter();
afterAll(() => counter.close());

describe('createTokenCounter', () => {
  const texts = ['Hello, world!', 'Les élèves étudient 数学 and ✓ emoji 🚀.', '{"name":"get_weather","input":{"city":"Paris"}}'];

  it('counts as the model family’s tokenizer does: o200k_base for gpt-4o and the o-series, cl100k_base for gpt-3.5', async () => {
    const o200 = new Tiktoken(o200k);
    const cl100 = new Tiktoken(cl100k);
    const sum = (encoder: Tiktoken) => texts.reduce((n, t) => n + encoder.encode(t).length, 0);
    expect(await counter.count('gpt-4o', texts)).toEqual({ tokens: sum(o200), tokenizer: 'tiktoken/o200k_base' });
    expect(await counter.count('o3-mini', texts)).toEqual({ tokens: sum(o200), tokenizer: 'tiktoken/o200k_base' });
    expect(await counter.count('gpt-3.5-turbo', texts)).toEqual({ tokens: sum(cl100), tokenizer: 'tiktoken/cl100k_base' });
  });

  it('several counts at once each get their own answer', async () => {
    const counts = await Promise.all(Array.from({ length: 20 }, (_, i) => counter.count('gpt-4o', ['word '.repeat(i)])));
    expect(counts.map((c) => c!.tokens)).toEqual(Array.from({ length: 20 }, (_, i) => new Tiktoken(o200k).encode('word '.repeat(i)).length));
  });

  it('a model of another family: no count (the caller estimates)', async () => {
    expect(await counter.count('deepseek-chat', texts)).toBeUndefined();
    expect(await counter.count('llama3.1', texts)).toBeUndefined();
  });
});
