/**
 * `state_storage: {type: postgres, connection_string}`: conversations in PostgreSQL, through
 * node-postgres (`pg`), in the reference's table — so several `plano up` processes (`--workers`,
 * or replicas on several machines) sharing one database serve each other's conversations, and a
 * restart keeps them:
 *
 *   conversation_states(response_id TEXT PRIMARY KEY, input_items JSONB NOT NULL,
 *                       created_at BIGINT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL,
 *                       updated_at TIMESTAMP)
 *
 * `input_items` holds the conversation as the next turn needs it, as the reference stores it: the
 * input items, then the response's output items. plano adds one nullable column, `response JSONB`
 * (the Responses object its client received, which `GET /v1/responses/{id}` answers): rows
 * written without it still continue, and read back as a response of their output items.
 *
 * The table is created when absent. A database that refuses (no permission) is a startup error
 * that prints the SQL to run. The connection string's password is never printed; TLS is as its
 * `sslmode` says (none by default, as libpq).
 */
import type { Pool, PoolConfig } from 'pg';
import { redactUrl } from '../config/secret-values.js';
import type { JsonObject } from '../translate/types.js';
import type { ConversationStore, StoredResponse } from './conversation-store.js';

export const CONVERSATION_TABLE_SQL = `CREATE TABLE IF NOT EXISTS conversation_states (
  response_id TEXT PRIMARY KEY,
  input_items JSONB NOT NULL,
  created_at BIGINT NOT NULL,
  model TEXT NOT NULL,
  provider TEXT NOT NULL,
  updated_at TIMESTAMP
);
ALTER TABLE conversation_states ADD COLUMN IF NOT EXISTS response JSONB;`;

export type OpenedStore = { ok: true; store: ConversationStore } | { ok: false; message: string; hint: string };

/** Connects, makes sure the table is there, and answers the store; or what went wrong, the password starred out. */
export async function openPostgresStore(connectionString: string, options: Pick<PoolConfig, 'connectionTimeoutMillis'> = {}): Promise<OpenedStore> {
  const shown = redactUrl(connectionString);
  let pg: typeof import('pg');
  try {
    pg = (await import('pg')).default as unknown as typeof import('pg');
  } catch (error) {
    return { ok: false, message: `state_storage: postgres needs the pg package, which did not load (${(error as Error).message})`, hint: 'Reinstall plano (npm install).' };
  }
  const pool: Pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000 });
  // An idle client that loses its connection emits on the pool; a request that needs one finds out then.
  pool.on('error', () => {});
  try {
    await pool.query(CONVERSATION_TABLE_SQL);
  } catch (error) {
    await pool.end().catch(() => {});
    const code = (error as { code?: string }).code;
    const what = redactSecrets((error as Error).message, connectionString);
    if (code === '42501') {
      return {
        ok: false,
        message: `state_storage: postgres at ${shown} refused to create the conversation_states table: ${what}`,
        hint: `Create it as a user that may (or grant this one CREATE), with:\n${CONVERSATION_TABLE_SQL}`,
      };
    }
    return {
      ok: false,
      message: `state_storage: cannot use postgres at ${shown}: ${what}${code ? ` (${code})` : ''}`,
      hint: 'Check that the server is running and that connection_string (host, port, database, user, password, sslmode) is right.',
    };
  }
  return { ok: true, store: postgresStore(pool) };
}

function postgresStore(pool: Pool): ConversationStore {
  return {
    kind: 'postgres',
    async get(id) {
      const { rows } = await pool.query<{ input_items: JsonObject[]; created_at: string; model: string; provider: string; response: JsonObject | null }>(
        'SELECT input_items, created_at, model, provider, response FROM conversation_states WHERE response_id = $1',
        [id],
      );
      const row = rows[0];
      if (!row) return undefined;
      const items = Array.isArray(row.input_items) ? row.input_items : [];
      const output = Array.isArray(row.response?.['output']) ? (row.response['output'] as JsonObject[]) : [];
      const split = items.length - output.length;
      return {
        id,
        input: items.slice(0, Math.max(0, split)),
        output: items.slice(Math.max(0, split)),
        response: row.response ?? { id, object: 'response', status: 'completed', output: [] },
        model: row.model,
        provider: row.provider,
        createdAt: Number(row.created_at),
      };
    },
    async put(record: StoredResponse) {
      await pool.query(
        `INSERT INTO conversation_states (response_id, input_items, created_at, model, provider, updated_at, response)
         VALUES ($1, $2, $3, $4, $5, now(), $6)
         ON CONFLICT (response_id) DO UPDATE SET input_items = EXCLUDED.input_items, model = EXCLUDED.model,
           provider = EXCLUDED.provider, updated_at = now(), response = EXCLUDED.response`,
        [record.id, JSON.stringify([...record.input, ...record.output]), record.createdAt, record.model, record.provider, JSON.stringify(record.response)],
      );
    },
    async delete(id) {
      const { rowCount } = await pool.query('DELETE FROM conversation_states WHERE response_id = $1', [id]);
      return (rowCount ?? 0) > 0;
    },
    close: () => pool.end(),
  };
}

/** An error message with the connection string's password (and the string itself) starred out. */
function redactSecrets(message: string, connectionString: string): string {
  let out = message.split(connectionString).join(redactUrl(connectionString));
  try {
    const password = decodeURIComponent(new URL(connectionString).password);
    if (password !== '') out = out.split(password).join('***');
  } catch {
    // Not a URL: nothing more to find in it.
  }
  return out;
}
