/**
 * A tiny HTTP server on 127.0.0.1 that answers every request with the body it was last given,
 * so the real `openai` and `@anthropic-ai/sdk` clients can parse a translated stream exactly as
 * they would parse Plano's. Each test file starts one and stops it in `afterAll`.
 */
import Anthropic from '@anthropic-ai/sdk';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';

export interface ReplayServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** What the next requests get. */
  respondWith(body: string, contentType?: string): void;
  close(): Promise<void>;
}

export async function startReplayServer(): Promise<ReplayServer> {
  let body = '';
  let contentType = 'text/event-stream';
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': contentType });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    respondWith(next, type = 'text/event-stream') {
      body = next;
      contentType = type;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The replay server and the two SDKs pointed at it, for the tests of one `describe`. */
export interface ReplayClients {
  respondWith(body: string, contentType?: string): void;
  readonly openai: OpenAI;
  readonly anthropic: Anthropic;
}

/** Starts a replay server before the enclosing `describe`'s tests and stops it after them. */
export function useReplayServer(): ReplayClients {
  let server: ReplayServer | undefined;
  let openai: OpenAI | undefined;
  let anthropic: Anthropic | undefined;
  beforeAll(async () => {
    server = await startReplayServer();
    openai = new OpenAI({ baseURL: `${server.origin}/v1`, apiKey: 'test', maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: server.origin, apiKey: 'test', maxRetries: 0 });
  });
  afterAll(() => server?.close());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the replay server starts in beforeAll');
    return value;
  };
  return {
    respondWith: (body, contentType) => started(server).respondWith(body, contentType),
    get openai() {
      return started(openai);
    },
    get anthropic() {
      return started(anthropic);
    },
  };
}
