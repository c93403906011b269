#!/usr/bin/env node
// npm run bench:gateway — plano up measured side by side with the Portkey gateway, a bare
// node:http proxy (the floor) and the mock upstream itself (direct), under the same autocannon
// load; writes the "Gateway" section of bench/RESULTS.md. See issue 6 for the targets.
//
//   npm run bench:gateway -- [--quick] [--rounds N] [--duration S] [--only plano,bare,portkey,direct,undici]
//                            [--workers 1,2] [--connections 1,32,256] [--scenarios json,stream,cross,burst,cross-burst,responses,continued]
//                            [--profile] [--no-build] [--no-write] [--plano-root DIR]
//                            [--plano-node-flags="--max-semi-space-size=8 …"] [--postgres-url postgresql://…] [--tracing [--tracing-sampling N]]
//
// Everything listens on 127.0.0.1; every process started here is stopped at the end, also on an
// error or Ctrl-C. plano is run from dist/ (built first unless --no-build) — of this checkout, or
// of another one given with --plano-root (to compare two builds); Portkey is installed into
// bench/.tmp/portkey, which is kept between runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  cpuSecondsOf,
  freePort,
  installCleanup,
  logTail,
  memoryOf,
  sampleMemory,
  startChild,
  stopAllChildren,
  stopChild,
  waitForHttp,
} from './gateway/children.mjs';
import { checkRoute, probeTtfb, runLoad, SCENARIOS } from './gateway/load.mjs';
import { PLANO_MODELS, probePlanoUp, startPlano, writePlanoConfig } from './gateway/plano.mjs';
import { installPortkey, portkeyHeaders, startPortkey } from './gateway/portkey.mjs';
import { renderSection, writeResultsSection } from './gateway/report.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const tmpDir = join(benchDir, '.tmp');
const logDir = join(tmpDir, 'logs');
const TARGET_KEYS = ['direct', 'bare', 'plano', 'portkey', 'undici'];
/** What runs unless --only says otherwise: `undici` (bench/undici-forwarder.mjs) is a reference for side runs. */
const DEFAULT_TARGETS = ['direct', 'bare', 'plano', 'portkey'];

const list = (text, what, allowed) => {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (allowed && !allowed.includes(item)) throw new Error(`--${what}: unknown "${item}" (one of ${allowed.join(', ')})`);
  }
  return items;
};
const positive = (text, what) => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${what}: expected a positive number, got "${text}"`);
  return n;
};

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string', default: DEFAULT_TARGETS.join(',') },
      workers: { type: 'string', default: '1,2' },
      connections: { type: 'string', default: '1,32,256' },
      scenarios: { type: 'string', default: Object.keys(SCENARIOS).join(',') },
      chunks: { type: 'string', default: '20' },
      'chunk-ms': { type: 'string', default: '5' },
      'ttfb-samples': { type: 'string' },
      'portkey-version': { type: 'string', default: '1.15.2' },
      'plano-root': { type: 'string', default: root },
      'plano-node-flags': { type: 'string', default: '' },
      'postgres-url': { type: 'string' },
      tracing: { type: 'boolean', default: false },
      'tracing-sampling': { type: 'string', default: '100' },
      profile: { type: 'boolean', default: false },
      build: { type: 'boolean', default: true },
      'no-build': { type: 'boolean', default: false },
      write: { type: 'boolean', default: true },
      'no-write': { type: 'boolean', default: false },
      out: { type: 'string', default: join(benchDir, 'RESULTS.md') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick;
  return {
    help: values.help,
    quick,
    rounds: positive(values.rounds ?? (quick ? '1' : '3'), 'rounds'),
    duration: positive(values.duration ?? (quick ? '1' : '5'), 'duration'),
    warmup: positive(values.warmup ?? (quick ? '0.5' : '2'), 'warmup'),
    only: list(values.only, 'only', TARGET_KEYS),
    workers: list(values.workers, 'workers').map((w) => positive(w, 'workers')),
    connections: list(values.connections, 'connections').map((c) => positive(c, 'connections')),
    scenarios: list(values.scenarios, 'scenarios', Object.keys(SCENARIOS)),
    chunks: positive(values.chunks, 'chunks'),
    chunkMs: Number(values['chunk-ms']),
    ttfbSamples: positive(values['ttfb-samples'] ?? (quick ? '20' : '100'), 'ttfb-samples'),
    portkeyVersion: values['portkey-version'],
    planoRoot: values['plano-root'],
    planoNodeFlags: values['plano-node-flags'].split(' ').filter(Boolean),
    postgresUrl: values['postgres-url'],
    tracing: values.tracing,
    tracingSampling: Number(values['tracing-sampling']),
    profile: values.profile,
    build: values.build && !values['no-build'],
    write: values.write && !values['no-write'],
    out: values.out,
  };
}

const log = (line) => process.stdout.write(`${line}\n`);

/** The id of a response the route's gateway stores now: what the `continued` scenario continues. */
async function storedResponseId(route) {
  const response = await fetch(route.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: route.model, input: 'Remember this.' }),
  });
  const answer = await response.json();
  if (typeof answer.id !== 'string') throw new Error(`no response id from ${route.url}: ${JSON.stringify(answer).slice(0, 200)}`);
  return answer.id;
}

function gitCommit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    // The results file itself is not code that was measured.
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench', ':!bench/RESULTS.md'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** The share of all CPUs' time spent idle over the next `ms` (from os.cpus() times). */
async function idleShare(ms) {
  const total = () => os.cpus().reduce((sum, cpu) => ({ idle: sum.idle + cpu.times.idle, all: sum.all + Object.values(cpu.times).reduce((a, b) => a + b, 0) }), { idle: 0, all: 0 });
  const before = total();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = total();
  return after.all === before.all ? 1 : (after.idle - before.idle) / (after.all - before.all);
}

/** The targets that answer every scenario's request correctly; the others go to `skipped`. */
async function checkRoutes(targets, scenarios, chunks, skipped) {
  for (const target of targets) {
    for (const scenario of scenarios) {
      const route = target.routes[scenario];
      if (!route) continue;
      const problem = await checkRoute(route, scenario, chunks);
      if (problem) {
        log(`  ✗ ${target.label} (${SCENARIOS[scenario].label}): ${problem}`);
        skipped.push({ target: target.label, scenario: SCENARIOS[scenario].label, reason: `sanity check failed: ${problem}` });
        delete target.routes[scenario];
      } else log(`  ✓ ${target.label} (${SCENARIOS[scenario].label})`);
    }
  }
}

const rotate = (items, by) => items.map((_, i) => items[(i + by) % items.length]);
const alive = (target) => !target.process || (target.process.child.exitCode === null && target.process.child.signalCode === null);

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
    log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    return;
  }
  installCleanup();
  mkdirSync(logDir, { recursive: true });
  const notes = [];
  const skipped = [];
  const wants = (key) => options.only.includes(key);
  const loadBefore = loadAverage();
  // The load average of a VM can sit near 2 with its CPUs idle (tasks waiting on the host count):
  // how busy the machine is, before anything starts, is read from its CPU time instead.
  const idleBefore = await idleShare(2_000);
  const idleText = `${Math.round(idleBefore * 100)}% of CPU time idle over 2 s before the run`;

  log(`gateway benchmark${options.quick ? ' (quick: a harness check, not a measurement)' : ''}: ${os.cpus().length} cores, Node ${process.version}, load average ${loadBefore}, ${idleText}`);
  if (!options.quick && idleBefore < 0.9) {
    log(`  note: the machine is busy (${idleText}); the numbers will be noisy`);
    notes.push(`the machine was not idle at the start (${idleText})`);
  }

  // plano up from a fresh build, when there is one to run.
  let plano = { ok: false, reason: 'not selected (--only)' };
  if (wants('plano')) {
    if (options.build) {
      log('building plano (npm run build)…');
      const build = spawnSync(process.execPath, [join(options.planoRoot, 'scripts', 'build.mjs')], { cwd: options.planoRoot, encoding: 'utf8' });
      if (build.status !== 0) {
        log(`  build exited ${build.status}; running what tsc emitted`);
        notes.push(`\`npm run build\` exited ${build.status} (tsc emits even with type errors); plano ran from that dist/`);
      }
    }
    plano = probePlanoUp(options.planoRoot);
    if (!plano.ok) {
      log(`plano up is not available: ${plano.reason}`);
      skipped.push({ target: 'plano', reason: `plano up is not available: ${plano.reason}` });
    }
  }

  // Portkey, installed into bench/.tmp/portkey.
  let portkey = { ok: false, reason: 'not selected (--only)' };
  if (wants('portkey')) {
    log(`installing @portkey-ai/gateway@${options.portkeyVersion} into ${relative(root, join(tmpDir, 'portkey'))}…`);
    portkey = await installPortkey(join(tmpDir, 'portkey'), options.portkeyVersion);
    if (portkey.ok) log(`  ${portkey.cached ? 'already installed' : 'installed'}`);
    else {
      log(`\n  !! PORTKEY COULD NOT BE INSTALLED — the benchmark continues without it.\n  ${portkey.reason.replace(/\n/g, '\n  ')}\n`);
      skipped.push({ target: 'Portkey', reason: portkey.reason });
      notes.push('Portkey could not be installed, so ratios to Portkey are missing');
    }
  }

  // The mock upstream, then each gateway in front of it.
  const mockPort = await freePort();
  const mock = startChild({
    name: 'mock-upstream',
    command: process.execPath,
    args: [join(benchDir, 'mock-upstream.mjs'), '--port', String(mockPort), '--chunks', String(options.chunks), '--chunk-ms', String(options.chunkMs)],
    logDir,
  });
  await waitForHttp(mock, `http://127.0.0.1:${mockPort}/healthz`);
  const jsonBytes = (
    await (
      await fetch(`http://127.0.0.1:${mockPort}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-client' },
        body: '{"model":"gpt-4o-mini","messages":[]}',
      })
    ).arrayBuffer()
  ).byteLength;

  const chatPath = '/v1/chat/completions';
  const sameFormat = (base, headers = {}) => ({
    json: { url: `${base}${chatPath}`, headers, model: PLANO_MODELS.chat },
    stream: { url: `${base}${chatPath}`, headers, model: PLANO_MODELS.chat },
    burst: { url: `${base}${chatPath}`, headers, model: PLANO_MODELS.chat },
  });
  const targets = [];
  if (wants('direct')) {
    targets.push({ key: 'direct', label: 'direct', description: 'the mock upstream, no proxy', routes: sameFormat(`http://127.0.0.1:${mockPort}`) });
  }
  // The references: forwarding proxies with nothing of a gateway in them, one per HTTP client.
  const forwarders = [
    { key: 'bare', label: 'bare proxy', script: 'bare-proxy.mjs', description: 'bench/bare-proxy.mjs, node:http only' },
    { key: 'undici', label: 'undici forwarder', script: 'undici-forwarder.mjs', description: 'bench/undici-forwarder.mjs, the bare proxy with undici as its client' },
  ];
  for (const forwarder of forwarders.filter((f) => wants(f.key))) {
    const port = await freePort();
    const proc = startChild({
      name: forwarder.script.replace(/\.mjs$/, ''),
      command: process.execPath,
      args: [join(benchDir, forwarder.script), '--port', String(port), '--upstream', `http://127.0.0.1:${mockPort}`],
      logDir,
    });
    await waitForHttp(proc, `http://127.0.0.1:${port}/healthz`);
    targets.push({ key: forwarder.key, label: forwarder.label, description: forwarder.description, process: proc, routes: sameFormat(`http://127.0.0.1:${port}`) });
  }
  if (plano.ok) {
    const configPath = writePlanoConfig(tmpDir, mockPort);
    let workerCounts = options.workers;
    if (!plano.workers && workerCounts.some((w) => w !== 1)) {
      notes.push('`plano up` has no `--workers` flag yet: plano measured with 1 process only');
      workerCounts = [1];
    }
    const profileDir = options.profile ? join(tmpDir, 'profiles') : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    for (const workers of workerCounts) {
      const port = await freePort();
      const proc = await startPlano({
        root: options.planoRoot,
        configPath,
        port,
        workers,
        workersFlag: plano.workers,
        logDir,
        profileDir,
        nodeFlags: options.planoNodeFlags,
      });
      const base = `http://127.0.0.1:${port}`;
      targets.push({
        key: workers === 1 ? 'plano' : `plano-w${workers}`,
        label: workers === 1 ? 'plano' : `plano ×${workers} workers`,
        description: `\`${options.planoNodeFlags.length > 0 ? `node ${options.planoNodeFlags.join(' ')} ` : ''}plano up${plano.workers ? ` --workers ${workers}` : ''}\` (${options.planoRoot === root ? 'dist/' : `${options.planoRoot}/dist`})${profileDir ? ' under --cpu-prof' : ''}`,
        process: proc,
        routes: {
          ...sameFormat(base),
          cross: { url: `${base}${chatPath}`, headers: {}, model: PLANO_MODELS.anthropic },
          'cross-burst': { url: `${base}${chatPath}`, headers: {}, model: PLANO_MODELS.anthropic },
          responses: { url: `${base}/v1/responses`, headers: {}, model: PLANO_MODELS.anthropic },
        },
      });
    }
    // [issue 16] plano exporting a span per request (OTLP/HTTP protobuf to a sink that accepts them).
    if (options.tracing) {
      // The collector in a process of its own: in this one it would share the load generator's event loop.
      const sinkPort = await freePort();
      const sink = startChild({ name: 'otlp-sink', command: process.execPath, args: [join(benchDir, 'otlp-sink.mjs'), '--port', String(sinkPort)], logDir });
      await waitForHttp(sink, `http://127.0.0.1:${sinkPort}/healthz`);
      const port = await freePort();
      const tracedConfig = writePlanoConfig(join(tmpDir, 'plano-tracing'), mockPort, `tracing:\n  random_sampling: ${options.tracingSampling}\n`);
      const proc = await startPlano({
        root: options.planoRoot,
        configPath: tracedConfig,
        port,
        workers: 1,
        workersFlag: false,
        logDir,
        profileDir,
        nodeFlags: options.planoNodeFlags,
        env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` },
      });
      const base = `http://127.0.0.1:${port}`;
      targets.push({
        key: 'plano-tracing',
        label: `plano, tracing ${options.tracingSampling}%`,
        description: `\`plano up\` with \`tracing\` (random_sampling ${options.tracingSampling}, OTLP/HTTP protobuf to a local sink)${profileDir ? ' under --cpu-prof' : ''}`,
        process: proc,
        routes: sameFormat(base),
      });
    }
    // [issue 15] plano with conversation state: in memory, and in PostgreSQL when one is given.
    const stateful = options.scenarios.some((sc) => SCENARIOS[sc].responses);
    const stores = stateful ? [{ key: 'memory', yaml: 'state_storage:\n  type: memory\n' }] : [];
    if (stateful && options.postgresUrl) {
      stores.push({ key: 'postgres', yaml: `state_storage:\n  type: postgres\n  connection_string: ${JSON.stringify(options.postgresUrl)}\n` });
    }
    for (const store of stores) {
      const port = await freePort();
      const statefulConfig = writePlanoConfig(join(tmpDir, `plano-${store.key}`), mockPort, store.yaml);
      const proc = await startPlano({ root: options.planoRoot, configPath: statefulConfig, port, workers: 1, workersFlag: false, logDir, nodeFlags: options.planoNodeFlags });
      const base = `http://127.0.0.1:${port}`;
      const route = { url: `${base}/v1/responses`, headers: {}, model: PLANO_MODELS.anthropic };
      targets.push({
        key: `plano-${store.key}`,
        label: `plano, state: ${store.key}`,
        description: `\`plano up\` with \`state_storage: {type: ${store.key}}\``,
        process: proc,
        routes: {
          responses: route,
          // A fresh stored response before each run: the memory store evicts the least recently
          // used past 10,000, which a run of the `responses` scenario goes past.
          continued: { ...route, previousId: await storedResponseId(route), async prepare() { this.previousId = await storedResponseId(route); } },
        },
      });
    }
    if (profileDir) notes.push('plano ran under `node --cpu-prof` (slower than normal): profiling run, not a measurement');
  }
  if (portkey.ok) {
    const port = await freePort();
    try {
      const proc = await startPortkey({ dir: join(tmpDir, 'portkey'), port, logDir });
      const base = `http://127.0.0.1:${port}`;
      targets.push({
        key: 'portkey',
        label: 'Portkey',
        description: `@portkey-ai/gateway ${options.portkeyVersion}, @hono/node-server 1.14.1`,
        process: proc,
        routes: {
          ...sameFormat(base, portkeyHeaders('openai', mockPort)),
          cross: { url: `${base}${chatPath}`, headers: portkeyHeaders('anthropic', mockPort), model: PLANO_MODELS.anthropic },
          'cross-burst': { url: `${base}${chatPath}`, headers: portkeyHeaders('anthropic', mockPort), model: PLANO_MODELS.anthropic },
        },
      });
    } catch (error) {
      log(`  !! Portkey did not start — the benchmark continues without it.\n  ${error.message}`);
      skipped.push({ target: 'Portkey', reason: `did not start: ${error.message}` });
    }
  }

  log('checking that every target answers correctly…');
  await checkRoutes(targets, options.scenarios, options.chunks, skipped);
  if (!targets.some((t) => options.scenarios.some((scenario) => t.routes[scenario]))) {
    throw new Error(`nothing to measure: ${skipped.map((s) => `${s.target}: ${s.reason}`).join('; ') || 'no target selected'}`);
  }

  const cells = options.scenarios.flatMap((scenario) => targets.filter((t) => t.routes[scenario]).map(() => scenario));
  const estimate = cells.length * (options.warmup + options.rounds * options.connections.length * (options.duration + 0.5));
  log(`${targets.length} targets, ${options.rounds} round(s); about ${Math.ceil(estimate / 60)} min of load`);

  const results = { runs: [], ttfb: [], memory: {}, skipped, targets: [] };
  const probeTtfbRound = async (round, order) => {
    for (const scenario of options.scenarios.filter((sc) => SCENARIOS[sc].ttfb)) {
      for (const target of order.filter((t) => t.routes[scenario] && alive(t))) {
        try {
          const samples = await probeTtfb({ route: target.routes[scenario], samples: options.ttfbSamples });
          results.ttfb.push({ round, scenario, target: target.key, samples });
        } catch (error) {
          log(`  TTFB ${target.label} (${scenario}): ${error.message}`);
          skipped.push({ target: target.label, scenario: `TTFB ${SCENARIOS[scenario].label}`, reason: error.message });
        }
      }
    }
  };

  log('warming up…');
  for (const scenario of options.scenarios) {
    for (const target of targets.filter((t) => t.routes[scenario])) {
      await target.routes[scenario].prepare?.();
      await runLoad({ route: target.routes[scenario], scenario, connections: 32, duration: options.warmup });
    }
  }

  const dead = new Set();
  for (let round = 0; round < options.rounds; round += 1) {
    const order = rotate(targets, round);
    for (const scenario of options.scenarios) {
      for (const connections of options.connections) {
        for (const target of order.filter((t) => t.routes[scenario])) {
          if (!alive(target)) {
            if (!dead.has(target.key)) {
              dead.add(target.key);
              const tail = logTail(target.process, 8);
              log(`  !! ${target.label} exited (${target.process.child.exitCode ?? target.process.child.signalCode}); no more runs for it\n${tail}`);
              skipped.push({ target: target.label, reason: `the process exited during the run: ${tail.split('\n').slice(-3).join(' / ')}` });
            }
            continue;
          }
          const sampler = target.process ? sampleMemory(target.process) : null;
          const cpuBefore = target.process ? cpuSecondsOf(target.process) : 0;
          await target.routes[scenario].prepare?.();
          const run = await runLoad({ route: target.routes[scenario], scenario, connections, duration: options.duration });
          const memoryDuring = sampler ? sampler.stop() : undefined;
          const cpuSeconds = target.process ? cpuSecondsOf(target.process) - cpuBefore : undefined;
          const cpuUsPerRequest = cpuSeconds !== undefined && run.ok > 0 ? (cpuSeconds * 1e6) / run.ok : undefined;
          results.runs.push({
            round,
            scenario,
            connections,
            target: target.key,
            ...run,
            rssDuring: memoryDuring?.rss,
            groupDuring: memoryDuring?.group,
            largestDuring: memoryDuring?.largest,
            cpuSeconds,
          });
          log(
            `[${round + 1}/${options.rounds}] ${SCENARIOS[scenario].label.padEnd(27)} ${String(connections).padStart(3)} conns  ${target.label.padEnd(18)} ${run.rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  errors ${run.errors}${cpuUsPerRequest ? `  cpu ${cpuUsPerRequest.toFixed(0)} µs/req` : ''}${memoryDuring ? `  rss ${memoryDuring.rss.toFixed(0)} MB` : ''}`,
          );
        }
      }
    }
    await probeTtfbRound(round, order);
  }

  for (const target of targets) if (target.process && alive(target)) results.memory[target.key] = { end: memoryOf(target.process) };
  results.targets = targets.map(({ key, label, description }) => ({ key, label, description }));

  // plano writes its CPU profile as it exits: stop it gently first.
  for (const target of targets.filter((t) => t.key.startsWith('plano') && t.process)) await stopChild(target.process, 10_000);
  await stopAllChildren();

  results.meta = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown CPU',
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    autocannon: JSON.parse(readFileSync(join(root, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version,
    loadBefore,
    loadAfter: loadAverage(),
    idleBefore: idleText,
    quick: options.quick,
    rounds: options.rounds,
    duration: options.duration,
    warmup: options.warmup,
    connections: options.connections,
    chunks: options.chunks,
    chunkMs: options.chunkMs,
    ttfbSamples: options.ttfbSamples,
    jsonBytes,
    notes,
  };
  writeFileSync(join(tmpDir, 'gateway-results.json'), `${JSON.stringify(results, null, 2)}\n`);

  const section = renderSection(results);
  log(`\n${section}\n`);
  if (options.write) {
    writeResultsSection(options.out, section);
    log(`wrote the Gateway section of ${relative(process.cwd(), options.out)} (raw runs: ${relative(process.cwd(), join(tmpDir, 'gateway-results.json'))})`);
  }
  if (options.profile) log(`CPU profiles: ${relative(process.cwd(), join(tmpDir, 'profiles'))} — summarise with \`node bench/profile-summary.mjs <file.cpuprofile>\``);
}

main().catch(async (error) => {
  process.stderr.write(`\ngateway benchmark failed: ${error.message}\n`);
  await stopAllChildren();
  process.exit(1);
});
