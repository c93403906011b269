/**
 * A real PostgreSQL server for the tests that store state: Debian's `postgresql` package (which
 * `.ci/run` installs when absent), initialised in a temporary folder and started on a free
 * loopback port by the test, stopped and removed by it. As root (CI), the server runs as the
 * package's `postgres` user, since PostgreSQL refuses to run as root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

export interface PostgresServer {
  port: number;
  /** A connection string for `user` (the superuser `plano` by default) and its password. */
  url(options?: { user?: string; password?: string; database?: string }): string;
  /** Runs SQL as the superuser. */
  sql(text: string): Promise<void>;
  stop(): Promise<void>;
}

export const SUPERUSER_PASSWORD = 'pg-test-secret-9f3c';

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
  if (versions.length === 0) {
    throw new Error('PostgreSQL is not installed: `apt-get install -y postgresql` (.ci/run installs it when absent)');
  }
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'plano-pg-'));
  // As root, the server's processes run as `postgres` (spawned with its uid, so signals reach
  // the server itself), which must own the folder.
  let user: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    user = {
      uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
      gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
    };
    chownSync(dir, user.uid, user.gid);
  }
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${SUPERUSER_PASSWORD}\n`, { mode: 0o644 });
  const data = join(dir, 'data');
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'plano', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--no-sync'], {
    stdio: 'pipe',
    cwd: dir,
    ...user,
  });

  const port = await freePort();
  const args = [
    '-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir,
    // A test database: durability is not what is tested.
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
  ];
  const child: ChildProcess = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...user });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url: PostgresServer['url'] = (options = {}) =>
    `postgresql://${options.user ?? 'plano'}:${encodeURIComponent(options.password ?? SUPERUSER_PASSWORD)}@127.0.0.1:${port}/${options.database ?? 'postgres'}`;
  const sql = async (text: string): Promise<void> => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT'); // fast shutdown
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready when a query answers.
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await sql('SELECT 1');
      break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { port, url, sql, stop };
}
