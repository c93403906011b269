#!/usr/bin/env node
// A stand-in OTLP/HTTP collector for `npm run bench:gateway -- --tracing`: accepts every
// POST /v1/traces (and answers GET /healthz), reads and drops the body. Its own process, so the
// spans plano exports cost the load generator's event loop nothing.
//
//   node bench/otlp-sink.mjs --port N
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
let spansBytes = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return void res.end('ok');
  req.on('data', (chunk) => (spansBytes += chunk.length));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
server.listen(Number(values.port), '127.0.0.1');
process.on('SIGTERM', () => {
  process.stdout.write(`received ${spansBytes} bytes of spans\n`);
  process.exit(0);
});
