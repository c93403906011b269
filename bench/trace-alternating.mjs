#!/usr/bin/env node
// What traces cost, measured inside one process: a `plano up` with `tracing` whose requests are
// traced in every other second only, its CPU per request counted for each kind of second — the
// whole process's (what every core together spends) and its main thread's (what limits the one
// event loop's throughput while another core has room: work moved to a worker thread leaves it). Two
// processes compared (bench:paired) each carry a bias of their own of up to ±4% — where the
// kernel places them — that no number of rounds removes; one process alternating every second
// has none, and the machine's drift falls on both kinds alike.
//
//   npm run bench:trace-alternating -- [--runs 3] [--duration 30] [--sampling 100] [--root DIR]
//
// The alternation is not in plano: this copies a build (this checkout's, or DIR's) into
// bench/.tmp/trace-alternating and edits its dist/server/model-request.js there — the one line
// that starts a request's trace, made conditional on the second, and the counting beside it. It
// stops with an error if that line is not found exactly once (the code moved: update PATCH_LINE).
// Load: 32 connections of non-streaming chat completions for `--duration` seconds after a 5 s
// warm-up; spans go over OTLP/HTTP protobuf to bench/otlp-sink.mjs in a process of its own.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, installCleanup, startChild, stopAllChildren, stopChild, waitForHttp } from './gateway/children.mjs';
import { runLoad } from './gateway/load.mjs';
import { PLANO_MODELS, startPlano, writePlanoConfig } from './gateway/plano.mjs';
import { median } from './gateway/report.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const tmpDir = join(benchDir, '.tmp', 'trace-alternating');

const PATCH_LINE = 'const trace = deps.tracing?.startRequest(request.headers, request.startedAt);';
const PATCHED_LINE = 'const trace = alternatingSecond() ? deps.tracing?.startRequest(request.headers, request.startedAt) : undefined;';
/** Put before the module: counts requests and CPU per kind of second; written to ALTERNATING_OUT as the process exits. */
const COUNTING = `import { readFileSync as readAlternating, writeFileSync as writeAlternating } from 'node:fs';
const alternating = { second: -1, cpu: undefined, main: 0, requests: 0, totals: [{ cpu: 0, main: 0, requests: 0 }, { cpu: 0, main: 0, requests: 0 }] };
process.on('exit', () => writeAlternating(process.env.ALTERNATING_OUT, JSON.stringify(alternating.totals)));
/** The main thread's time on a CPU in µs (the kernel's schedstat, in ns), or NaN where there is none (not Linux). */
function mainThreadCpu() {
  try {
    return Number(readAlternating(\`/proc/self/task/\${process.pid}/schedstat\`, 'latin1').split(' ')[0]) / 1000;
  } catch {
    return NaN;
  }
}
/** Whether a request arriving now is traced: in odd seconds. */
function alternatingSecond() {
  const second = Math.floor(performance.now() / 1000);
  if (second !== alternating.second) {
    const cpu = process.cpuUsage();
    const main = mainThreadCpu();
    if (alternating.second >= 0) {
      const totals = alternating.totals[alternating.second % 2];
      totals.cpu += cpu.user - alternating.cpu.user + (cpu.system - alternating.cpu.system);
      totals.main += main - alternating.main;
      totals.requests += alternating.requests;
    }
    alternating.second = second;
    alternating.cpu = cpu;
    alternating.main = main;
    alternating.requests = 0;
  }
  alternating.requests++;
  return second % 2 === 1;
}
`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      duration: { type: 'string', default: '30' },
      sampling: { type: 'string', default: '100' },
      root: { type: 'string', default: join(benchDir, '..') },
    },
  });
  const number = (name, min, max) => {
    const n = Number(values[name]);
    if (!(n >= min && n <= max)) throw new Error(`--${name}: expected a number from ${min} to ${max}, got "${values[name]}"`);
    return n;
  };
  return { runs: number('runs', 1, 50), duration: number('duration', 5, 600), sampling: number('sampling', 0, 100), root: resolve(values.root) };
}

/** A copy of the build at `root` whose model requests are traced in odd seconds only. */
function alternatingCopy(root) {
  const copy = join(tmpDir, 'plano');
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(copy, { recursive: true });
  for (const entry of ['bin', 'dist', 'package.json']) {
    if (!existsSync(join(root, entry))) throw new Error(`${root} has no ${entry}: build it first (npm install, or node scripts/build.mjs)`);
    cpSync(join(root, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  const file = join(copy, 'dist', 'server', 'model-request.js');
  const source = readFileSync(file, 'utf8');
  const found = source.split(PATCH_LINE).length - 1;
  if (found !== 1) throw new Error(`dist/server/model-request.js holds the line that starts a trace ${found} times, not once: update PATCH_LINE in bench/trace-alternating.mjs`);
  writeFileSync(file, COUNTING + source.replace(PATCH_LINE, PATCHED_LINE));
  return copy;
}

async function run(options, copy, index) {
  const logDir = join(tmpDir, `run-${index}`);
  mkdirSync(logDir, { recursive: true });
  const mockPort = await freePort();
  const mock = startChild({ name: 'mock', command: process.execPath, args: [join(benchDir, 'mock-upstream.mjs'), '--port', String(mockPort)], logDir });
  await waitForHttp(mock, `http://127.0.0.1:${mockPort}/healthz`);
  const sinkPort = await freePort();
  const sink = startChild({ name: 'otlp-sink', command: process.execPath, args: [join(benchDir, 'otlp-sink.mjs'), '--port', String(sinkPort)], logDir });
  await waitForHttp(sink, `http://127.0.0.1:${sinkPort}/healthz`);
  const out = join(logDir, 'seconds.json');
  // A file left by an earlier run would be read as this one's if this plano did not write its own.
  rmSync(out, { force: true });
  const config = writePlanoConfig(join(logDir, 'config'), mockPort, `tracing:\n  random_sampling: ${options.sampling}\n`);
  const env = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`, ALTERNATING_OUT: out };
  const port = await freePort();
  const plano = await startPlano({ root: copy, configPath: config, port, workers: 1, workersFlag: false, logDir, env });
  const route = { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: {}, model: PLANO_MODELS.chat };
  await runLoad({ route, scenario: 'json', connections: 32, duration: 5 });
  const load = await runLoad({ route, scenario: 'json', connections: 32, duration: options.duration });
  await stopChild(plano, 10_000);
  await stopAllChildren();
  if (!existsSync(out)) throw new Error(`plano did not write its counts as it exited (${out}): did it stop when asked? See ${logDir}`);
  const [untraced, traced] = JSON.parse(readFileSync(out, 'utf8'));
  return {
    untraced: untraced.cpu / untraced.requests,
    traced: traced.cpu / traced.requests,
    untracedMain: untraced.main / untraced.requests,
    tracedMain: traced.main / traced.requests,
    rps: load.rps,
    errors: load.errors,
  };
}

/** A difference with its sign: +1.2, −0.4. */
const signed = (n) => `${n < 0 ? '−' : '+'}${Math.abs(n).toFixed(1)}`;

async function main() {
  const options = parseOptions();
  installCleanup();
  const copy = alternatingCopy(options.root);
  console.log(`trace-alternating: ${options.runs} run(s) of ${options.duration} s, random_sampling ${options.sampling} in the traced seconds (${options.root})`);
  const results = [];
  for (let i = 1; i <= options.runs; i++) {
    const r = await run(options, copy, i);
    results.push(r);
    console.log(
      `run ${i}: untraced ${r.untraced.toFixed(1)} µs/request, traced ${r.traced.toFixed(1)}: ${signed(r.traced - r.untraced)} µs, CPU ratio ${(r.untraced / r.traced).toFixed(3)}; ` +
        `main thread ${r.untracedMain.toFixed(1)} → ${r.tracedMain.toFixed(1)}: ${signed(r.tracedMain - r.untracedMain)} µs, ratio ${(r.untracedMain / r.tracedMain).toFixed(3)} (${Math.round(r.rps)} req/s, ${r.errors} errors)`,
    );
  }
  const added = median(results.map((r) => r.traced - r.untraced));
  const ratio = median(results.map((r) => r.untraced / r.traced));
  const mainAdded = median(results.map((r) => r.tracedMain - r.untracedMain));
  const mainRatio = median(results.map((r) => r.untracedMain / r.tracedMain));
  console.log(`median: ${signed(added)} µs a request, CPU ratio ${ratio.toFixed(3)} (untraced/traced: the throughput a gateway keeps when every core is busy)`);
  console.log(`main thread: ${signed(mainAdded)} µs a request, ratio ${mainRatio.toFixed(3)} (the throughput one event loop keeps with a core to spare for the rest)`);
}

main().catch(async (error) => {
  console.error(`trace-alternating: ${error.message}`);
  await stopAllChildren();
  process.exit(1);
});
