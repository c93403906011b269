/**
 * Conversations shared through PostgreSQL (issue 15): two `plano up` processes on one real
 * database (started by the test), the official OpenAI SDK holding one conversation with an
 * Anthropic-served model across both — turn 1 on the first, turn 2 (streamed) on the second, then
 * the first restarted and turn 3 on it. The connection string comes from the environment
 * (`${VAR}`), and its password is never printed.
 */
import OpenAI from 'openai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamFixture } from '../server/gateway-harness.js';
import { CONFIGURED_KEYS } from './gateway-on-mock.js';
import { startPostgres, SUPERUSER_PASSWORD, type PostgresServer } from './postgres-server.js';
import { startMockUpstream, type MockUpstream } from './up-mock-upstream.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

let database: PostgresServer;
let mock: MockUpstream;
let dir: string;
const running: PlanoUp[] = [];
let env: Record<string, string>;

const MODEL = 'anthropic/claude-sonnet-4-20250514';

async function up(): Promise<PlanoUp> {
  const plano = await startPlanoUp([], env, dir);
  running.push(plano);
  return plano;
}

const clientOf = (plano: PlanoUp): OpenAI => new OpenAI({ baseURL: `${plano.url}/v1`, apiKey: 'unused', maxRetries: 0 });

/** The roles and texts of the messages the Anthropic upstream got last. */
function lastAnthropicTurns(): string[] {
  const body = mock.received[mock.received.length - 1]!.body as { messages: Array<{ role: string; content: string | Array<{ type: string; text?: string }> }> };
  return body.messages.map((m) => `${m.role}: ${typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? `[${p.type}]`).join('')}`);
}

beforeAll(async () => {
  [database, mock] = await Promise.all([startPostgres(), startMockUpstream()]);
  dir = await mkdtemp(join(tmpdir(), 'plano-up-postgres-'));
  const config = `${upstreamFixture('gateway.yaml').replaceAll('http://127.0.0.1:1', mock.url)}\nstate_storage:\n  type: postgres\n  connection_string: \${PLANO_PG_URL}\n`;
  await writeFile(join(dir, 'plano_config.yaml'), config);
  env = { ...CONFIGURED_KEYS, PLANO_PG_URL: database.url() };
}, 60_000);

afterAll(async () => {
  for (const plano of running) plano.kill();
  await Promise.all(running.map((plano) => plano.exited));
  await Promise.all([database?.stop(), mock?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('two plano up processes sharing one PostgreSQL', () => {
  it('serve each other’s conversations, and a restart keeps them', async () => {
    const first = await up();
    const second = await up();
    for (const plano of [first, second]) expect(plano.stdout() + plano.stderr()).not.toContain(SUPERUSER_PASSWORD);

    const turn1 = await clientOf(first).responses.create({ model: MODEL, input: 'My name is Ada.' });
    expect(turn1.id).toMatch(/^resp_/);

    const stream = await clientOf(second).responses.create({ model: MODEL, input: 'What is my name?', previous_response_id: turn1.id, stream: true });
    let turn2 = '';
    for await (const event of stream) if (event.type === 'response.completed') turn2 = event.response.id;
    const turn2Messages = lastAnthropicTurns();
    expect(turn2Messages[0]).toBe('user: My name is Ada.');
    expect(turn2Messages[2]).toBe('user: What is my name?');

    first.kill();
    await first.exited;
    const restarted = await up();
    const turn3 = await clientOf(restarted).responses.create({ model: MODEL, input: 'Thanks.', previous_response_id: turn2 });
    expect(turn3.status).toBe('completed');
    const turn3Messages = lastAnthropicTurns();
    expect(turn3Messages.slice(0, 3)).toEqual(turn2Messages);
    expect(turn3Messages[4]).toBe('user: Thanks.');
    expect((await clientOf(second).responses.retrieve(turn3.id)).id).toBe(turn3.id);
  });

  it('a database that cannot be reached stops plano up at startup, saying where, without the password', async () => {
    const unreachable = await startPlanoUp([], { ...env, PLANO_PG_URL: `postgresql://plano:${SUPERUSER_PASSWORD}@127.0.0.1:1/postgres` }, dir).catch((error: unknown) => error);
    expect(unreachable).toBeInstanceOf(Error);
    const said = (unreachable as Error).message;
    expect(said).toContain('cannot use postgres at postgresql://***@127.0.0.1:1/postgres');
    expect(said).not.toContain(SUPERUSER_PASSWORD);
  });
});
