/**
 * A Responses client holds a conversation with a model whose provider keeps no state (issue 15):
 * the official OpenAI SDK, through the built `plano up` with `state_storage: {type: memory}`, in
 * front of a mock Anthropic upstream — three turns, streamed and not, each continuing the last by
 * `previous_response_id`; then the stored response read back and deleted.
 */
import OpenAI from 'openai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamFixture } from '../server/gateway-harness.js';
import { CONFIGURED_KEYS } from './gateway-on-mock.js';
import { startMockUpstream, type MockUpstream } from './up-mock-upstream.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

let mock: MockUpstream;
let plano: PlanoUp | undefined;
let dir: string;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockUpstream();
  dir = await mkdtemp(join(tmpdir(), 'plano-conversations-'));
  const config = `${upstreamFixture('gateway.yaml').replaceAll('http://127.0.0.1:1', mock.url)}\nstate_storage:\n  type: memory\n`;
  await writeFile(join(dir, 'plano_config.yaml'), config);
  plano = await startPlanoUp([], CONFIGURED_KEYS, dir);
  client = new OpenAI({ baseURL: `${plano.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  plano?.kill();
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

const MODEL = 'anthropic/claude-sonnet-4-20250514';

/** The roles and texts of the messages the Anthropic upstream got last. */
function lastAnthropicTurns(): string[] {
  const body = mock.received[mock.received.length - 1]!.body as { messages: Array<{ role: string; content: string | Array<{ type: string; text?: string }> }> };
  return body.messages.map((m) => `${m.role}: ${typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? `[${p.type}]`).join('')}`);
}

describe('a three-turn conversation through plano up, on a provider that keeps no state', () => {
  it('state_storage: memory is served (no not-served notice for it)', () => {
    expect(plano!.stdout()).not.toContain('state_storage');
  });

  it('non-streamed, streamed, non-streamed: each turn carries the whole conversation before it', async () => {
    const first = await client.responses.create({ model: MODEL, input: 'My name is Ada.' });
    expect(first.id).toMatch(/^resp_/);
    expect(first.output_text.length).toBeGreaterThan(0);

    const stream = await client.responses.create({ model: MODEL, input: 'What is my name?', previous_response_id: first.id, stream: true });
    let secondId = '';
    for await (const event of stream) if (event.type === 'response.completed') secondId = event.response.id;
    expect(secondId).toMatch(/^resp_/);
    const turn2 = lastAnthropicTurns();
    expect(turn2[0]).toBe('user: My name is Ada.');
    expect(turn2[1]).toMatch(/^assistant: /);
    expect(turn2[2]).toBe('user: What is my name?');

    const third = await client.responses.create({ model: MODEL, input: 'Thanks.', previous_response_id: secondId });
    expect(third.status).toBe('completed');
    const turn3 = lastAnthropicTurns();
    expect(turn3.slice(0, 3)).toEqual(turn2);
    expect(turn3[3]).toMatch(/^assistant: /);
    expect(turn3[4]).toBe('user: Thanks.');

    // Read back, listed, deleted — as the SDK does it.
    expect((await client.responses.retrieve(third.id)).id).toBe(third.id);
    const items = await client.responses.inputItems.list(third.id);
    expect(items.data.length).toBe(5);
    await client.responses.delete(third.id);
    const gone = await client.responses.retrieve(third.id).catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('an unknown previous_response_id is the SDK’s NotFoundError, and nothing goes upstream', async () => {
    const before = mock.received.length;
    const failed = await client.responses.create({ model: MODEL, input: 'Hi', previous_response_id: 'resp_unknown' }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(OpenAI.NotFoundError);
    expect((failed as Error).message).toContain('resp_unknown');
    expect(mock.received.length).toBe(before);
  });
});
