// A second reference for the gateway benchmark, opt-in (`--only …,undici`): the bare proxy's
// forwarding with its upstream side on undici's Agent.dispatch — the client plano uses — instead
// of node:http. The request body is read whole and sent as one Buffer (as plano does), the
// response relayed chunk by chunk with backpressure; nothing is parsed. It shows how much of a
// gateway's cost per request is the HTTP client rather than the gateway's own work.
//
//   node bench/undici-forwarder.mjs --port N --upstream http://127.0.0.1:M
import http from 'node:http';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    upstream: { type: 'string' },
  },
});
if (!args.upstream) {
  process.stderr.write('undici-forwarder: --upstream http://host:port is required\n');
  process.exit(2);
}
const origin = new URL(args.upstream).origin;
const agent = new Agent({ keepAliveTimeout: 4_000 });

// Hop-by-hop headers belong to one connection (RFC 9110 §7.6.1); `host` is undici's to set.
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function forwardedRequestHeaders(headers) {
  const out = {};
  for (const name in headers) if (!NOT_FORWARDED.has(name)) out[name] = headers[name];
  return out;
}

function forwardedResponseHeaders(raw) {
  const out = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toString('latin1').toLowerCase();
    if (!NOT_FORWARDED.has(name)) out[name] = raw[i + 1].toString('latin1');
  }
  return out;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let abortUpstream;
    res.on('close', () => {
      if (!res.writableFinished) abortUpstream?.(new Error('the client went away'));
    });
    agent.dispatch(
      { origin, path: req.url, method: req.method, headers: forwardedRequestHeaders(req.headers), body: chunks.length > 0 ? Buffer.concat(chunks) : null },
      {
        onConnect(abort) {
          abortUpstream = abort;
        },
        onHeaders(status, rawHeaders, resume) {
          res.writeHead(status, forwardedResponseHeaders(rawHeaders));
          res.on('drain', resume);
          return true;
        },
        onData: (chunk) => res.write(chunk),
        onComplete: () => res.end(),
        onError(error) {
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`undici-forwarder: upstream error: ${error.message}`);
        },
      },
    );
  });
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(Number(args.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
