/**
 * Session affinity shared through Redis (`routing.session_cache: {type: redis}`,
 * src/server/redis-sessions.ts), against a real Redis the test starts: pins that expire, a pin
 * made by one replica followed by another, and a store that cannot be reached said plainly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveGateway } from '../../src/resolve/resolve.js';
import type { SessionStore } from '../../src/routing/affinity.js';
import { decideRoute, type PinnedRoute } from '../../src/routing/router.js';
import { createRoutingContext, routingSettings } from '../../src/routing/settings.js';
import { openRedisSessions } from '../../src/server/redis-sessions.js';
import { routingConfig } from '../routing/fixture-config.js';
import { startRedis, type RedisServer } from '../e2e/redis-server.js';

let redis: RedisServer;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);

afterAll(async () => {
  for (const close of closers) await close();
  await redis?.stop();
});

async function store(ttlMs = 60_000): Promise<SessionStore<PinnedRoute>> {
  const opened = await openRedisSessions<PinnedRoute>(redis.url, ttlMs);
  if (!opened.ok) throw new Error(opened.message);
  closers.push(opened.close);
  return opened.store;
}

/** A routing context (one replica) whose router model always answers `route`. */
function replica(sessions: SessionStore<PinnedRoute>, route: string) {
  const config = routingConfig({ router: 'http://127.0.0.1:1' });
  const gateway = resolveGateway(config, { env: {} });
  const settings = routingSettings(config, gateway);
  return createRoutingContext(settings, gateway, {
    callRouter: async () => JSON.stringify({ route: [route] }),
    sessions,
  });
}

describe('redis session store', () => {
  it('pins, replaces only a live pin keeping its expiry, and lets it expire', async () => {
    const sessions = await store(300);
    const pin: PinnedRoute = { route: 'code generation', models: ['a', 'b'] };
    expect(await sessions.replace('s-missing', pin)).toBe(false);
    await sessions.set('s1', pin);
    expect(await sessions.get('s1')).toEqual(pin);
    expect(await sessions.replace('s1', { route: 'code generation', models: ['b', 'a'] })).toBe(true);
    expect(await sessions.get('s1')).toEqual({ route: 'code generation', models: ['b', 'a'] });
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await sessions.get('s1')).toBeUndefined();
  });

  it('a session pinned by one replica stays on its model when the next request reaches another', async () => {
    const first = replica(await store(), 'code generation');
    const second = replica(await store(), 'creative writing');
    const chat = { messages: [{ role: 'user', content: 'write a parser' }] };
    const decided = await decideRoute({ api: 'chat_completions', body: chat, sessionId: 'shared-session' }, first);
    expect(decided).toMatchObject({ route: 'code generation', pinned: false });
    const followed = await decideRoute({ api: 'chat_completions', body: chat, sessionId: 'shared-session' }, second);
    expect(followed).toMatchObject({ route: 'code generation', source: 'session', pinned: true, models: decided.models });
    // Without the affinity id the second replica decides for itself.
    expect(await decideRoute({ api: 'chat_completions', body: chat }, second)).toMatchObject({ route: 'creative writing' });
  });

  it('a Redis that cannot be reached: a clear message, its password starred out', async () => {
    const opened = await openRedisSessions('redis://:redis-secret-3f1@127.0.0.1:1', 1_000);
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.message).toContain('cannot use redis at redis://***@127.0.0.1:1');
    expect(opened.message).not.toContain('redis-secret-3f1');
  });
});
