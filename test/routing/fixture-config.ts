/** The routing fixtures (fixtures/routing/), loaded for tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { normalizeConfig } from '../../src/config/normalize.js';
import type { PlanoConfig } from '../../src/config/types.js';
import type { JsonObject } from '../../src/translate/types.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/routing/', import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8');
}

export function fixtureJson(name: string): JsonObject {
  return JSON.parse(fixtureText(name)) as JsonObject;
}

/**
 * fixtures/routing/plano_config.yaml with its placeholder hosts pointed at the test's mock
 * servers (`http://router.test` → the router, `http://upstream.test` → the models).
 */
export function routingConfigText(urls: { router?: string; upstream?: string } = {}): string {
  return fixtureText('plano_config.yaml')
    .replaceAll('http://router.test', urls.router ?? 'http://router.test')
    .replaceAll('http://upstream.test', urls.upstream ?? 'http://upstream.test');
}

export function routingConfig(urls: { router?: string; upstream?: string } = {}): PlanoConfig {
  return normalizeConfig(parse(routingConfigText(urls)));
}
