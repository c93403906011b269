/**
 * The postgres conversation store (src/server/postgres-store.ts) against a real PostgreSQL the
 * test starts: the reference's table made when absent, records shared between two stores (two
 * `plano up` processes), rows the reference wrote continued, and startup errors that say what to
 * do without printing the password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredResponse } from '../../src/server/conversation-store.js';
import { openPostgresStore } from '../../src/server/postgres-store.js';
import { startPostgres, SUPERUSER_PASSWORD, type PostgresServer } from '../e2e/postgres-server.js';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const record = (id: string): StoredResponse => ({
  id,
  input: [{ role: 'user', content: 'Hello' }],
  output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi!' }] }],
  response: { id, object: 'response', status: 'completed', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi!' }] }] },
  model: 'anthropic/claude-sonnet-4-5',
  provider: 'anthropic',
  createdAt: 1_765_000_000,
});

async function open(url = server.url()) {
  const opened = await openPostgresStore(url);
  if (!opened.ok) throw new Error(`${opened.message}\n${opened.hint}`);
  return opened.store;
}

describe('the postgres store', () => {
  it('creates the table, and two stores on one database see each other’s records', async () => {
    const a = await open();
    const b = await open();
    try {
      await a.put(record('resp_shared'));
      expect(await b.get('resp_shared')).toEqual(record('resp_shared'));
      expect(await b.delete('resp_shared')).toBe(true);
      expect(await a.get('resp_shared')).toBeUndefined();
      expect(await a.delete('resp_shared')).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('stores the conversation in input_items as the reference does: input, then output', async () => {
    const store = await open();
    try {
      await store.put(record('resp_layout'));
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: server.url() });
      await client.connect();
      const { rows } = await client.query('SELECT input_items, model, provider, created_at FROM conversation_states WHERE response_id = $1', ['resp_layout']);
      await client.end();
      expect(rows[0]).toEqual({ input_items: [...record('x').input, ...record('x').output], model: 'anthropic/claude-sonnet-4-5', provider: 'anthropic', created_at: '1765000000' });
    } finally {
      await store.close();
    }
  });

  it('continues a row written without plano’s response column (the reference writes none)', async () => {
    const store = await open();
    try {
      await server.sql(
        `INSERT INTO conversation_states (response_id, input_items, created_at, model, provider) VALUES ('resp_ref', '[{"role":"user","content":"Hi"},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hello"}]}]', 1, 'claude', 'anthropic')`,
      );
      const found = await store.get('resp_ref');
      expect(found?.input.length).toBe(2);
      expect(found?.response).toMatchObject({ id: 'resp_ref', object: 'response' });
    } finally {
      await store.close();
    }
  });
});

describe('a postgres store that cannot be used', () => {
  it('a wrong password: says so, and never prints the password', async () => {
    const opened = await openPostgresStore(server.url({ password: 'wrong-pw-7d1e' }));
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.message).toContain('password authentication failed');
    expect(opened.message).toContain(`127.0.0.1:${server.port}`);
    expect(`${opened.message}${opened.hint}`).not.toContain('wrong-pw-7d1e');
    expect(`${opened.message}${opened.hint}`).not.toContain(SUPERUSER_PASSWORD);
  });

  it('a user who may not create the table: the SQL to run, to create it as one who may', async () => {
    await server.sql('CREATE DATABASE restricted');
    await server.sql(`CREATE ROLE reader LOGIN PASSWORD 'reader-pw'`);
    const opened = await openPostgresStore(server.url({ user: 'reader', password: 'reader-pw', database: 'restricted' }));
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.message).toContain('refused to create the conversation_states table');
    expect(opened.hint).toContain('CREATE TABLE IF NOT EXISTS conversation_states');
  });

  it('TLS as the connection string’s sslmode says: required of a server without it, a clear refusal', async () => {
    const opened = await openPostgresStore(`${server.url()}?sslmode=require`);
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.message).toMatch(/SSL/);
    expect(opened.message).not.toContain(SUPERUSER_PASSWORD);
  });

  it('nothing listening: a clear message, not a stack trace', async () => {
    const opened = await openPostgresStore('postgresql://plano:x@127.0.0.1:1/postgres', { connectionTimeoutMillis: 2_000 });
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.message).toMatch(/cannot use postgres at postgresql:\/\/\*\*\*@127\.0\.0\.1:1\/postgres: .*ECONNREFUSED/);
  });
});
