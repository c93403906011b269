/**
 * What the in-process gateway tests share: the test config resolved into a Gateway, recorded
 * upstream bodies from fixtures/upstream/, and an upstream client that answers from them while
 * recording what the gateway sent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { checkConfig } from '../../src/resolve/check.js';
import { resolveGateway } from '../../src/resolve/resolve.js';
import type { Gateway } from '../../src/resolve/types.js';
import type { AccessLogEntry } from '../../src/server/access-log.js';
import { createGatewayApp, type GatewayAppOptions } from '../../src/server/app.js';
import type { UpstreamClient, UpstreamRequest } from '../../src/server/upstream-client.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'upstream');

export function upstreamFixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export const TEST_ENV = {
  OPENAI_API_KEY: 'sk-configured-openai',
  ANTHROPIC_API_KEY: 'sk-ant-configured',
  AZURE_OPENAI_API_KEY: 'azure-configured',
};

/** fixtures/upstream/gateway.yaml, checked (it must have no errors beyond unset keys) and resolved. */
export function testGateway(env: Record<string, string | undefined> = TEST_ENV, yaml = upstreamFixture('gateway.yaml')): Gateway {
  const result = checkConfig(yaml, 'gateway.yaml', {});
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !result.config) throw new Error(`test config has errors: ${errors.map((d) => d.message).join('; ')}`);
  return resolveGateway(result.config, { env });
}

export interface RecordedCall {
  origin: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: string;
  signal: AbortSignal;
}

export interface StubAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as separate reads, as a network would deliver them. */
  chunks?: (string | Buffer)[];
  /** The body fails after the chunks (a reset mid-stream). */
  failAfter?: Error;
  /** The body never ends after the chunks (a stream still being generated). */
  hang?: boolean;
}

/** An upstream that answers every call with `answer(call)` (or throws what it returns as an Error). */
export function stubUpstream(answer: (call: RecordedCall) => StubAnswer | Error): { client: UpstreamClient; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const client: UpstreamClient = {
    async send(request: UpstreamRequest) {
      const body = typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
      const call = { origin: request.origin, path: request.path, headers: request.headers, body, signal: request.signal };
      calls.push(call);
      const result = answer(call);
      if (result instanceof Error) throw result;
      const chunks = (result.chunks ?? []).map((c) => (typeof c === 'string' ? Buffer.from(c) : c));
      const { failAfter, hang } = result;
      const stream = Readable.from(
        (async function* () {
          for (const chunk of chunks) yield chunk;
          if (failAfter) throw failAfter;
          if (hang) await new Promise(() => {});
        })(),
        { objectMode: false },
      );
      return { status: result.status ?? 200, headers: { 'content-type': 'application/json', ...result.headers }, body: stream };
    },
    close: async () => {},
  };
  return { client, calls };
}

/** A JSON answer from a fixture file. */
export function jsonAnswer(fixture: string, status = 200): StubAnswer {
  const text = upstreamFixture(fixture);
  return { status, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }, chunks: [text] };
}

/** An SSE answer from a fixture file, cut at every event boundary and once mid-event. */
export function sseAnswer(fixture: string): StubAnswer {
  const text = upstreamFixture(fixture);
  const events = text.split(/(?<=\n\n)/);
  const first = events.shift() ?? '';
  const middle = Math.floor(first.length / 2);
  return { headers: { 'content-type': 'text/event-stream; charset=utf-8' }, chunks: [first.slice(0, middle), first.slice(middle), ...events] };
}

export function harness(
  answer: (call: RecordedCall) => StubAnswer | Error,
  options: Partial<GatewayAppOptions> & { gatewayEnv?: Record<string, string | undefined> } = {},
) {
  const upstream = stubUpstream(answer);
  const { log, write } = recordedLog();
  const gateway = testGateway(options.gatewayEnv ?? TEST_ENV);
  const app = createGatewayApp({ gateway: () => gateway, env: TEST_ENV, upstream: upstream.client, log: write, ...options });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { app, calls: upstream.calls, log, post };
}

/** Called on each entry written to a recorded log. */
const logWatchers = new WeakMap<AccessLogEntry[], Set<() => void>>();

/** An access log kept in memory: `write` is the app's `log` option, `log` what it wrote (for `logged`). */
export function recordedLog(): { log: AccessLogEntry[]; write: (entry: AccessLogEntry) => void } {
  const log: AccessLogEntry[] = [];
  const watchers = new Set<() => void>();
  logWatchers.set(log, watchers);
  return {
    log,
    write(entry) {
      log.push(entry);
      watchers.forEach((watcher) => watcher());
    },
  };
}

/**
 * Resolves once the access log holds `n` entries (the log is written when a response completes,
 * which can be after the client has the response); a log that never gets there fails the test
 * at its timeout.
 */
export function logged(log: AccessLogEntry[], n = 1): Promise<AccessLogEntry> {
  const watchers = logWatchers.get(log);
  if (!watchers) throw new Error('logged() waits on a log made by recordedLog()');
  return new Promise((resolve) => {
    const check = (): void => {
      const entry = log[n - 1];
      if (entry === undefined) return;
      watchers.delete(check);
      resolve(entry);
    };
    watchers.add(check);
    check();
  });
}

/** A response body as JSON, loosely typed for assertions. */
export async function jsonOf(res: Response): Promise<any> {
  return res.json();
}
