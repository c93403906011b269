import { describe, expect, it } from 'vitest';
import { CLIENT_APIS } from '../../src/providers/types.js';
import { findTranslation, TRANSLATIONS } from '../../src/translate/index.js';

describe('the translation table', () => {
  it('finds chat → Anthropic and messages → OpenAI chat', () => {
    expect(findTranslation('chat_completions', 'anthropic_messages')).toMatchObject({ client: 'chat_completions', upstream: 'anthropic_messages' });
    expect(findTranslation('messages', 'openai_chat')).toMatchObject({ client: 'messages', upstream: 'openai_chat' });
  });

  it('has no same-format rows (those are passed through) and no duplicate pairs', () => {
    expect(findTranslation('chat_completions', 'openai_chat')).toBeUndefined();
    expect(findTranslation('messages', 'anthropic_messages')).toBeUndefined();
    expect(findTranslation('responses', 'openai_responses')).toBeUndefined();
    const pairs = TRANSLATIONS.map((t) => `${t.client}→${t.upstream}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    for (const t of TRANSLATIONS) expect(CLIENT_APIS).toContain(t.client);
  });
});
