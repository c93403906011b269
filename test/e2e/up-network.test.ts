/**
 * `plano up` serving a config as Plano would on the networks people have (issue 14): the built
 * binary, driven by the OpenAI SDK (its own retries off, so every retry seen is plano's), in front
 * of providers on 127.0.0.1 —
 * - a scripted one: 503-503-200, a 429 with retry-after, a stream that breaks after its first byte;
 * - `${VAR}` in base_url and header values;
 * - a TLS provider whose certificate a private CA (made here by openssl) signed: a 502 that says
 *   why without `overrides.upstream_tls_ca_path`, served with it;
 * - a forward proxy: https:// upstreams through HTTPS_PROXY by CONNECT, http:// ones through
 *   http_proxy, NO_PROXY honoured.
 */
import OpenAI from 'openai';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makePrivateCa,
  startForwardProxy,
  startScriptedUpstream,
  startTlsUpstream,
  type ForwardProxy,
  type ScriptedUpstream,
  type TlsUpstream,
} from './network-fixtures.js';
import { plano as runPlano } from '../cli/run-plano.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

const KEY = 'sk-configured-openai';
const hello = [{ role: 'user' as const, content: 'Hello' }];

let dir: string;
let scripted: ScriptedUpstream;
let direct: ScriptedUpstream;
let tls: TlsUpstream;
let proxy: ForwardProxy;
let retrying: PlanoUp | undefined;
let proxied: PlanoUp | undefined;

const RETRYING_CONFIG = `version: v0.4.0
listeners:
  - name: llm
    type: model
    port: 12000
    max_retries: 2
model_providers:
  - model: openai/gpt-4o
    base_url: http://127.0.0.1:\${MOCK_PORT}
    access_key: $OPENAI_API_KEY
    default: true
    headers:
      x-team: \${TEAM}
  - model: openai/private-gpt
    base_url: \${PRIVATE_URL}
    access_key: $OPENAI_API_KEY
`;

const PROXIED_CONFIG = `version: v0.4.0
listeners:
  - name: llm
    type: model
    port: 12000
overrides:
  upstream_tls_ca_path: private-ca.pem
model_providers:
  - model: openai/private-gpt
    base_url: \${PRIVATE_URL}
    access_key: $OPENAI_API_KEY
    default: true
  - model: openai/plain-gpt
    base_url: \${PLAIN_URL}
    access_key: $OPENAI_API_KEY
  - model: openai/direct-gpt
    base_url: \${DIRECT_URL}
    access_key: $OPENAI_API_KEY
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plano-network-'));
  const ca = makePrivateCa(dir);
  [scripted, direct, tls, proxy] = await Promise.all([startScriptedUpstream(), startScriptedUpstream(), startTlsUpstream(ca), startForwardProxy()]);

  const retryingDir = join(dir, 'retrying');
  const proxiedDir = join(dir, 'proxied');
  await Promise.all([mkdir(retryingDir), mkdir(proxiedDir)]);
  await writeFile(join(retryingDir, 'plano_config.yaml'), RETRYING_CONFIG);
  await writeFile(join(proxiedDir, 'plano_config.yaml'), PROXIED_CONFIG);
  await copyFile(ca.caFile, join(proxiedDir, 'private-ca.pem'));

  [retrying, proxied] = await Promise.all([
    startPlanoUp([], { OPENAI_API_KEY: KEY, MOCK_PORT: new URL(scripted.url).port, TEAM: 'blue', PRIVATE_URL: tls.url }, retryingDir),
    startPlanoUp(
      [],
      {
        OPENAI_API_KEY: KEY,
        PRIVATE_URL: tls.url,
        PLAIN_URL: scripted.url,
        DIRECT_URL: direct.url,
        HTTPS_PROXY: proxy.url,
        http_proxy: proxy.url,
        NO_PROXY: new URL(direct.url).host,
      },
      proxiedDir,
    ),
  ]);
});

afterAll(async () => {
  retrying?.kill();
  proxied?.kill();
  await Promise.all([scripted?.close(), direct?.close(), tls?.close(), proxy?.close()]);
  await rm(dir, { recursive: true, force: true });
});

/** An OpenAI client whose requests carry `x-script: <id>` (plano forwards it), with the SDK's own retries off. */
const client = (plano: PlanoUp, script?: string): OpenAI =>
  new OpenAI({ baseURL: `${plano.url}/v1`, apiKey: 'unused', maxRetries: 0, defaultHeaders: script ? { 'x-script': script } : {} });

describe('max_retries: 2', () => {
  it('503, 503, 200: the client gets the answer; the access log says attempts=3', async () => {
    scripted.script('flaky', [{ status: 503 }, { status: 503 }, { status: 200 }]);
    const from = retrying!.stderr().length;
    const completion = await client(retrying!, 'flaky').chat.completions.create({ model: 'gpt-4o', messages: hello });
    expect(completion.choices[0]!.message.content).toBe('Hello! How can I help you today?');
    expect(scripted.received('flaky')).toHaveLength(3);
    const line = await retrying!.waitForStderr(/POST \/v1\/chat\/completions .*\n/, from);
    expect(line).toMatch(/ 200 .*attempts=3 retry="openai\/gpt-4o: HTTP 503; again after \d+ ms" retry="openai\/gpt-4o: HTTP 503; again after \d+ ms"/);
  });

  it("a 429 with retry-after: the next attempt waits what the upstream asked", async () => {
    scripted.script('limited', [{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
    const completion = await client(retrying!, 'limited').chat.completions.create({ model: 'gpt-4o', messages: hello });
    expect(completion.object).toBe('chat.completion');
    const [first, second] = scripted.received('limited');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('attempts run out: the client gets the last status, in its own shape', async () => {
    scripted.script('down', [{ status: 502 }, { status: 503 }, { status: 500 }]);
    const failed = await client(retrying!, 'down').chat.completions.create({ model: 'gpt-4o', messages: hello }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(OpenAI.InternalServerError);
    expect((failed as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    expect((failed as Error).message).toContain('scripted 500');
    expect(scripted.received('down')).toHaveLength(3);
  });

  it('a stream that breaks after its first byte reached the client is not retried: the SDK raises', async () => {
    scripted.script('breaks', ['stream-breaks-after-first-event']);
    const stream = await client(retrying!, 'breaks').chat.completions.create({ model: 'gpt-4o', messages: hello, stream: true });
    const read = (async () => {
      for await (const _chunk of stream) {
        // read to the end
      }
    })();
    await expect(read).rejects.toThrow();
    expect(scripted.received('breaks')).toHaveLength(1);
  });
});

describe('${VAR} in the config', () => {
  it('base_url and header values are substituted from the environment plano up started with', async () => {
    scripted.script('vars', [{ status: 200 }]);
    await client(retrying!, 'vars').chat.completions.create({ model: 'gpt-4o', messages: hello });
    const [request] = scripted.received('vars');
    expect(request!.headers['x-team']).toBe('blue');
    expect(retrying!.stdout()).toContain(`${scripted.url}/v1/chat/completions`);
    expect(retrying!.stdout()).not.toContain('${');
  });
});

describe('a private CA', () => {
  it('without overrides.upstream_tls_ca_path: a 502 that says why and what to set, not retried', async () => {
    const failed = await client(retrying!).chat.completions.create({ model: 'private-gpt', messages: hello }).catch((error: unknown) => error);
    expect((failed as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((failed as Error).message).toContain('not signed by a CA plano trusts');
    expect((failed as Error).message).toContain('overrides.upstream_tls_ca_path');
    expect(tls.requests()).toBe(0);
  });

  it('with it (through the proxy, by CONNECT): served', async () => {
    const completion = await client(proxied!).chat.completions.create({ model: 'private-gpt', messages: hello });
    expect(completion.object).toBe('chat.completion');
    expect(tls.requests()).toBe(1);
    expect(proxy.tunnels).toContain(new URL(tls.url).host);
  });
});

describe('HTTPS_PROXY, http_proxy, NO_PROXY', () => {
  it('says at startup where upstream calls go', () => {
    expect(proxied!.stdout()).toContain(
      `Upstream calls: https:// upstreams through ${proxy.url}; http:// upstreams through ${proxy.url}; not for NO_PROXY=${new URL(direct.url).host}.`,
    );
    expect(retrying!.stdout()).not.toContain('Upstream calls:');
  });

  it('an http:// upstream goes through the proxy as an absolute-form request', async () => {
    const completion = await client(proxied!).chat.completions.create({ model: 'plain-gpt', messages: hello });
    expect(completion.object).toBe('chat.completion');
    expect(proxy.forwarded).toContain(`${scripted.url}/v1/chat/completions`);
  });

  it('an upstream NO_PROXY names is called directly', async () => {
    const before = proxy.tunnels.length + proxy.forwarded.length;
    const completion = await client(proxied!, 'direct').chat.completions.create({ model: 'direct-gpt', messages: hello });
    expect(completion.object).toBe('chat.completion');
    expect(direct.received('direct')).toHaveLength(1);
    expect(proxy.tunnels.length + proxy.forwarded.length).toBe(before);
  });
});

describe('a CA bundle that cannot be used', () => {
  it('is a startup error naming the file and what to do, not a failure on the first request', async () => {
    const config = join(dir, 'missing-ca.yaml');
    await writeFile(config, PROXIED_CONFIG.replace('private-ca.pem', 'no-such-ca.pem'));
    const run = await runPlano(['up', config, '--port', '0'], { env: { OPENAI_API_KEY: KEY, PRIVATE_URL: tls.url, PLAIN_URL: scripted.url, DIRECT_URL: direct.url } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`cannot read overrides.upstream_tls_ca_path ${join(dir, 'no-such-ca.pem')}: ENOENT`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
