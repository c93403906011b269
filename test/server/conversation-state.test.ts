/**
 * Conversation state for /v1/responses (`state_storage`, src/server/conversation-state.ts) in the
 * gateway's pipeline: every answer stored under the id its client got, streamed or not; a
 * `previous_response_id` continued on any provider with the whole chain before the input; the
 * stored responses served by GET / DELETE /v1/responses/{id} and .../input_items.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, type ConversationStore, type StoredResponse } from '../../src/server/conversation-store.js';
import { harness, jsonAnswer, sseAnswer, type RecordedCall, type StubAnswer } from './gateway-harness.js';

const CLAUDE = 'claude-sonnet-4-20250514';

/** Anthropic answers JSON or a stream as asked; OpenAI's Responses API its own. */
function upstream(call: RecordedCall): StubAnswer {
  const stream = (JSON.parse(call.body) as { stream?: boolean }).stream === true;
  if (call.path.endsWith('/messages')) return stream ? sseAnswer('anthropic-message-stream.sse') : jsonAnswer('anthropic-message.json');
  return stream ? sseAnswer('openai-responses-stream.sse') : jsonAnswer('openai-response.json');
}

function gateway(store: ConversationStore = createMemoryStore()) {
  return { ...harness(upstream, { conversations: store }), store };
}

/** The messages an Anthropic upstream got, as role: text. */
function anthropicTurns(call: RecordedCall): string[] {
  const body = JSON.parse(call.body) as { messages: Array<{ role: string; content: string | Array<{ type: string; text?: string }> }> };
  return body.messages.map((m) => `${m.role}: ${typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? `[${p.type}]`).join('')}`);
}

async function respond(post: ReturnType<typeof harness>['post'], body: Record<string, unknown>): Promise<{ status: number; id: string; json: Record<string, unknown> }> {
  const response = await post('/v1/responses', body);
  if (body['stream'] === true) {
    const text = await response.text();
    const completed = text.split('\n').find((line) => line.startsWith('data: ') && line.includes('"response.completed"'));
    const json = completed ? (JSON.parse(completed.slice(6)) as { response: Record<string, unknown> }).response : {};
    return { status: response.status, id: String(json['id']), json };
  }
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, id: String(json['id']), json };
}

describe('state_storage: memory', () => {
  it('continues a conversation on a provider that keeps no state: three turns, the chain before each input', async () => {
    const { post, calls, store } = gateway();
    const first = await respond(post, { model: CLAUDE, instructions: 'Be brief.', input: 'My name is Ada.' });
    expect(first.status).toBe(200);
    expect(first.id).toMatch(/^resp_/);
    expect(((await store.get(first.id)) as StoredResponse).input).toEqual([{ role: 'user', content: 'My name is Ada.' }]);

    const second = await respond(post, { model: CLAUDE, input: 'What is my name?', previous_response_id: first.id });
    expect(second.status).toBe(200);
    const turn2 = anthropicTurns(calls[1]!);
    expect(turn2[0]).toBe('user: My name is Ada.');
    expect(turn2[1]).toMatch(/^assistant: ./);
    expect(turn2[2]).toBe('user: What is my name?');
    // instructions are not carried over (the Responses API's own rule).
    expect(JSON.parse(calls[1]!.body).system).toBeUndefined();

    const third = await respond(post, { model: CLAUDE, input: [{ role: 'user', content: 'And again?' }], previous_response_id: second.id });
    expect(third.status).toBe(200);
    expect(anthropicTurns(calls[2]!)).toEqual([...turn2, turn2[1]!, 'user: And again?']);
  });

  it('stores streamed answers under the id of response.completed, so a turn can continue a streamed one', async () => {
    const { post, calls } = gateway();
    const first = await respond(post, { model: CLAUDE, input: 'Hello', stream: true });
    expect(first.status).toBe(200);
    const second = await respond(post, { model: CLAUDE, input: 'Go on', previous_response_id: first.id, stream: true });
    expect(second.status).toBe(200);
    const turn2 = anthropicTurns(calls[1]!);
    expect(turn2[0]).toBe('user: Hello');
    expect(turn2[1]).toMatch(/^assistant: ./);
    expect(turn2[2]).toBe('user: Go on');
  });

  it('GET, input_items and DELETE serve the stored responses; then GET is a 404 in OpenAI’s shape', async () => {
    const { app, post } = gateway();
    const first = await respond(post, { model: CLAUDE, input: 'Hello' });
    const got = await app.request(`/v1/responses/${first.id}`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(first.json);
    const items = (await (await app.request(`/v1/responses/${first.id}/input_items`)).json()) as { object: string; data: unknown[] };
    expect(items).toMatchObject({ object: 'list', data: [{ role: 'user', content: 'Hello' }], has_more: false });
    const deleted = await app.request(`/v1/responses/${first.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ id: first.id, object: 'response', deleted: true });
    const gone = await app.request(`/v1/responses/${first.id}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { message: string } }).error.message).toContain(first.id);
  });

  it('an unknown previous_response_id is a 404 naming it, and nothing goes upstream', async () => {
    const { post, calls } = gateway();
    const response = await post('/v1/responses', { model: CLAUDE, input: 'Hi', previous_response_id: 'resp_never' });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string; param: string; code: string } };
    expect(body.error).toMatchObject({ param: 'previous_response_id', code: 'previous_response_not_found' });
    expect(body.error.message).toContain("'resp_never'");
    expect(calls).toHaveLength(0);
  });

  it('store: false keeps the answer out of the store', async () => {
    const { app, post } = gateway();
    const first = await respond(post, { model: CLAUDE, input: 'Hello', store: false });
    expect(first.status).toBe(200);
    expect((await app.request(`/v1/responses/${first.id}`)).status).toBe(404);
  });

  it("OpenAI's own responses continue on OpenAI by id; another provider's are expanded for it", async () => {
    const { post, calls } = gateway();
    const openai = await respond(post, { model: 'gpt-4o', input: 'Hello' });
    await respond(post, { model: 'gpt-4o', input: 'Again', previous_response_id: openai.id });
    const passed = JSON.parse(calls[1]!.body) as Record<string, unknown>;
    expect(passed['previous_response_id']).toBe(openai.id);
    expect(passed['input']).toBe('Again');

    const claude = await respond(post, { model: CLAUDE, input: 'Hello' });
    await respond(post, { model: 'gpt-4o', input: 'Again', previous_response_id: claude.id });
    const expanded = JSON.parse(calls[3]!.body) as Record<string, unknown>;
    expect(expanded['previous_response_id']).toBeUndefined();
    expect((expanded['input'] as unknown[]).length).toBeGreaterThanOrEqual(3);
  });
});

describe('without state_storage', () => {
  it('previous_response_id for a provider that keeps no state is a 400 saying how, streamed or not; nothing goes upstream', async () => {
    const { post, calls } = harness(upstream);
    for (const stream of [false, true]) {
      const response = await post('/v1/responses', { model: CLAUDE, input: 'Hi', previous_response_id: 'resp_x', stream });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain('previous_response_id is not supported');
    }
    expect(calls).toHaveLength(0);
  });

  it('GET /v1/responses/{id} says the gateway stores none and how to make it', async () => {
    const { app } = harness(upstream);
    const response = await app.request('/v1/responses/resp_x');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('state_storage: {type: memory}');
  });
});

describe('the memory store', () => {
  const record = (id: string, text = 'x'): StoredResponse => ({
    id,
    input: [{ role: 'user', content: text }],
    output: [],
    response: { id },
    model: 'm',
    provider: 'p',
    createdAt: 0,
  });

  it('evicts the least recently used past its count; a read counts as a use', () => {
    const store = createMemoryStore({ maxResponses: 2, maxBytes: 1_000_000 });
    store.put(record('a'));
    store.put(record('b'));
    store.get('a');
    store.put(record('c'));
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')?.id).toBe('a');
    expect(store.get('c')?.id).toBe('c');
  });

  it('evicts past its bytes, and keeps nothing larger than them on its own', () => {
    const size = Buffer.byteLength(JSON.stringify(record('a', 'x'.repeat(100))));
    const store = createMemoryStore({ maxResponses: 100, maxBytes: size * 2 });
    store.put(record('a', 'x'.repeat(100)));
    store.put(record('b', 'x'.repeat(100)));
    store.put(record('c', 'x'.repeat(100)));
    expect(store.get('a')).toBeUndefined();
    expect(store.get('c')?.id).toBe('c');
    store.put(record('huge', 'x'.repeat(size * 3)));
    expect(store.get('huge')).toBeUndefined();
    expect(store.get('c')?.id).toBe('c');
  });
});
