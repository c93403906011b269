/**
 * The gateway's lifecycle without the CLI (src/server/gateway-service.ts): started on a socket,
 * given a new configuration, stopped; problems come back as values, never printed.
 */
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/resolve/check.js';
import { resolveGateway } from '../../src/resolve/resolve.js';
import { startGateway, type Servable } from '../../src/server/gateway-service.js';
import { TEST_ENV, upstreamFixture } from './gateway-harness.js';

function servable(yaml: string): Servable {
  const { config } = checkConfig(yaml, 'gateway.yaml');
  return { config: config!, gateway: resolveGateway(config!, { env: TEST_ENV }) };
}

const GATEWAY = upstreamFixture('gateway.yaml');
const options = (yaml = GATEWAY) => ({ servable: servable(yaml), host: '127.0.0.1', port: 0, env: TEST_ENV, configDir: import.meta.dirname, log: () => {}, onWarning: () => {} });

async function modelIds(url: string): Promise<string[]> {
  const list = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> };
  return list.data.map((m) => m.id);
}

describe('startGateway', () => {
  it('serves the configuration, then the one it is given, then stops and lets the port go', async () => {
    const started = await startGateway(options());
    if (!started.ok) throw new Error(`did not start: ${started.problem.message}`);
    const { service } = started;
    expect(await modelIds(service.url)).toContain('openai/gpt-4o');

    const next = servable(GATEWAY.replace('openai/gpt-4o-mini', 'openai/gpt-4.1-nano'));
    await service.reload(next);
    expect(service.current()).toBe(next);
    const ids = await modelIds(service.url);
    expect(ids).toContain('openai/gpt-4.1-nano');
    expect(ids).not.toContain('openai/gpt-4o-mini');

    expect(await service.stop(1_000)).toBe(0);
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
  });

  it('a port in use is a value naming the error code, and what it had started is closed again', async () => {
    const first = await startGateway(options());
    if (!first.ok) throw new Error('did not start');
    const second = await startGateway({ ...options(), port: first.service.port });
    expect(second).toMatchObject({ ok: false, problem: { kind: 'listen', code: 'EADDRINUSE' } });
    await first.service.stop(1_000);
  });

  it('a session cache in a Redis that cannot be reached is a value saying where, not a start', async () => {
    const yaml = `${GATEWAY}\nrouting:\n  session_cache:\n    type: redis\n    url: redis://127.0.0.1:1\n`;
    const started = await startGateway(options(yaml));
    expect(started).toMatchObject({ ok: false, problem: { kind: 'state' } });
    if (!started.ok) expect(started.problem.message).toContain('routing.session_cache: cannot use redis at redis://127.0.0.1:1');
  });

  it('a CA bundle that cannot be read is a value with the path and a hint', async () => {
    const yaml = `${GATEWAY}\noverrides:\n  upstream_tls_ca_path: no-such-ca.pem\n`;
    const started = await startGateway(options(yaml));
    expect(started.ok).toBe(false);
    if (started.ok) return;
    expect(started.problem).toMatchObject({ kind: 'network' });
    expect(started.problem.message).toContain('no-such-ca.pem: ENOENT');
  });
});
