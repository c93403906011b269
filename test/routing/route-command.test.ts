/**
 * `plano route` end to end: the built binary against a mock router model (and a mock cost
 * catalogue) on 127.0.0.1. Run `npm run build` first (the test script does).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { plano as runPlano, type Run } from '../cli/run-plano.js';
import { fixtureJson, fixtureText, routingConfigText } from './fixture-config.js';
import { chatAnswer, startMockUpstream, type MockReply, type MockUpstream } from './mock-upstream.js';

let answer: () => MockReply = () => chatAnswer('{"route": []}');
let mock: MockUpstream;
let dir: string;

beforeAll(async () => {
  mock = await startMockUpstream((request) =>
    request.path === '/models.dev.json' ? { body: fixtureJson('models.dev.json') } : answer(),
  );
  dir = mkdtempSync(join(tmpdir(), 'plano-route-'));
  writeFileSync(join(dir, 'plano_config.yaml'), routingConfigText({ router: mock.url, upstream: mock.url }));
  writeFileSync(join(dir, 'broken.yaml'), routingConfigText({ router: mock.url, upstream: mock.url }).replace('default: true', 'default: yes please'));
});
afterAll(async () => {
  await mock.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  mock.requests.length = 0;
});

/** `plano …` in the test's directory, `stdin` piped in. */
const plano = (args: string[], stdin?: string): Promise<Run> => runPlano(args, { cwd: dir, ...(stdin !== undefined ? { stdin } : {}) });

describe('plano route', () => {
  it('asks the router model with the fixture prompt and prints the decision as JSON', async () => {
    answer = () => chatAnswer('{"route": ["code generation"]}');
    const conversation = fixtureText('conversation.chat.json');
    const { code, stdout, stderr } = await plano(['route', '--format', 'json'], conversation);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      ...fixtureJson('decision-code-generation.json'),
      router: { model: 'plano/Arch-Router-1.5B', url: `${mock.url}/v1/chat/completions` },
    });
    const routerRequest = mock.requests.find((r) => r.path === '/v1/chat/completions');
    expect(routerRequest?.json).toEqual({
      model: 'Arch-Router-1.5B',
      messages: [{ role: 'user', content: fixtureText('router-prompt.txt') }],
      temperature: 0.01,
    });
  });

  it('prints a message argument routed with single quotes, ranked cheapest first from the cost source', async () => {
    answer = () => chatAnswer("{'route': ['complex reasoning']}");
    const { code, stdout } = await plano(['route', 'plano_config.yaml', 'prove that there are infinitely many primes']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      'route:  complex reasoning\n' +
        'models: openai/gpt-4.1, openai/gpt-5\n' +
        'serves: openai/gpt-4.1\n' +
        'how:    asked the router model\n' +
        'why:    the router matched route "complex reasoning"\n' +
        `router: plano/Arch-Router-1.5B (${mock.url}/v1/chat/completions)\n`,
    );
    expect(mock.requests.map((r) => r.path).sort()).toEqual(['/models.dev.json', '/v1/chat/completions']);
  });

  it('falls back to the default model when the router does not answer within --timeout', async () => {
    answer = () => 'hang';
    const { code, stdout } = await plano(['route', '--timeout', '200ms', '--format', 'json', 'a limerick about cats']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      route: null,
      models: ['openai/gpt-4o-mini'],
      model: 'openai/gpt-4o-mini',
      source: 'default',
      reason: 'the router did not answer within 200 ms',
    });
  });

  it('does not route a request body that names a model', async () => {
    const body = JSON.stringify({ model: 'openai/gpt-4.1', input: 'write a sonnet' });
    const { code, stdout } = await plano(['route'], body);
    expect(code).toBe(0);
    expect(stdout).toContain('route:  (not routed)\n');
    expect(stdout).toContain('serves: openai/gpt-4.1\n');
    expect(mock.requests).toHaveLength(0);
  });

  it('exits 1 with the findings when the config has errors', async () => {
    const { code, stdout, stderr } = await plano(['route', 'broken.yaml', 'hello']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/broken\.yaml:\d+:\d+/);
    expect(stderr).toContain('plano: broken.yaml has errors; fix them to route with it');
    expect(mock.requests).toHaveLength(0);
  });

  it('exits 2 for stdin that is not a conversation', async () => {
    const { code, stderr } = await plano(['route'], '{"messages": ');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^plano: stdin is not JSON: /);
  });
});
