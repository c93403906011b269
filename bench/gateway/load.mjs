// What the benchmark sends and how it measures: the request bodies, a sanity check of each
// route before it is loaded, autocannon runs (requests/s and latency percentiles), and a
// time-to-first-byte probe for streams (autocannon times whole responses only).
import http from 'node:http';
import { createParser } from 'eventsource-parser';
import autocannon from 'autocannon';

/**
 * The scenarios: `json` is a non-streaming chat completion, `stream` a streaming one, both to an
 * OpenAI-style upstream; `cross` is the same streaming chat request answered by an Anthropic
 * upstream, so the gateway translates every event.
 */
/**
 * `burst` scenarios ask the mock for its chunks back to back (`x-bench-chunk-ms: 0`): the run is
 * CPU-bound, so it measures what each chunk costs the gateway (issue 14's cross-format target)
 * where the paced ones measure what a client sees. `sameFormat` names the same-format scenario a
 * cross-format one is compared with; `ttfb` whether time to first byte is probed.
 */
export const SCENARIOS = {
  json: { label: 'non-streaming', stream: false },
  stream: { label: 'streaming', stream: true, ttfb: true },
  cross: { label: 'streaming, chat → anthropic', stream: true, ttfb: true, sameFormat: 'stream' },
  burst: { label: 'streaming, back to back', stream: true, headers: { 'x-bench-chunk-ms': '0' } },
  'cross-burst': { label: 'back to back, chat → anthropic', stream: true, headers: { 'x-bench-chunk-ms': '0' }, sameFormat: 'burst' },
  // [issue 15] A Responses client on an Anthropic model: a new conversation, and one that
  // continues a stored response (state_storage: the history read, the answer stored).
  responses: { label: 'responses → anthropic', stream: false, responses: true },
  continued: { label: 'responses, continuing a stored one', stream: false, responses: true },
};

/** The request body of a scenario: a chat completion, or a Responses request (continuing `route.previousId`). */
export function scenarioBody(scenario, route, { maxTokens } = {}) {
  if (!SCENARIOS[scenario].responses) return chatBody(route.model, { stream: SCENARIOS[scenario].stream, maxTokens });
  return JSON.stringify({ model: route.model, input: 'Say hello.', ...(route.previousId ? { previous_response_id: route.previousId } : {}) });
}

/** A chat completions request body; `maxTokens` caps the mock's chunk count (TTFB probe). */
export function chatBody(model, { stream, maxTokens } = {}) {
  const body = { model, messages: [{ role: 'user', content: 'Say hello.' }] };
  if (stream) body.stream = true;
  if (maxTokens !== undefined) body.max_tokens = maxTokens;
  return JSON.stringify(body);
}

export function requestHeaders(route, scenario) {
  return {
    'content-type': 'application/json',
    authorization: 'Bearer sk-bench-client',
    ...SCENARIOS[scenario]?.headers,
    ...route.headers,
  };
}

function post(url, headers, body) {
  return fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
}

/**
 * One request of the scenario through `route`, checked for what a client needs: a chat completion,
 * or a stream of `expectedChunks` content deltas ending in `[DONE]`. Resolves to null when it
 * is right, or to what is wrong: a target that answers errors is not measured.
 */
export async function checkRoute(route, scenario, expectedChunks) {
  const { stream, responses } = SCENARIOS[scenario];
  let response;
  try {
    response = await post(route.url, requestHeaders(route, scenario), scenarioBody(scenario, route));
  } catch (error) {
    return `request failed: ${error.cause?.code ?? error.message}`;
  }
  const text = await response.text();
  if (response.status !== 200) return `HTTP ${response.status}: ${text.slice(0, 300)}`;
  if (responses) {
    try {
      const answer = JSON.parse(text);
      return answer.status === 'completed' && answer.output?.length > 0 ? null : `not a completed response: ${text.slice(0, 200)}`;
    } catch {
      return `not JSON: ${text.slice(0, 200)}`;
    }
  }
  if (!stream) {
    try {
      const content = JSON.parse(text).choices?.[0]?.message?.content;
      return typeof content === 'string' && content.length > 0 ? null : `no choices[0].message.content in ${text.slice(0, 200)}`;
    } catch {
      return `not JSON: ${text.slice(0, 200)}`;
    }
  }
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/event-stream')) return `content-type is ${contentType || 'missing'}, not text/event-stream`;
  let chunks = 0;
  let done = false;
  let problem = null;
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') {
        done = true;
        return;
      }
      try {
        const content = JSON.parse(event.data).choices?.[0]?.delta?.content;
        if (typeof content === 'string' && content.length > 0) chunks += 1;
      } catch {
        problem ??= `an event is not JSON: ${event.data.slice(0, 120)}`;
      }
    },
  });
  parser.feed(text);
  if (problem) return problem;
  if (!done) return `the stream has no [DONE] (${chunks} content chunks): ${text.slice(-200)}`;
  if (chunks !== expectedChunks) return `${chunks} content chunks arrived, the upstream sent ${expectedChunks}`;
  return null;
}

/** One autocannon run. Latencies are autocannon's (whole milliseconds). */
export async function runLoad({ route, scenario, connections, duration }) {
  const result = await autocannon({
    url: route.url,
    method: 'POST',
    headers: requestHeaders(route, scenario),
    body: scenarioBody(scenario, route),
    connections,
    pipelining: 1,
    duration,
    timeout: 10,
  });
  return {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    errors: result.errors + result.non2xx,
    timeouts: result.timeouts,
    duration: result.duration,
  };
}

/**
 * Time to first streamed byte, in ms: `samples` sequential requests over one keep-alive
 * connection, each timed from writing the request to the first body byte (the first chunk, not
 * the headers, which a gateway may send before the upstream has answered).
 */
export async function probeTtfb({ route, samples, warmup = 5 }) {
  const url = new URL(route.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = chatBody(route.model, { stream: true, maxTokens: 2 });
  const headers = { ...requestHeaders(route), 'content-length': Buffer.byteLength(body) };
  const times = [];
  try {
    for (let i = 0; i < warmup + samples; i += 1) {
      const ms = await new Promise((resolve, reject) => {
        let start;
        const req = http.request(
          { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent },
          (res) => {
            let first = null;
            res.once('data', () => {
              first = Number(process.hrtime.bigint() - start) / 1e6;
            });
            res.on('end', () => {
              if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
              else if (first === null) reject(new Error('empty stream'));
              else resolve(first);
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
        start = process.hrtime.bigint();
        req.end(body);
      });
      if (i >= warmup) times.push(ms);
    }
  } finally {
    agent.destroy();
  }
  return times;
}
