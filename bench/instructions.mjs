#!/usr/bin/env node
// What a request costs in instructions, not seconds: `plano up` runs under valgrind's callgrind,
// which counts every instruction each thread executes, and a fixed number of requests is sent
// while the count is on. A count does not move with what else the machine is doing — a CPU-time
// bench on a shared 2-core machine moves ±10% from run to run, which hides a change of a few µs;
// this one resolves it. It is not a time: a cache miss and a system call's kernel work are not in
// it, and V8 under valgrind compiles when it compiles, so a run differs from the next by a little
// (each target is run `--runs` times; medians reported).
//
//   npm run bench:instructions -- [--requests 2000] [--warmup 6000] [--runs 2] [--sampling 100]
//                                 [--root DIR] [--compare DIR] [--functions 30]
//
// Targets: plano without `tracing`, and with it (spans over OTLP/HTTP protobuf to
// bench/otlp-sink.mjs), both the build at --root (default: this checkout); with --compare, the
// same two of a second build. Load: 32 connections of non-streaming chat completions (autocannon,
// not under valgrind), after `--warmup` requests sent with the count off so that V8 has compiled
// the request path. `--functions N` also lists the N functions whose count on the main thread grew
// most with traces on (JIT-compiled code named from V8's /tmp/perf-<pid>.map). Needs valgrind
// (Debian's package). Seen here: the same build's count moves by up to ±5% from run to run (how
// many young-generation collections fall in the window), and by less for code V8 does not
// collect for.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, installCleanup, logTail, startChild, stopAllChildren, stopChild, waitForHttp } from './gateway/children.mjs';
import { builtRoots, wholeNumber } from './gateway/options.mjs';
import { requestHeaders, scenarioBody } from './gateway/load.mjs';
import { PLANO_MODELS, writePlanoConfig } from './gateway/plano.mjs';
import { median } from './gateway/report.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const tmpDir = join(benchDir, '.tmp', 'instructions');

function parseOptions() {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '2000' },
      warmup: { type: 'string', default: '6000' },
      runs: { type: 'string', default: '2' },
      sampling: { type: 'string', default: '100' },
      root: { type: 'string', default: join(benchDir, '..') },
      compare: { type: 'string' },
      functions: { type: 'string', default: '0' },
    },
  });
  const number = (name, min, max) => wholeNumber(values, name, min, max);
  const roots = builtRoots(values, join('dist', 'cli'));
  return {
    requests: number('requests', 100, 1_000_000),
    warmup: number('warmup', 0, 1_000_000),
    runs: number('runs', 1, 20),
    sampling: number('sampling', 0, 100),
    functions: number('functions', 0, 1000),
    roots,
  };
}

function callgrindControl(args) {
  const result = spawnSync('callgrind_control', args, { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`callgrind_control ${args.join(' ')} exited ${result.status ?? result.signal}: ${`${result.stdout}${result.stderr}`.trim()}`);
}

/** `amount` requests over 32 connections; throws on any failure (a count over failed requests would mean nothing). */
async function send(route, amount) {
  const result = await autocannon({
    url: route.url,
    method: 'POST',
    headers: requestHeaders(route, 'json'),
    body: scenarioBody('json', route),
    connections: 32,
    pipelining: 1,
    amount,
    timeout: 120,
  });
  const failed = result.errors + result.non2xx + result.timeouts;
  if (failed > 0 || result['2xx'] !== amount) throw new Error(`${failed} of ${amount} requests failed (${result['2xx']} answered 2xx)`);
}

/**
 * Instructions each thread of one plano executed over `requests` requests, by callgrind's
 * thread number (1 is the main thread, the event loop).
 */
async function countOne({ root, traced, options, run }) {
  const runDir = join(tmpDir, `${traced ? 'traced' : 'untraced'}-${run}-${Buffer.from(root).toString('base64url').slice(-12)}`);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const mockPort = await freePort();
  const mock = startChild({ name: 'mock', command: process.execPath, args: [join(benchDir, 'mock-upstream.mjs'), '--port', String(mockPort)], logDir: runDir });
  await waitForHttp(mock, `http://127.0.0.1:${mockPort}/healthz`);
  const sinkPort = await freePort();
  const sink = startChild({ name: 'otlp-sink', command: process.execPath, args: [join(benchDir, 'otlp-sink.mjs'), '--port', String(sinkPort)], logDir: runDir });
  await waitForHttp(sink, `http://127.0.0.1:${sinkPort}/healthz`);
  const config = writePlanoConfig(join(runDir, 'config'), mockPort, traced ? `tracing:\n  random_sampling: ${options.sampling}\n` : '');
  const port = await freePort();
  const outPrefix = join(runDir, 'callgrind.out');
  const plano = startChild({
    name: 'plano',
    command: 'valgrind',
    args: [
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      // V8 writes the code it runs: valgrind must notice code changing outside files.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${outPrefix}.%p`,
      process.execPath,
      // Names for the code V8 compiles (/tmp/perf-<pid>.map), to attribute the count to JS functions.
      ...(options.functions > 0 ? ['--perf-basic-prof'] : []),
      join(root, 'bin', 'plano.js'),
      'up',
      config,
      '--port',
      String(port),
      '--workers',
      '1',
    ],
    // --perf-basic-prof also has V8 write isolate-*.log files where it runs: in the run's folder, not the checkout.
    cwd: runDir,
    env: {
      PLANO_BENCH_OPENAI_KEY: 'sk-bench-openai',
      PLANO_BENCH_ANTHROPIC_KEY: 'sk-ant-bench',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
    },
    logDir: runDir,
  });
  try {
    await waitForHttp(plano, `http://127.0.0.1:${port}/healthz`, { timeoutMs: 300_000 });
    const route = { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: {}, model: PLANO_MODELS.chat };
    if (options.warmup > 0) await send(route, options.warmup);
    const pid = String(plano.child.pid);
    callgrindControl(['--instr=on', pid]);
    await send(route, options.requests);
    callgrindControl(['--instr=off', pid]);
    callgrindControl(['--dump', pid]);
  } catch (error) {
    throw new Error(`${error.message}\n${logTail(plano)}`);
  } finally {
    await stopChild(plano, 60_000);
    await stopAllChildren();
  }
  return { threads: threadTotals(runDir), functions: options.functions > 0 ? mainThreadFunctions(runDir, options.requests) : new Map() };
}

/**
 * The main thread's count by function, per request: callgrind_annotate's list, with the addresses
 * of JIT-compiled code named from the perf map V8 wrote (`--perf-basic-prof`).
 */
function mainThreadFunctions(runDir, requests) {
  const dump = readdirSync(runDir).find((name) => /^callgrind\.out\.\d+\.1-01$/.test(name));
  if (!dump) return new Map();
  const pid = /^callgrind\.out\.(\d+)/.exec(dump)[1];
  const mapPath = `/tmp/perf-${pid}.map`;
  const code = [];
  if (existsSync(mapPath)) {
    for (const line of readFileSync(mapPath, 'utf8').split('\n')) {
      const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
      if (m) code.push({ start: parseInt(m[1], 16), end: parseInt(m[1], 16) + parseInt(m[2], 16), name: m[3] });
    }
    rmSync(mapPath, { force: true });
  }
  code.sort((a, b) => a.start - b.start);
  const nameAt = (address) => {
    let lo = 0;
    let hi = code.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (code[mid].start > address) hi = mid - 1;
      else if (code[mid].end <= address) lo = mid + 1;
      else return code[mid].name;
    }
    return '(JIT code not in the perf map)';
  };
  const annotated = spawnSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', join(runDir, dump)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const costs = new Map();
  for (const line of annotated.stdout.split('\n')) {
    const m = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line);
    if (!m || m[2].startsWith('PROGRAM TOTALS')) continue;
    const address = /^\?\?\?:0x([0-9a-f]+) /.exec(m[2]);
    const name = address ? nameAt(parseInt(address[1], 16)) : m[2].replace(/^\?\?\?:/, '').replace(/ \[.*\]$/, '').replace(/\(.*$/, '');
    costs.set(name, (costs.get(name) ?? 0) + Number(m[1].replaceAll(',', '')) / requests);
  }
  return costs;
}

/** Each thread's instruction total in the dumps callgrind wrote (`--dump`: one file per thread). */
function threadTotals(runDir) {
  const byThread = new Map();
  for (const name of readdirSync(runDir)) {
    if (!name.startsWith('callgrind.out.')) continue;
    const text = readFileSync(join(runDir, name), 'utf8');
    const thread = Number(/^thread: (\d+)$/m.exec(text)?.[1]);
    const total = Number(/^totals: (\d+)/m.exec(text)?.[1]);
    if (!Number.isFinite(thread) || !Number.isFinite(total)) continue;
    byThread.set(thread, (byThread.get(thread) ?? 0) + total);
  }
  if (!byThread.has(1)) throw new Error(`callgrind wrote no count for the main thread in ${runDir}`);
  return byThread;
}

const thousands = (n) => (n / 1000).toFixed(1);

async function main() {
  const options = parseOptions();
  if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('valgrind is not installed (apt-get install -y valgrind)');
  installCleanup();
  console.log(
    `instructions: ${options.requests} requests counted after ${options.warmup} uncounted, 32 connections, ${options.runs} run(s) a target, random_sampling ${options.sampling} when traced`,
  );
  const rows = [];
  for (let run = 1; run <= options.runs; run++) {
    // Interleaved: each build's two targets, then the next build's, then again.
    for (const root of options.roots) {
      for (const traced of [false, true]) {
        const { threads, functions } = await countOne({ root, traced, options, run });
        const main = threads.get(1) / options.requests;
        const all = [...threads.values()].reduce((a, b) => a + b, 0) / options.requests;
        rows.push({ root, traced, main, all, functions });
        console.log(`run ${run} ${root} ${traced ? 'traced  ' : 'untraced'}: main thread ${thousands(main)} k instructions a request, all threads ${thousands(all)} k (${threads.size} threads)`);
      }
    }
  }
  for (const root of options.roots) {
    const of = (traced, key) => median(rows.filter((r) => r.root === root && r.traced === traced).map((r) => r[key]));
    const [um, tm, ua, ta] = [of(false, 'main'), of(true, 'main'), of(false, 'all'), of(true, 'all')];
    console.log(
      `${root}: main thread ${thousands(um)} → ${thousands(tm)} k (+${thousands(tm - um)} k, ratio ${(um / tm).toFixed(3)}); ` +
        `all threads ${thousands(ua)} → ${thousands(ta)} k (+${thousands(ta - ua)} k, ratio ${(ua / ta).toFixed(3)})`,
    );
    if (options.functions > 0) printFunctionGrowth(rows.filter((r) => r.root === root), options.functions);
  }
}

/** The functions whose main-thread count a request grew most with traces on (means over runs). */
function printFunctionGrowth(rows, top) {
  const mean = (traced) => {
    const of = rows.filter((r) => r.traced === traced);
    const total = new Map();
    for (const row of of) for (const [name, cost] of row.functions) total.set(name, (total.get(name) ?? 0) + cost / of.length);
    return total;
  };
  const [untraced, traced] = [mean(false), mean(true)];
  const growth = [...new Set([...untraced.keys(), ...traced.keys()])]
    .map((name) => ({ name, untraced: untraced.get(name) ?? 0, traced: traced.get(name) ?? 0 }))
    .sort((a, b) => b.traced - b.untraced - (a.traced - a.untraced))
    .slice(0, top);
  console.log('  instructions a request, untraced → traced (main thread), by function:');
  for (const f of growth) console.log(`  ${f.untraced.toFixed(0).padStart(8)} → ${f.traced.toFixed(0).padStart(8)}  ${f.name.slice(0, 120)}`);
}

main().catch(async (error) => {
  console.error(`instructions: ${error.message}`);
  await stopAllChildren();
  process.exit(1);
});
