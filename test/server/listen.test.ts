import { request, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenGateway, type RunningGateway } from '../../src/server/listen.js';
import { harness, jsonAnswer } from './gateway-harness.js';

let running: RunningGateway | undefined;
afterEach(async () => {
  await running?.stop(0);
  running = undefined;
});

interface Exchange {
  continued: boolean;
  status: number;
  body: string;
}

/** A POST with `Expect: 100-continue` whose body is sent only once the server says continue. */
function postExpectingContinue(url: string, body: string, declaredLength = Buffer.byteLength(body)): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(declaredLength), expect: '100-continue' },
    });
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ continued, status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('listenGateway: Expect: 100-continue', () => {
  it('a body declared larger than accepted gets 413 without 100 Continue; one within the limit is asked for', async () => {
    const { app, calls } = harness(() => jsonAnswer('anthropic-message.json'), { maxBodyBytes: 1024 });
    running = await listenGateway(app, { host: '127.0.0.1', port: 0 });
    const tooLarge = await postExpectingContinue(`${running.url}/v1/messages`, '', 4096);
    expect(tooLarge).toMatchObject({ continued: false, status: 413 });
    expect(JSON.parse(tooLarge.body).error.type).toBe('request_too_large');

    const small = JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });
    expect(await postExpectingContinue(`${running.url}/v1/messages`, small)).toMatchObject({ continued: true, status: 200 });
    expect(calls).toHaveLength(1);
  });

  it('other routes are told to continue', async () => {
    const { app } = harness(() => jsonAnswer('openai-chat-completion.json'));
    running = await listenGateway(app, { host: '127.0.0.1', port: 0 });
    expect(await postExpectingContinue(`${running.url}/v1/completions`, '{}')).toMatchObject({ continued: true, status: 404 });
  });
});
