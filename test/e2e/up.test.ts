/**
 * `plano up` end to end: the built binary in front of a mock provider on 127.0.0.1, driven by
 * the official OpenAI and Anthropic SDKs. One gateway process (with --watch) serves every case;
 * the last ones edit its config and then stop it with SIGTERM in the middle of a stream.
 */
import Anthropic from '@anthropic-ai/sdk';
import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import OpenAI from 'openai';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { plano as runPlano } from '../cli/run-plano.js';
import { CONFIGURED_KEYS as ENV, startGatewayOnMock, type GatewayOnMock } from './gateway-on-mock.js';
import type { MockUpstream } from './up-mock-upstream.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

const CLIENT_KEY = 'sk-client-own-key';

let gateway: GatewayOnMock | undefined;
let mock: MockUpstream;
let plano: PlanoUp;
let dir: string;
let configText: string;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  gateway = await startGatewayOnMock(['--watch'], 'plano-up-');
  ({ mock, plano, dir, configText } = gateway);
  openai = new OpenAI({ baseURL: `${plano.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: plano.url, apiKey: CLIENT_KEY, maxRetries: 0 });
});

afterAll(() => gateway?.stop());

const lastReceived = () => mock.received[mock.received.length - 1]!;
const hello = [{ role: 'user' as const, content: 'Hello' }];

describe('plano up, same-format traffic through the official SDKs', () => {
  it('starts with the URL and the model table on stdout', () => {
    expect(plano.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(plano.stdout()).toContain('openai/gpt-4o (default)');
    // gateway.yaml has nothing plano up leaves unserved: no notice.
    expect(plano.stdout()).not.toContain('not served');
    // An unset key is a warning: the gateway starts anyway.
    expect(plano.stderr()).toContain('MISTRAL_API_KEY, which is not set');
    // The environment is read once, at start: both places say so, and say the same.
    expect(plano.stderr()).toContain('set it and start plano up again (the environment is read once, at start)');
  });

  it('OpenAI SDK: chat completion, with the configured key and not the client one', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages: hello });
    expect(completion.choices[0]!.message.content).toBe('Hello! How can I help you today?');
    const upstream = lastReceived();
    expect(upstream.path).toBe('/v1/chat/completions');
    expect(upstream.headers.authorization).toBe(`Bearer ${ENV.OPENAI_API_KEY}`);
    expect(JSON.stringify(upstream.headers)).not.toContain(CLIENT_KEY);
  });

  it('OpenAI SDK: streamed chat completion with usage', async () => {
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages: hello, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Hello there!');
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 3 });
    await plano.waitForStderr(/POST \/v1\/chat\/completions gpt-4o → openai\/gpt-4o \[openai\] stream 200 .*tokens=9\/3/);
  });

  it('Anthropic SDK: a message, with the configured x-api-key', async () => {
    const message = await anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: hello });
    expect(message.content[0]).toEqual({ type: 'text', text: 'Hi! My name is Claude.' });
    const upstream = lastReceived();
    expect(upstream.path).toBe('/v1/messages');
    expect(upstream.headers['x-api-key']).toBe(ENV.ANTHROPIC_API_KEY);
    // The SDK's own anthropic-version goes along (the gateway adds one only when a client sends none).
    expect(upstream.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(JSON.stringify(upstream.headers)).not.toContain(CLIENT_KEY);
  });

  it('Anthropic SDK: a streamed message', async () => {
    const stream = anthropic.messages.stream({ model: 'anthropic/claude-sonnet-4-20250514', max_tokens: 64, messages: hello });
    const final = await stream.finalMessage();
    expect(final.content).toHaveLength(1);
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Hello!' });
    expect(final.usage.output_tokens).toBe(15);
  });

  it('OpenAI SDK: responses, plain and streamed', async () => {
    const response = await openai.responses.create({ model: 'gpt-4o', input: 'Tell me a story' });
    expect(response.output_text).toContain('a unicorn named Lumina');
    expect(lastReceived().path).toBe('/v1/responses');

    const stream = await openai.responses.create({ model: 'gpt-4o', input: 'Tell me a story', stream: true });
    let text = '';
    let completed = false;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = true;
    }
    expect(text).toBe('Hi there!');
    expect(completed).toBe(true);
  });

  it('passthrough auth: the client key arrives, the configured key does not', async () => {
    const completion = await openai.chat.completions.create({ model: 'litellm/team-model', messages: hello });
    expect(completion.choices[0]!.message.content).toBe('Hello! How can I help you today?');
    const upstream = lastReceived();
    expect(upstream.path).toBe('/litellm/chat/completions');
    expect(upstream.headers.authorization).toBe(`Bearer ${CLIENT_KEY}`);
    expect(upstream.headers.host).toBe('llm-proxy.internal');
    expect(upstream.headers['x-team']).toBe('research');
    for (const configured of Object.values(ENV)) expect(JSON.stringify(upstream.headers)).not.toContain(configured);
  });

  it('an unset key: 401 naming the variable, in each SDK’s error type, and no upstream call', async () => {
    const before = mock.received.length;
    const openaiError = await openai.chat.completions.create({ model: 'mistral-large-latest', messages: hello }).catch((e: unknown) => e);
    expect(openaiError).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((openaiError as Error).message).toContain('MISTRAL_API_KEY');
    expect((openaiError as Error).message).toContain('start `plano up` again: the environment is read once, when it starts');
    expect((openaiError as Error).message).not.toContain('no restart');
    const anthropicError = await anthropic.messages.create({ model: 'mistral-large-latest', max_tokens: 8, messages: hello }).catch((e: unknown) => e);
    expect(anthropicError).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((anthropicError as Error).message).toContain('MISTRAL_API_KEY');
    expect(mock.received.length).toBe(before);
  });

  it('an unknown model: 404 with a did-you-mean, in each SDK’s error type', async () => {
    const openaiError = await openai.chat.completions.create({ model: 'gpt-4o-mni', messages: hello }).catch((e: unknown) => e);
    expect(openaiError).toBeInstanceOf(OpenAI.NotFoundError);
    expect((openaiError as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect((openaiError as Error).message).toContain("Did you mean 'gpt-4o-mini'");
    const anthropicError = await anthropic.messages.create({ model: 'claude-sonet-4-20250514', max_tokens: 8, messages: hello }).catch((e: unknown) => e);
    expect(anthropicError).toBeInstanceOf(Anthropic.NotFoundError);
    expect((anthropicError as Error).message).toContain("Did you mean 'claude-sonnet-4-20250514'");
  });

  it('no model named: the default model serves (curl-style request)', async () => {
    const res = await fetch(`${plano.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: hello }),
    });
    expect(res.status).toBe(200);
    expect(lastReceived().body.model).toBe('gpt-4o');
  });

  it('an alias serves its target', async () => {
    await openai.chat.completions.create({ model: 'fast', messages: hello });
    expect(lastReceived().body.model).toBe('gpt-4o-mini');
  });

  it('a client that goes away mid-stream: the upstream request is abandoned too', async () => {
    const from = plano.stderr().length;
    const abandoned = mock.nextAbandonedStream();
    const client = new AbortController();
    const res = await fetch(`${plano.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-pace-ms': '100' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: hello }),
      signal: client.signal,
    });
    await res.body!.getReader().read();
    client.abort();
    await abandoned;
    await plano.waitForStderr(/gpt-4o → openai\/gpt-4o \[openai\] stream 499 /, from);
  });

  it('GET /v1/models through the SDK', async () => {
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toContain('openai/gpt-4o');
    expect(ids).toContain('anthropic/claude-sonnet-4-20250514');
  });

  it('messages.countTokens: an Anthropic model counts upstream, an OpenAI one with its tokenizer, any other gets a labelled estimate; never a 404', async () => {
    const counted = await anthropic.messages.countTokens({ model: 'claude-sonnet-4-20250514', messages: hello });
    expect(counted).toEqual({ input_tokens: 17 });
    expect(lastReceived()).toMatchObject({ path: '/v1/messages/count_tokens', body: { model: 'claude-sonnet-4-20250514', messages: hello } });
    expect(lastReceived().headers['x-api-key']).toBe(ENV.ANTHROPIC_API_KEY);
    const before = mock.received.length;
    const request = { system: 'Be brief.', messages: [{ role: 'user' as const, content: 'Count the tokens of this sentence, please.' }] };
    const { data, response } = await anthropic.messages.countTokens({ model: 'gpt-4o', ...request }).withResponse();
    // o200k_base's own count of the two texts, plus 3 for the message and 3 to prime the answer.
    const encoder = new Tiktoken(o200k);
    expect(data.input_tokens).toBe(encoder.encode('Be brief.').length + encoder.encode(request.messages[0]!.content).length + 3 + 3);
    expect(response.headers.get('x-plano-token-count')).toBe('tiktoken/o200k_base');
    const estimated = await anthropic.messages.countTokens({ model: 'ollama/llama3.1', system: 'Be brief.', messages: [{ role: 'user', content: 'x'.repeat(400) }] }).withResponse();
    expect(estimated.data.input_tokens).toBe(Math.ceil(('Be brief.'.length + 400) / 4) + 3);
    expect(estimated.response.headers.get('x-plano-token-count')).toBe('estimate');
    expect(mock.received.length).toBe(before);
  });

  it('models.retrieve through the OpenAI SDK; models.list and models.retrieve through the Anthropic SDK, in its shape', async () => {
    expect(await openai.models.retrieve('openai/gpt-4o')).toEqual({ id: 'openai/gpt-4o', object: 'model', created: 0, owned_by: 'openai' });
    expect(await openai.models.retrieve('fast')).toMatchObject({ id: 'fast', object: 'model', owned_by: 'openai' });
    await expect(openai.models.retrieve('openai/gpt-5-nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    const listed: string[] = [];
    for await (const model of anthropic.models.list({ limit: 3 })) {
      expect(model).toMatchObject({ type: 'model', display_name: model.id, created_at: '1970-01-01T00:00:00.000Z' });
      listed.push(model.id);
    }
    const openaiIds = (await openai.models.list()).data.map((m) => m.id);
    // Paged by three, followed to the end by the SDK through has_more and last_id.
    expect(listed).toEqual(openaiIds);
    expect(await anthropic.models.retrieve('anthropic/claude-sonnet-4-20250514')).toMatchObject({ type: 'model', id: 'anthropic/claude-sonnet-4-20250514' });
    const missing = await anthropic.models.retrieve('claude-nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect((missing as Error).message).toContain("model 'claude-nope' is not served by this gateway");
  });

  it('OPTIONS /v1/models: the CORS preflight a browser page sends before listing with a key', async () => {
    const preflight = await fetch(`${plano.url}/v1/models`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
    const list = await fetch(`${plano.url}/v1/models`, { headers: { origin: 'http://localhost:5173', authorization: 'Bearer unused' } });
    expect(list.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('plano up --watch', () => {
  const configPath = () => join(dir, 'plano_config.yaml');

  it('a bad edit is reported and the running config stays in service', async () => {
    const from = plano.stderr().length;
    await writeFile(configPath(), configText + '  broken:\n    target: nowhere/model\n');
    await plano.waitForStderr(/has errors \(above\); still serving the previous config/, from);
    expect(plano.stderr().slice(from)).toContain('nowhere/model');
    await openai.chat.completions.create({ model: 'fast', messages: hello });
    expect(lastReceived().body.model).toBe('gpt-4o-mini');
  });

  it('an edit with an unresolved YAML alias is reported; the gateway stays up on the running config', async () => {
    const from = plano.stderr().length;
    await writeFile(configPath(), configText.replace(/^listeners:\n(?: .*\n)+/m, 'listeners: *nope\n'));
    await plano.waitForStderr(/has errors \(above\); still serving the previous config/, from);
    expect(plano.stderr().slice(from)).toMatch(/nope/);
    expect((await fetch(`${plano.url}/healthz`)).status).toBe(200);
    await openai.chat.completions.create({ model: 'fast', messages: hello });
    expect(lastReceived().body.model).toBe('gpt-4o-mini');
  });

  it('a save in UTF-16 is reported with how to fix it; the running config stays in service', async () => {
    const from = plano.stderr().length;
    await writeFile(configPath(), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(configText, 'utf16le')]));
    await plano.waitForStderr(/plano_config\.yaml is UTF-16 text; still serving the previous config\n {2}Save it as UTF-8/, from);
    await openai.chat.completions.create({ model: 'fast', messages: hello });
    expect(lastReceived().body.model).toBe('gpt-4o-mini');
  });

  it('a good edit, saved by renaming a new file over the old one, is served', async () => {
    const from = plano.stderr().length;
    const next = join(dir, 'plano_config.yaml.tmp');
    await writeFile(next, configText + '  smart:\n    target: openai/gpt-4o\n');
    await rename(next, configPath());
    await plano.waitForStderr(/reloaded plano_config\.yaml/, from);
    await openai.chat.completions.create({ model: 'smart', messages: hello });
    expect(lastReceived().body.model).toBe('gpt-4o');
  });
});

describe('plano up shutdown', () => {
  it('SIGTERM during a stream: the stream finishes, new connections are refused, exit 0', async () => {
    const stream = await openai.chat.completions.create(
      { model: 'gpt-4o', messages: hello, stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-mock-pace-ms': '100' } },
    );
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);

    const from = plano.stderr().length;
    plano.child.kill('SIGTERM');
    await plano.waitForStderr(/shutting down; waiting up to 10s for 1 in-flight request/, from);
    await expect(fetch(`${plano.url}/healthz`)).rejects.toThrow();

    let text = first.value!.choices[0]?.delta.content ?? '';
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) text += next.value.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello there!');
    expect(await plano.exited).toBe(0);
  });
});

describe('plano up refuses to start', () => {
  it('on a config with errors: the findings as validate prints them, exit 1', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, configText.replace('model: openai/gpt-4o-mini', 'model: gpt-4o-mini'));
    const run = await runPlano(['up', bad, '--port', '0'], { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bad\.yaml:\d+:\d+: error:/);
    expect(run.stdout).toBe('');
  });

  it('on a port in use: says so and how to pick another, exit 2', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = await runPlano(['up', join(dir, 'plano_config.yaml'), '--port', String(port)], { env: ENV });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
      expect(run.stderr).toContain('--port 0 picks a free port');
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});

describe('what plano up does not serve', () => {
  it('is named at startup, once: each unserved section, with the words "not served"', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'plano-not-served-'));
    await writeFile(
      join(folder, 'plano_config.yaml'),
      'version: v0.4.0\nlisteners:\n  - name: llm\n    type: model\n    port: 12000\n  - name: prompts\n    type: prompt\n    port: 10000\n' +
        'model_providers:\n  - model: openai/gpt-4o\n    access_key: $OPENAI_API_KEY\n' +
        'tracing:\n  random_sampling: 100\nprompt_targets:\n  - name: weather\n    description: the weather\n    endpoint:\n      name: app\n      path: /weather\n' +
        'endpoints:\n  app:\n    endpoint: 127.0.0.1:80\n',
    );
    const up = await startPlanoUp([], { OPENAI_API_KEY: 'sk-x' }, folder);
    try {
      const lines = up.stdout().split('\n').filter((l) => l.includes('not served'));
      expect(lines).toEqual(['Sections not served by plano up (model traffic only): prompt_targets, endpoints, listener prompts (type prompt).']);
      // A tracing section with nowhere to send spans is said too, as a warning.
      expect(up.stderr()).toContain('tracing: no spans are exported');
    } finally {
      up.kill();
      await up.exited;
      await rm(folder, { recursive: true, force: true });
    }
  });
});
