// A mock model upstream for the gateway benchmark: OpenAI chat completions and Anthropic
// messages on one 127.0.0.1 port, each as a fixed small JSON response or as a paced SSE stream.
//
//   node bench/mock-upstream.mjs --port N [--chunks 20] [--chunk-ms 5]
//   (a request's `x-bench-chunk-ms: N` header sets its own pace; 0 writes the chunks back to back)
//
// POST */chat/completions  → chat.completion, or with "stream": true N chat.completion.chunk
//                            events then `data: [DONE]`
// POST */messages          → an Anthropic message, or with "stream": true the Anthropic event
//                            sequence (message_start … N content_block_delta … message_stop)
// GET  /healthz            → 200
//
// A stream's first content chunk is written as soon as the request body has arrived (so time to
// first byte measures the path, not the mock), the rest `chunk-ms` apart, like a model emitting
// tokens: a gateway that batches or delays chunks shows up as lower streaming throughput and a
// later first byte. `max_tokens` / `max_completion_tokens` in the request caps the number of
// content chunks (the TTFB probe asks for 2 so that each sample is short).
//
// The request body is parsed (the mock has to know `stream`); that cost is the same for every
// target, so it cancels out of every ratio.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    chunks: { type: 'string', default: '20' },
    'chunk-ms': { type: 'string', default: '5' },
  },
});
const chunkCount = Number(args.chunks);
const chunkMs = Number(args['chunk-ms']);
const CREATED = 1700000000;

const chatCompletion = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: CREATED,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello from the mock upstream.', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 },
  }),
);

const anthropicMessage = Buffer.from(
  JSON.stringify({
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [{ type: 'text', text: 'Hello from the mock upstream.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 9, output_tokens: 7 },
  }),
);

const chatChunk = (delta, finishReason) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  })}\n\n`;

const anthropicEvent = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/** The SSE text of one stream, as the writes the mock makes (index i is sent at i × chunk-ms). */
function streamWrites(api, contentChunks) {
  const writes = [];
  for (let i = 0; i < contentChunks; i += 1) {
    const text = `tok${i} `;
    if (api === 'chat') {
      writes.push(chatChunk(i === 0 ? { role: 'assistant', content: text } : { content: text }, null));
    } else {
      const head =
        i === 0
          ? anthropicEvent('message_start', {
              message: {
                id: 'msg_bench',
                type: 'message',
                role: 'assistant',
                model: 'claude-sonnet-4-5',
                content: [],
                stop_reason: null,
                stop_sequence: null,
                usage: { input_tokens: 9, output_tokens: 1 },
              },
            }) + anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })
          : '';
      writes.push(head + anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }));
    }
  }
  const tail =
    api === 'chat'
      ? chatChunk({}, 'stop') + 'data: [DONE]\n\n'
      : anthropicEvent('content_block_stop', { index: 0 }) +
        anthropicEvent('message_delta', {
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: contentChunks },
        }) +
        anthropicEvent('message_stop', {});
  writes[writes.length - 1] += tail;
  return writes.map((text) => Buffer.from(text));
}

// Precomputed per (api, chunk count): the hot path only writes buffers.
const streamCache = new Map();
function cachedStream(api, contentChunks) {
  const key = `${api}:${contentChunks}`;
  let writes = streamCache.get(key);
  if (!writes) {
    writes = streamWrites(api, contentChunks);
    streamCache.set(key, writes);
  }
  return writes;
}

function sendStream(res, writes, pace) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (pace === 0) {
    // Back to back: every chunk written at once (the socket sends them as it can).
    for (const write of writes) res.write(write);
    res.end();
    return;
  }
  let next = 0;
  const writeNext = () => {
    if (res.destroyed) return;
    res.write(writes[next]);
    next += 1;
    if (next === writes.length) res.end();
    else setTimeout(writeNext, pace);
  };
  writeNext();
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

const errorBody = (message) => Buffer.from(JSON.stringify({ error: { message, type: 'invalid_request_error' } }));

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  const path = req.url.split('?')[0];
  const api = path.endsWith('/chat/completions') ? 'chat' : path.endsWith('/messages') ? 'messages' : null;
  if (req.method !== 'POST' || api === null) {
    sendJson(res, 404, errorBody(`mock upstream: no route for ${req.method} ${req.url}`));
    return;
  }
  // A credential must arrive where the API wants it: catches a misrouted or unauthenticated
  // gateway configuration in the benchmark's sanity check instead of measuring error replies.
  const credential = api === 'chat' ? req.headers.authorization : req.headers['x-api-key'];
  if (!credential) {
    sendJson(res, 401, errorBody(`mock upstream: missing ${api === 'chat' ? 'Authorization' : 'x-api-key'}`));
    return;
  }
  const parts = [];
  req.on('data', (part) => parts.push(part));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8'));
    } catch {
      sendJson(res, 400, errorBody('mock upstream: request body is not JSON'));
      return;
    }
    if (body.stream !== true) {
      sendJson(res, 200, api === 'chat' ? chatCompletion : anthropicMessage);
      return;
    }
    const cap = body.max_completion_tokens ?? body.max_tokens;
    const contentChunks = Number.isInteger(cap) && cap > 0 ? Math.min(cap, chunkCount) : chunkCount;
    // `x-bench-chunk-ms` overrides --chunk-ms for one request (0: back to back).
    const paceHeader = req.headers['x-bench-chunk-ms'];
    sendStream(res, cachedStream(api, contentChunks), paceHeader === undefined ? chunkMs : Number(paceHeader));
  });
});
// Longer than any client's idle pool timeout, so a pooled upstream socket is never closed under
// a gateway that is about to reuse it (a reset there would count against the gateway).
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(Number(args.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
