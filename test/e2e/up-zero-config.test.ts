/**
 * `plano up` with no config file (issue 17): it serves the config synthesised from the
 * environment — here an Ollama the test stands in for (OLLAMA_HOST), found by its /api/version —
 * and says, on stderr, what it did and how to save it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlanoUp, type PlanoUp } from './up-process.js';

let ollama: Server;
let host: string;
let dir: string;
let gateway: PlanoUp | undefined;
const asked: string[] = [];

beforeAll(async () => {
  ollama = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    if (req.url === '/api/version') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"version":"0.12.0"}');
    req.resume();
    req.on('end', () =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'llama3.1', choices: [{ index: 0, message: { role: 'assistant', content: 'hi from ollama' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }),
      ),
    );
  });
  await new Promise<void>((resolve) => ollama.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(ollama.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'plano-up-zero-'));
});

afterAll(async () => {
  gateway?.kill();
  await gateway?.exited;
  await new Promise((resolve) => ollama.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('plano up without a config file', () => {
  it('serves the providers of the environment, an answering Ollama among them, and says how to save the config', async () => {
    gateway = await startPlanoUp([], { ANTHROPIC_API_KEY: 'sk-ant-zero', OLLAMA_HOST: host }, dir);
    expect(gateway.stderr()).toContain(`serving a config synthesised from your environment (keys from ANTHROPIC_API_KEY; other providers pass the client's key through; Ollama at http://${host})`);
    expect(gateway.stderr()).toContain('Save it with `plano init --from-env`');
    expect(gateway.stdout()).toContain('plano gateway for (environment) listening on');
    expect(gateway.stdout()).toMatch(/ollama\/\*/);

    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'ollama/llama3.1', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('hi from ollama');
    expect(asked).toContain('POST /v1/chat/completions');
  });
});
