#!/usr/bin/env node
// What the tracing stage's own work costs the event loop, in a loop with nothing else around it:
// a request's span started, an attempt's span started and its `traceparent` made, both ended,
// the spans encoded as the exporter does (64 at a time, batches handed to the export thread,
// which sends them to bench/otlp-sink.mjs). The requests' entries are made from a parsed JSON
// body in both loops; the untraced loop makes only those, and its time is the floor subtracted.
// In place of the gateway's ±2 µs from run to run (bench:trace-alternating), this resolves
// ~0.1 µs: use it to compare builds' stages, and the gateway benches for what a change is worth
// among everything else a request does (there the stage costs several times more: its code and
// data are cold between requests).
//
//   npm run bench:trace-stage -- [--requests 100000] [--reps 7] [--runs 3] [--root DIR] [--compare DIR]
//
// Each build runs `--runs` times in a process of its own, builds interleaved; each process runs
// `--reps` loops of `--requests` after a warm-up, and reports its fastest loop (the least
// disturbed). Fewer requests leave V8 less warmed up (20,000 × 2 read ~2.6 µs where the default
// reads ~1.4): compare runs of the same size.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, installCleanup, startChild, stopAllChildren, waitForHttp } from './gateway/children.mjs';
import { builtRoots, wholeNumber } from './gateway/options.mjs';
import { median } from './gateway/report.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    reps: { type: 'string', default: '7' },
    runs: { type: 'string', default: '3' },
    root: { type: 'string', default: join(benchDir, '..') },
    compare: { type: 'string' },
    // Internal: one measuring process.
    child: { type: 'string' },
    endpoint: { type: 'string' },
  },
});


/** The loop's sizes, checked (the measuring processes are given the same flags). */
function options() {
  return { requests: wholeNumber(values, 'requests', 1000, 10_000_000), reps: wholeNumber(values, 'reps', 1, 100), runs: wholeNumber(values, 'runs', 1, 50) };
}

const BODY = '{"model":"gpt-4o-mini","usage":{"input_tokens":19,"output_tokens":9}}';

/** A request's access-log entry as the pipeline leaves it, its values from a parsed body (fresh strings each time, as in the gateway). */
function entryOf(startedAt) {
  const parsed = JSON.parse(BODY);
  return {
    time: Date.now(),
    method: 'POST',
    path: '/v1/chat/completions',
    api: 'chat',
    requested: parsed.model,
    model: 'openai/gpt-4o-mini',
    provider: 'openai',
    upstreamModel: parsed.model,
    stream: false,
    status: 200,
    ttfbMs: performance.now() - startedAt,
    totalMs: performance.now() - startedAt,
    usage: parsed.usage,
    error: null,
    route: null,
    routingNotes: [],
    notes: [],
    attempts: 1,
    retries: [],
    upstreamUrl: 'http://127.0.0.1:40001/v1/chat/completions',
  };
}

/** One measuring process: ns a request, traced and untraced, fastest of the loops. */
async function child(root, endpoint) {
  const { openTracing } = await import(pathToFileURL(join(root, 'dist', 'server', 'tracing.js')).href);
  const { tracing } = await openTracing({ raw: { tracing: { random_sampling: 100 } } }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint });
  const headers = { host: '127.0.0.1', 'content-type': 'application/json', authorization: 'Bearer sk-bench' };
  const traced = () => {
    const startedAt = performance.now();
    const trace = tracing.startRequest(headers, startedAt);
    const attempt = trace.attempt('http://127.0.0.1:40001', '/v1/chat/completions');
    if (attempt.traceparent.length !== 55) throw new Error('unexpected traceparent');
    attempt.end(200);
    trace.end(entryOf(startedAt));
  };
  const untraced = () => {
    const entry = entryOf(performance.now());
    if (entry.requested === undefined) throw new Error('unreachable');
  };
  const { requests, reps } = options();
  const loop = async (one, count) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      one();
      // Let the exporter's timers and the hand-over to its thread run, as between requests.
      if (i % 64 === 63) await new Promise((done) => setImmediate(done));
    }
    return Number(process.hrtime.bigint() - started) / count;
  };
  const fastest = async (one) => {
    await loop(one, 20_000);
    const times = [];
    for (let rep = 0; rep < reps; rep++) times.push(await loop(one, requests));
    return Math.min(...times);
  };
  const floor = await fastest(untraced);
  const withTraces = await fastest(traced);
  // Builds before session 11 did not keep the process alive while their export thread closed.
  const keepAlive = setTimeout(() => {}, 10_000);
  await tracing.close();
  clearTimeout(keepAlive);
  process.stdout.write(`${JSON.stringify({ floor, traced: withTraces })}\n`);
}

async function main() {
  const roots = builtRoots(values, join('dist', 'server', 'tracing.js'));
  const { runs } = options();
  installCleanup();
  const logDir = join(benchDir, '.tmp', 'trace-stage');
  mkdirSync(logDir, { recursive: true });
  const sinkPort = await freePort();
  const sink = startChild({ name: 'otlp-sink', command: process.execPath, args: [join(benchDir, 'otlp-sink.mjs'), '--port', String(sinkPort)], logDir });
  await waitForHttp(sink, `http://127.0.0.1:${sinkPort}/healthz`);
  const endpoint = `http://127.0.0.1:${sinkPort}/v1/traces`;
  const results = new Map(roots.map((root) => [root, []]));
  try {
    for (let run = 1; run <= runs; run++) {
      for (const root of roots) {
        const args = [fileURLToPath(import.meta.url), '--child', root, '--endpoint', endpoint, '--requests', values.requests, '--reps', values.reps];
        const out = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 600_000 });
        if (out.status !== 0) throw new Error(`the measuring process for ${root} exited ${out.status ?? out.signal}: ${out.stderr.trim()}`);
        const { floor, traced } = JSON.parse(out.stdout.trim().split('\n').pop());
        results.get(root).push({ floor, traced, stage: traced - floor });
        console.log(`run ${run} ${root}: the stage ${((traced - floor) / 1000).toFixed(2)} µs a traced request (loop ${(traced / 1000).toFixed(2)}, floor ${(floor / 1000).toFixed(2)})`);
      }
    }
  } finally {
    await stopAllChildren();
  }
  for (const [root, rows] of results) {
    console.log(`${root}: the stage ${(median(rows.map((r) => r.stage)) / 1000).toFixed(2)} µs a traced request (median of ${rows.length}; runs ${rows.map((r) => (r.stage / 1000).toFixed(2)).join(', ')})`);
  }
}

try {
  if (values.child) await child(resolve(values.child), values.endpoint);
  else await main();
} catch (error) {
  process.stderr.write(`bench:trace-stage: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
