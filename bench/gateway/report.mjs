// Turns the recorded runs into bench/RESULTS.md's "Gateway" section: medians over rounds,
// ratios that compare across machines (to the bare proxy, to Portkey, to direct), the added
// latency at one connection from requests/s, time to first byte, memory, and the issue's targets.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SCENARIOS } from './load.mjs';

const BEGIN = '<!-- gateway-benchmark:begin — written by `npm run bench:gateway`; edits inside are overwritten -->';
const END = '<!-- gateway-benchmark:end -->';

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function cpuPerRequest(runs) {
  const measured = runs.filter((r) => r.cpuSeconds !== undefined);
  const seconds = measured.reduce((sum, r) => sum + r.cpuSeconds, 0);
  const responses = measured.reduce((sum, r) => sum + r.ok, 0);
  return measured.length === 0 || responses === 0
    ? { cpuUs: NaN, cpuTicks: 0 }
    : { cpuUs: (seconds * 1e6) / responses, cpuTicks: Math.round(seconds * 100) };
}

/** Medians over rounds of one (scenario, connections, target) cell; errors are summed. */
export function summarise(results) {
  const cells = new Map();
  for (const run of results.runs) {
    const key = `${run.scenario}|${run.connections}|${run.target}`;
    if (!cells.has(key)) cells.set(key, []);
    cells.get(key).push(run);
  }
  const cell = (scenario, connections, target) => {
    const runs = cells.get(`${scenario}|${connections}|${target}`);
    if (!runs) return null;
    return {
      rps: median(runs.map((r) => r.rps)),
      rpsMin: Math.min(...runs.map((r) => r.rps)),
      rpsMax: Math.max(...runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      errors: runs.reduce((sum, r) => sum + r.errors, 0),
      timeouts: runs.reduce((sum, r) => sum + r.timeouts, 0),
      rssDuring: Math.max(...runs.map((r) => r.rssDuring ?? 0)),
      groupDuring: Math.max(...runs.map((r) => r.groupDuring ?? 0)),
      largestDuring: Math.max(...runs.map((r) => r.largestDuring ?? 0)),
      // Summed over rounds: /proc counts CPU in 10 ms ticks, too coarse for one short run of
      // slow streams; `cpuTicks` says how many ticks the figure rests on.
      ...cpuPerRequest(runs),
      rounds: runs.length,
    };
  };
  const ttfb = (scenario, target) => {
    const samples = results.ttfb.filter((t) => t.scenario === scenario && t.target === target).flatMap((t) => t.samples);
    return samples.length === 0 ? null : { p50: median(samples), p99: percentile(samples, 99), n: samples.length };
  };
  return { cell, ttfb };
}

const fmtRps = (v) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '—');
const fmtMs = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const fmtRatio = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '—');
const fmtMb = (v) => (Number.isFinite(v) && v > 0 ? v.toFixed(0) : '—');
const signed = (v) => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}` : '—');

/** Added latency per request at one connection, from requests/s (autocannon's percentiles are whole ms). */
const addedLatency = (rps, rpsDirect) => 1000 / rps - 1000 / rpsDirect;

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
}

function throughputTable(results, s, scenario) {
  const { targets, meta } = results;
  const ttfbColumns = SCENARIOS[scenario].ttfb === true;
  const sameFormat = SCENARIOS[scenario].sameFormat;
  const header = ['target', 'conns', 'req/s (min–max)', 'p50 ms', 'p99 ms', 'errors', 'CPU µs/req', '× bare', '× Portkey', '× direct'];
  if (sameFormat) header.push('× same-format');
  // A stream lasts ~100 ms, so requests/s at one connection is too coarse for added latency:
  // streams are read by time to first byte instead.
  if (ttfbColumns) header.push('TTFB p50 / p99 ms', 'TTFB − direct');
  else header.push('added ms (1 conn)');
  const directTtfb = s.ttfb('stream', 'direct');
  const rows = [];
  for (const target of targets) {
    for (const connections of meta.connections) {
      const c = s.cell(scenario, connections, target.key);
      if (!c) continue;
      // Cross-format has no direct or bare run (the client and the upstream speak different
      // APIs): there, × bare and × direct read against the same-format streaming runs, and
      // × Portkey against Portkey doing the same translation.
      const reference = (key) =>
        s.cell(sameFormat && key !== 'portkey' ? sameFormat : scenario, connections, key);
      const ratio = (key) => (key === target.key ? NaN : c.rps / (reference(key)?.rps ?? NaN));
      const row = [
        target.label,
        String(connections),
        `${fmtRps(c.rps)} (${fmtRps(c.rpsMin)}–${fmtRps(c.rpsMax)})`,
        String(c.p50),
        String(c.p99),
        c.timeouts > 0 ? `${c.errors} (${c.timeouts} timeouts)` : String(c.errors),
        // Fewer than 20 ticks (0.2 s of CPU) is ±5% or worse: marked as approximate.
        Number.isFinite(c.cpuUs) ? `${c.cpuTicks < 20 ? '~' : ''}${c.cpuUs.toFixed(0)}` : '—',
        ratio('bare'),
        ratio('portkey'),
        ratio('direct'),
      ].map((v) => (typeof v === 'number' ? fmtRatio(v) : v));
      if (sameFormat) row.push(fmtRatio(c.rps / (s.cell(sameFormat, connections, target.key)?.rps ?? NaN)));
      const direct = reference('direct');
      if (!ttfbColumns) row.push(connections === 1 && target.key !== 'direct' && direct ? signed(addedLatency(c.rps, direct.rps)) : '');
      else {
        const t = connections === meta.connections[0] ? s.ttfb(scenario, target.key) : null;
        row.push(t ? `${fmtMs(t.p50)} / ${fmtMs(t.p99)}` : '', t && directTtfb && target.key !== 'direct' ? signed(t.p50 - directTtfb.p50) : '');
      }
      rows.push(row);
    }
  }
  return table(header, rows);
}

function memoryTable(results, s) {
  const streamingMax = Math.max(...results.meta.connections);
  const rows = results.targets
    .filter((t) => results.memory[t.key])
    .map((t) => {
      const m = results.memory[t.key];
      const during = streamingMemory(s, streamingMax, t.key);
      return [t.label, fmtMb(m.end.rss), fmtMb(m.end.peak), fmtMb(during.rss), fmtMb(during.group), fmtMb(during.largest), String(m.end.processes)];
    });
  return table(
    [
      'target',
      'RSS at end, MB',
      'peak RSS (VmHWM), MB',
      `during ${streamingMax}-conn streaming: max RSS, MB`,
      'group (shared pages once), MB',
      'largest process RSS, MB',
      'processes',
    ],
    rows,
  );
}

/** The largest memory figures sampled while `target` served the most concurrent streams (same-format or cross-format). */
function streamingMemory(s, connections, target) {
  const cells = ['stream', 'cross'].map((scenario) => s.cell(scenario, connections, target)).filter(Boolean);
  const max = (key) => Math.max(0, ...cells.map((c) => c[key] ?? 0));
  return { rss: max('rssDuring'), group: max('groupDuring'), largest: max('largestDuring') };
}

/** Each target of issue 6 for each plano variant: what was measured and whether it is met. */
export function evaluateTargets(results, s) {
  const planos = results.targets.filter((t) => t.key.startsWith('plano'));
  const conns = results.meta.connections;
  const verdicts = [];
  const add = (target, label, measured, met) => verdicts.push({ target: target.label, label, measured, met });
  const unmeasured = (target, label, why) => add(target, label, why, null);
  /**
   * A ratio of requests/s at every connection count measured; met when each is ≥ `floor`.
   * `barePair`, when given, is the same ratio for the bare proxy: where even the floor misses,
   * the machine (not the gateway) is the limit, and the verdict says so.
   */
  const judgeEveryConnections = (target, label, cellPair, floor, why, barePair) => {
    const ratio = (pair) => (pair[0] && pair[1] ? pair[0].rps / pair[1].rps : NaN);
    const ratios = conns
      .map((n) => ({ n, r: ratio(cellPair(n)), bare: barePair ? ratio(barePair(n)) : NaN }))
      .filter((x) => Number.isFinite(x.r));
    if (ratios.length === 0) {
      unmeasured(target, label, why);
      return;
    }
    const measured = ratios
      .map((x) => `${x.n} conns ${fmtRatio(x.r)}${Number.isFinite(x.bare) ? ` (bare ${fmtRatio(x.bare)})` : ''}`)
      .join(', ');
    const missed = ratios.filter((x) => x.r < floor);
    const floorMissed = missed.filter((x) => x.bare < floor);
    add(target, label, measured, missed.length === 0 ? true : floorMissed.length === missed.length ? 'floor' : false);
  };
  for (const plano of planos) {
    const direct1 = s.cell('json', 1, 'direct');
    const plano1 = s.cell('json', 1, plano.key);
    const bare1 = s.cell('json', 1, 'bare');
    if (direct1 && plano1) {
      const added = addedLatency(plano1.rps, direct1.rps);
      // The floor's own figure beside it: on these VMs it is over or under 0.3 ms with the hour.
      const bareAdded = bare1 ? addedLatency(bare1.rps, direct1.rps) : NaN;
      const measured = `${fmtMs(added, 3)} ms${Number.isFinite(bareAdded) ? ` (bare ${fmtMs(bareAdded, 3)} ms)` : ''}`;
      add(plano, 'non-streaming: added latency at 1 conn < 0.3 ms', measured, added < 0.3 ? true : bareAdded >= 0.3 ? 'floor' : false);
    } else unmeasured(plano, 'non-streaming: added latency at 1 conn < 0.3 ms', 'needs direct and plano at 1 conn');

    const plano32 = s.cell('json', 32, plano.key);
    const portkey32 = s.cell('json', 32, 'portkey');
    const bare32 = s.cell('json', 32, 'bare');
    if (plano32 && portkey32) {
      const r = plano32.rps / portkey32.rps;
      add(plano, 'non-streaming, 32 conns: ≥ 3× Portkey', fmtRatio(r), r >= 3);
    } else unmeasured(plano, 'non-streaming, 32 conns: ≥ 3× Portkey', 'Portkey not measured');
    if (plano32 && bare32) {
      const r = plano32.rps / bare32.rps;
      add(plano, 'non-streaming, 32 conns: ≥ 60% of bare proxy', fmtRatio(r), r >= 0.6);
    } else unmeasured(plano, 'non-streaming, 32 conns: ≥ 60% of bare proxy', 'needs bare and plano at 32 conns');

    judgeEveryConnections(
      plano,
      'streaming: throughput within 10% of direct',
      (n) => [s.cell('stream', n, plano.key), s.cell('stream', n, 'direct')],
      0.9,
      'needs direct and plano streaming',
      (n) => [s.cell('stream', n, 'bare'), s.cell('stream', n, 'direct')],
    );

    const ttfbPlano = s.ttfb('stream', plano.key);
    const ttfbDirect = s.ttfb('stream', 'direct');
    if (ttfbPlano && ttfbDirect) {
      const d = ttfbPlano.p50 - ttfbDirect.p50;
      add(plano, 'streaming: TTFB within 1 ms of direct (p50)', `${signed(d)} ms`, d < 1);
    } else unmeasured(plano, 'streaming: TTFB within 1 ms of direct (p50)', 'needs TTFB of direct and plano');

    const top = Math.max(...conns);
    const heavy = ['stream', 'cross'].map((sc) => s.cell(sc, top, plano.key)).filter(Boolean);
    if (top >= 256 && heavy.length > 0) {
      const errors = heavy.reduce((sum, c) => sum + c.errors, 0);
      add(plano, `${top} streaming conns: no errors`, `${errors} errors`, errors === 0);
      // One process: its RSS. Several (--workers): what the group takes from the machine — the
      // sum of RSS would count Node's shared code once per process (memoryOf).
      const memory = streamingMemory(s, top, plano.key);
      const processes = results.memory[plano.key]?.end.processes ?? 1;
      const measured =
        processes > 1
          ? `${fmtMb(memory.group)} MB for ${processes} processes, shared pages once (RSS summed ${fmtMb(memory.rss)} MB; largest process ${fmtMb(memory.largest)} MB), max sampled`
          : `${fmtMb(memory.rss)} MB (max sampled)`;
      add(plano, `${top} streaming conns: RSS < 150 MB`, measured, (processes > 1 ? memory.group : memory.rss) < 150);
    } else unmeasured(plano, '256 streaming conns: no errors, RSS < 150 MB', 'not run at 256 conns');

    judgeEveryConnections(
      plano,
      'cross-format streaming ≥ 70% of same-format',
      (n) => [s.cell('cross', n, plano.key), s.cell('stream', n, plano.key)],
      0.7,
      'needs plano stream and cross runs',
    );

    // [issue 14] Chunks back to back: what each translated chunk costs, CPU-bound.
    judgeEveryConnections(
      plano,
      'cross-format back-to-back streaming ≥ 80% of same-format',
      (n) => [s.cell('cross-burst', n, plano.key), s.cell('burst', n, plano.key)],
      0.8,
      'needs plano burst and cross-burst runs',
    );
  }
  return verdicts;
}

export function renderSection(results) {
  const s = summarise(results);
  const { meta } = results;
  const lines = [];
  lines.push(meta.quick ? '## Gateway — QUICK RUN (harness check on a busy machine; not a measurement)' : '## Gateway');
  lines.push('');
  if (meta.quick) {
    lines.push(
      '> Written by `npm run bench:gateway -- --quick`: short runs while other work shares the CPU. The numbers only show that every part of the harness works; the real table comes from a full run on a quiet machine.',
      '',
    );
  }
  lines.push(
    `- Date: ${meta.date}; commit ${meta.commit}`,
    `- Machine: ${meta.cores} cores (${meta.cpuModel}), ${meta.os}; Node ${meta.node}; load average ${meta.loadBefore} before, ${meta.loadAfter} after${meta.idleBefore ? `; ${meta.idleBefore}` : ''}`,
    `- Run: ${meta.rounds} round(s) × ${meta.duration} s per cell, targets alternating within each cell (order rotated each round), ${meta.warmup} s warm-up per target and scenario; connections ${meta.connections.join(', ')}; autocannon ${meta.autocannon}, pipelining 1`,
    `- Mock upstream: fixed chat.completion JSON (${meta.jsonBytes} bytes); streams of ${meta.chunks} content chunks ${meta.chunkMs} ms apart (first chunk at once), then \`[DONE]\` (Anthropic: the message_start … message_stop sequence)`,
    `- Targets: ${results.targets.map((t) => `**${t.label}** (${t.description})`).join('; ')}`,
    `- TTFB: ${meta.ttfbSamples} sequential requests per target and round over one keep-alive connection, 2-chunk streams, timed from writing the request to the first body byte`,
  );
  for (const note of meta.notes) lines.push(`- Note: ${note}`);
  lines.push('');
  lines.push(
    'Medians over rounds. "added ms" = 1000/rps − 1000/rps(direct) at 1 connection, per request. Ratios compare requests/s at the same connection count; on a 2-core machine the load generator, the mock and the proxy share the cores, so the bare proxy, not direct, is the ceiling for a proxy. "CPU µs/req" is the gateway process group\'s user + system CPU time (/proc/<pid>/stat) over the run divided by the responses completed, over all rounds (~ marks a figure resting on less than 0.2 s of CPU): the least noise-sensitive number here.',
    '',
  );
  for (const scenario of Object.keys(SCENARIOS)) {
    if (!results.runs.some((r) => r.scenario === scenario)) continue;
    lines.push(`### ${SCENARIOS[scenario].label[0].toUpperCase()}${SCENARIOS[scenario].label.slice(1)}`, '');
    lines.push(throughputTable(results, s, scenario), '');
  }
  lines.push('### Memory', '', memoryTable(results, s), '');
  lines.push('### Targets (issue 6)', '');
  const verdicts = evaluateTargets(results, s);
  if (verdicts.length === 0) lines.push('plano up was not measured, so no target can be judged.');
  else {
    lines.push(
      table(
        ['plano', 'target', 'measured', 'met'],
        verdicts.map((v) => [
          v.target,
          v.label,
          v.measured,
          v.met === null
            ? 'not measured'
            : v.met === 'floor'
              ? '**no** — the bare proxy misses it too where plano does: the machine is the limit there'
              : v.met
                ? 'yes'
                : '**no**',
        ]),
      ),
    );
  }
  if (results.skipped.length > 0) {
    lines.push('', '### Not measured', '');
    for (const skip of results.skipped) lines.push(`- ${skip.target}${skip.scenario ? ` (${skip.scenario})` : ''}: ${skip.reason.replace(/\n/g, ' ')}`);
  }
  return lines.join('\n');
}

/** Replaces the Gateway section of RESULTS.md (between the markers), keeping every other section. */
export function writeResultsSection(path, section) {
  const block = `${BEGIN}\n${section}\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const begin = current.indexOf(BEGIN.slice(0, 30));
  const end = current.indexOf(END);
  const next =
    begin !== -1 && end > begin
      ? `${current.slice(0, begin)}${block}${current.slice(end + END.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
