#!/usr/bin/env node
// A/B by concurrent pairs: two `plano up` processes loaded at the same time, so that both see the
// same moment of the machine. On a shared 2-core VM the throughput of one target measured after
// another swings by ±20% from minute to minute (neighbours, not plano): a cost of 5–10% is below
// what sequential runs can resolve, where two targets loaded together hold within a few per cent
// of each other (two identical processes: 0.99–1.00 median, rounds within ±6%).
//
// Read the CPU per request, not the throughput ratio, as what B costs. Loaded together, the two
// processes share the cores, and the cheaper one, idling sooner, leaves CPU time to the dearer
// one: the throughput ratio comes out nearer 1 than the cost (traces on: 0.91 throughput where
// CPU per request is 1.15×, and a traced gateway alone, at its CPU's limit, served 0.85×). The
// CPU ratio is the estimate of throughput where plano's own CPU is what limits it.
//
//   npm run bench:paired -- --compare tracing [--sampling 100] [--rounds 8] [--duration 5] [--connections 32]
//   npm run bench:paired -- --compare cross-burst
//   npm run bench:paired -- --compare build --before DIR [--tracing] [--scenario cross-burst]   (DIR: another checkout, built)
//
// --compare tracing      B exports a span per request (random_sampling 100, OTLP/HTTP protobuf to
//                        bench/otlp-sink.mjs in a process of its own); A has no `tracing`. Non-streaming.
// --compare cross-burst  a chat client's back-to-back stream answered by an Anthropic model (B)
//                        against the same stream from an OpenAI-format one (A): issue 14's ratio.
//                        Two identically configured processes, swapping which serves which each round.
// --compare build        this checkout's dist/ (B) against DIR's (A), non-streaming, for the before
//                        and after of a request-path change; with --tracing both export spans as above;
//                        --scenario cross-burst loads both with issue 14's translated stream instead.
//
// Each target gets --connections of its own (both at once: the machine carries twice that). Each
// round starts the two loads in turn order (alternating which starts first) and reports both
// throughputs, each process's CPU per request, and both ratios; the summary gives their medians
// over the rounds. Nothing is written to bench/RESULTS.md: its sections quote these runs.
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSecondsOf, freePort, installCleanup, startChild, stopAllChildren, waitForHttp } from './gateway/children.mjs';
import { runLoad } from './gateway/load.mjs';
import { PLANO_MODELS, startPlano, writePlanoConfig } from './gateway/plano.mjs';
import { median } from './gateway/report.mjs';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(benchDir, '..');
const tmpDir = join(benchDir, '.tmp', 'paired');
const COMPARISONS = ['tracing', 'cross-burst', 'build'];
const log = (line) => process.stdout.write(`${line}\n`);

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      compare: { type: 'string' },
      before: { type: 'string' },
      rounds: { type: 'string', default: '8' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '5' },
      connections: { type: 'string', default: '32' },
      tracing: { type: 'boolean', default: false },
      sampling: { type: 'string', default: '100' },
      scenario: { type: 'string', default: 'json' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true };
  if (!COMPARISONS.includes(values.compare)) throw new Error(`--compare: one of ${COMPARISONS.join(', ')} (got ${values.compare ?? 'nothing'})`);
  if (values.compare === 'build' && !values.before) throw new Error('--compare build needs --before DIR (a built checkout to compare with)');
  if (!['json', 'cross-burst'].includes(values.scenario)) throw new Error(`--scenario: json or cross-burst (got ${values.scenario})`);
  const sampling = Number(values.sampling);
  if (!(sampling >= 0 && sampling <= 100)) throw new Error(`--sampling: a percentage, 0–100 (got "${values.sampling}")`);
  const positive = (name) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got "${values[name]}"`);
    return n;
  };
  return {
    compare: values.compare,
    before: values.before && resolve(values.before),
    rounds: positive('rounds'),
    duration: positive('duration'),
    warmup: positive('warmup'),
    connections: positive('connections'),
    tracing: values.tracing,
    sampling,
    scenario: values.scenario,
  };
}

const chat = (port, model, scenario) => ({ route: { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: {}, model }, scenario });

/** The two sides of a comparison: each a process and, per round, the route and scenario it is loaded with. */
async function startSides(options, mockPort, logDir) {
  const start = async (name, { root: planoRoot = root, yaml = '', env = {} } = {}) => {
    const port = await freePort();
    const configPath = writePlanoConfig(join(tmpDir, name), mockPort, yaml);
    // A log folder each: startPlano names every log `plano.log`.
    const ownLogDir = join(logDir, name);
    mkdirSync(ownLogDir, { recursive: true });
    const proc = await startPlano({ root: planoRoot, configPath, port, workers: 1, workersFlag: false, logDir: ownLogDir, env });
    return { name, process: proc, port };
  };
  // A collector stand-in in a process of its own, for the sides that export spans.
  const tracingSide = async () => {
    const sinkPort = await freePort();
    const sink = startChild({ name: 'otlp-sink', command: process.execPath, args: [join(benchDir, 'otlp-sink.mjs'), '--port', String(sinkPort)], logDir });
    await waitForHttp(sink, `http://127.0.0.1:${sinkPort}/healthz`);
    return {
      yaml: `tracing:\n  random_sampling: ${options.sampling}\n`,
      env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` },
    };
  };
  const nonStreaming = (a, b) => () => [chat(a.port, PLANO_MODELS.chat, 'json'), chat(b.port, PLANO_MODELS.chat, 'json')];
  if (options.compare === 'tracing') {
    const a = await start('no-tracing');
    const b = await start('tracing', await tracingSide());
    return { a: { label: 'plano', ...a }, b: { label: `plano, tracing ${options.sampling}%`, ...b }, load: nonStreaming(a, b) };
  }
  if (options.compare === 'build') {
    const traced = options.tracing ? await tracingSide() : {};
    const a = await start('before', { root: options.before, ...traced });
    const b = await start('after', traced);
    const suffix = `${options.tracing ? `, tracing ${options.sampling}%` : ''}${options.scenario === 'cross-burst' ? ', chat → anthropic back to back' : ''}`;
    const load = options.scenario === 'cross-burst' ? () => [chat(a.port, PLANO_MODELS.anthropic, 'cross-burst'), chat(b.port, PLANO_MODELS.anthropic, 'cross-burst')] : nonStreaming(a, b);
    return { a: { label: `before (${options.before})${suffix}`, ...a }, b: { label: `after (this checkout)${suffix}`, ...b }, load };
  }
  // cross-burst: the same build twice; which process serves the translated stream alternates, so
  // that a difference between the two processes cancels out over the rounds.
  const one = await start('one');
  const two = await start('two');
  return {
    a: { label: 'plano, chat → openai (back to back)' },
    b: { label: 'plano, chat → anthropic (back to back)' },
    processes: [one, two],
    load: (round) => {
      const [same, cross] = round % 2 === 0 ? [one, two] : [two, one];
      return [{ ...chat(same.port, PLANO_MODELS.chat, 'burst'), process: same.process }, { ...chat(cross.port, PLANO_MODELS.anthropic, 'cross-burst'), process: cross.process }];
    },
  };
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
    log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    return;
  }
  installCleanup();
  const logDir = join(tmpDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const mockPort = await freePort();
  const mock = startChild({ name: 'mock-upstream', command: process.execPath, args: [join(benchDir, 'mock-upstream.mjs'), '--port', String(mockPort)], logDir });
  await waitForHttp(mock, `http://127.0.0.1:${mockPort}/healthz`);
  const sides = await startSides(options, mockPort, logDir);
  const processOf = (side, loadItem) => loadItem.process ?? side.process;

  log(`paired benchmark: --compare ${options.compare}, ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`A = ${sides.a.label}; B = ${sides.b.label}; ${options.connections} connections each, ${options.rounds} rounds of ${options.duration} s\n`);
  // Warm both (JIT, pools, the young generation's size) before anything is counted.
  await Promise.all(sides.load(0).map((item) => runLoad({ ...item, connections: options.connections, duration: options.warmup })));
  if (sides.processes) await Promise.all(sides.load(1).map((item) => runLoad({ ...item, connections: options.connections, duration: options.warmup })));

  log('| round | A req/s | A CPU µs/req | B req/s | B CPU µs/req | req/s B/A | CPU A/B |');
  log('|---|---|---|---|---|---|---|');
  const rows = [];
  for (let round = 0; round < options.rounds; round++) {
    const [loadA, loadB] = sides.load(round);
    const procA = processOf(sides.a, loadA);
    const procB = processOf(sides.b, loadB);
    const cpuBefore = [cpuSecondsOf(procA), cpuSecondsOf(procB)];
    // Whichever load starts first gets its connections a moment sooner: the turn alternates.
    const runs = [() => runLoad({ ...loadA, connections: options.connections, duration: options.duration }), () => runLoad({ ...loadB, connections: options.connections, duration: options.duration })];
    const ordered = round % 2 === 0 ? runs : [...runs].reverse();
    const results = await Promise.all(ordered.map((run) => run()));
    const [a, b] = round % 2 === 0 ? results : [...results].reverse();
    const cpu = [cpuSecondsOf(procA) - cpuBefore[0], cpuSecondsOf(procB) - cpuBefore[1]];
    for (const [result, side] of [[a, 'A'], [b, 'B']]) {
      if (result.errors > 0 || result.timeouts > 0) log(`  (round ${round + 1}: ${side} had ${result.errors} errors, ${result.timeouts} timeouts)`);
    }
    const row = { a: a.rps, b: b.rps, cpuA: (cpu[0] * 1e6) / a.ok, cpuB: (cpu[1] * 1e6) / b.ok, ratio: b.rps / a.rps };
    row.cpuRatio = row.cpuA / row.cpuB;
    rows.push(row);
    log(`| ${round + 1} | ${Math.round(row.a)} | ${Math.round(row.cpuA)} | ${Math.round(row.b)} | ${Math.round(row.cpuB)} | ${row.ratio.toFixed(3)} | ${row.cpuRatio.toFixed(3)} |`);
  }
  const range = (values) => `${median(values).toFixed(3)} (rounds ${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)})`;
  log(
    `\nCPU per request: A ${Math.round(median(rows.map((r) => r.cpuA)))} µs, B ${Math.round(median(rows.map((r) => r.cpuB)))} µs; ` +
      `CPU A/B (what B costs, as throughput where plano's CPU limits it): ${range(rows.map((r) => r.cpuRatio))}; ` +
      `req/s B/A (loaded together): ${range(rows.map((r) => r.ratio))}`,
  );
  await stopAllChildren();
}

main().catch(async (error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  await stopAllChildren();
  process.exit(1);
});
