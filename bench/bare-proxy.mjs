// The floor of the gateway benchmark: the least a Node proxy can do per request. node:http
// only, one keep-alive agent to the upstream, bodies piped both ways, nothing parsed. Every
// gateway's number is read against this one: on a 2-core machine shared with the load generator
// and the mock upstream, it, not the direct run, is the ceiling for a proxy.
//
//   node bench/bare-proxy.mjs --port N --upstream http://127.0.0.1:M
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    upstream: { type: 'string' },
  },
});
if (!args.upstream) {
  process.stderr.write('bare-proxy: --upstream http://host:port is required\n');
  process.exit(2);
}
const upstream = new URL(args.upstream);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });

// Hop-by-hop headers belong to one connection and are not forwarded (RFC 9110 §7.6.1); Node
// writes its own framing (content-length or chunked) for each side.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];
function endToEnd(headers) {
  for (const name of HOP_BY_HOP) delete headers[name];
  return headers;
}

const server = http.createServer((req, res) => {
  const upstreamReq = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: endToEnd(req.headers),
      agent,
    },
    (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, endToEnd(upstreamRes.headers));
      upstreamRes.pipe(res);
    },
  );
  upstreamReq.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`bare-proxy: upstream error: ${error.message}`);
  });
  // A client that goes away mid-stream takes its upstream request with it.
  res.on('close', () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });
  req.pipe(upstreamReq);
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(Number(args.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
