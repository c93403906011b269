#!/usr/bin/env node
// CLI wall time: each case spawns the built `plano` (node bin/plano.js) several times, each a
// cold process, and reports the median and the fastest run against the case's goal (issue 2:
// validate < 0.25 s on the full reference config and < 1 s on 2,000 providers; issue 3: expand
// --format json < 0.3 s; issue 12: 10,000 aliases < 1 s, 10 MB < 3 s). Writes the "CLI" section
// of bench/RESULTS.md.
//
//   npm run build && npm run bench [-- --runs 15] [-- --only validate]
//
// A case is a row in CASES: a name, the arguments, the goal in seconds, and optionally a
// `prepare()` that writes a generated input under bench/.tmp/ and returns nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = join(root, 'bench', '.tmp');
const bin = join(root, 'bin', 'plano.js');

const GENERATED_PROVIDERS = join(tmp, 'providers-2000.yaml');

export const CASES = [
  {
    name: 'validate: full reference config',
    args: ['validate', 'fixtures/valid/plano_config_full_reference.yaml'],
    goal: 0.25,
  },
  {
    name: 'validate: 2,000 providers (generated)',
    args: ['validate', 'bench/.tmp/providers-2000.yaml'],
    goal: 1,
    prepare: () => writeGeneratedConfig(GENERATED_PROVIDERS, 2000),
  },
  {
    // Issue 12: every entry's access_key an alias of one anchor; yaml's own alias resolution was
    // quadratic (2 minutes for this file).
    name: 'validate: 10,000 aliases of one anchor (generated)',
    args: ['validate', 'bench/.tmp/aliases-10000.yaml'],
    goal: 1,
    prepare: () => writeAliasConfig(join(tmp, 'aliases-10000.yaml'), 10_000),
  },
  {
    // Issue 12: the largest config anyone plausibly generates; linear in its size.
    name: 'validate: 10 MB, 110,000 providers (generated)',
    args: ['validate', 'bench/.tmp/providers-10mb.yaml'],
    goal: 3,
    prepare: () => writeGeneratedConfig(join(tmp, 'providers-10mb.yaml'), 110_000),
  },
  {
    name: 'expand --format json: full reference config + three wildcards',
    args: ['expand', '--format', 'json', 'fixtures/bench/reference-with-wildcards.yaml'],
    goal: 0.3,
  },
];

const BEGIN = '<!-- cli-benchmark:begin — written by `npm run bench`; edits inside are overwritten -->';
const END = '<!-- cli-benchmark:end -->';

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '11' },
      only: { type: 'string' },
      out: { type: 'string', default: join(root, 'bench', 'RESULTS.md') },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('bench: dist/ is missing; run `npm run build` first\n');
    process.exitCode = 2;
    return;
  }
  mkdirSync(tmp, { recursive: true });

  const selected = CASES.filter((c) => !values.only || c.name.includes(values.only));
  const loadBefore = loadavg();
  const rows = [];
  for (const benchCase of selected) {
    benchCase.prepare?.();
    const row = measure(benchCase, runs);
    rows.push(row);
    process.stdout.write(`${row.pass ? 'ok  ' : 'SLOW'} ${benchCase.name}: median ${fmt(row.median)}, min ${fmt(row.min)} (goal < ${fmt(benchCase.goal)})` +
      (row.problem ? ` — ${row.problem}` : '') + '\n');
  }
  writeSection(values.out, renderSection(rows, runs, [loadBefore, loadavg()]));
  process.stdout.write(`bench: wrote the CLI section of ${values.out}\n`);
  if (rows.some((r) => !r.pass)) process.exitCode = 1;
}

/** Runs the case `runs` times after one unrecorded run (which also checks it succeeds). */
function measure(benchCase, runs) {
  const first = spawnSync(process.execPath, [bin, ...benchCase.args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const expectedExit = benchCase.expectedExit ?? 0;
  const problem = first.status === expectedExit ? undefined : `exit ${first.status} (expected ${expectedExit}): ${(first.stderr || first.stdout).split('\n')[0]}`;
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, [bin, ...benchCase.args], { cwd: root, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  const median = times.length % 2 === 1 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  return { benchCase, median, min: times[0], pass: problem === undefined && median < benchCase.goal, problem };
}

function renderSection(rows, runs, [loadBefore, loadAfter]) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const load = (l) => l.map((n) => n.toFixed(2)).join(' ');
  const lines = [
    '## CLI',
    '',
    `Wall time of \`node bin/plano.js …\`, ${runs} cold processes per case (after one unrecorded run), spawned one at a time.`,
    '',
    `Machine: ${availableParallelism()} cores (${cpu}), Node ${process.version}, ${process.platform}/${process.arch}. Date: ${new Date().toISOString().slice(0, 10)}. ` +
      `Load average ${load(loadBefore)} before, ${load(loadAfter)} after (other work shares the cores; the min is the least disturbed run).`,
    '',
    '| case | command | median | min | goal | pass |',
    '|---|---|---:|---:|---:|:-:|',
    ...rows.map((r) => `| ${r.benchCase.name} | \`plano ${r.benchCase.args.join(' ')}\` | ${fmt(r.median)} | ${fmt(r.min)} | < ${fmt(r.benchCase.goal)} | ${r.pass ? 'yes' : 'no'}${r.problem ? ` (${r.problem.replace(/\|/g, '\\|')})` : ''} |`),
  ];
  return lines.join('\n');
}

/** Replaces the CLI section of RESULTS.md (between the markers), keeping every other section. */
function writeSection(path, section) {
  const block = `${BEGIN}\n${section}\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const begin = current.indexOf(BEGIN.slice(0, 26));
  const end = current.indexOf(END);
  const next = begin !== -1 && end > begin
    ? `${current.slice(0, begin)}${block}${current.slice(end + END.length)}`
    : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}

const fmt = (seconds) => `${seconds.toFixed(3)} s`;

/**
 * A large config that validates without errors: `count` providers across the kinds a real file
 * has (known providers with their default endpoint, ones that need base_url, custom
 * OpenAI-compatible ones), with names, aliases, routing preferences and a few wildcards, so
 * every rule has work to do.
 */
export function writeGeneratedConfig(path, count) {
  const known = ['openai', 'anthropic', 'deepseek', 'mistral', 'groq', 'gemini', 'together_ai', 'xai', 'moonshotai', 'zhipu'];
  const lines = [
    ...configHead('a config with many providers'),
    '  - model: openai/*',
    '    access_key: $OPENAI_API_KEY',
    '  - model: anthropic/*',
    '    access_key: $ANTHROPIC_API_KEY',
  ];
  const models = [];
  for (let i = 0; i < count - 2; i++) {
    const kind = i % 10;
    if (kind < 7) {
      const prefix = known[i % known.length];
      models.push(`${prefix}/bench-model-${i}`);
      lines.push(`  - model: ${prefix}/bench-model-${i}`, `    access_key: $${prefix.toUpperCase()}_API_KEY`);
      if (i === 0) lines.push('    default: true');
      if (kind === 3) lines.push(`    name: team-${i}`);
    } else if (kind < 9) {
      models.push(`azure_openai/deployment-${i}`);
      lines.push(`  - model: azure_openai/deployment-${i}`, '    access_key: $AZURE_OPENAI_API_KEY', `    base_url: https://resource-${i % 50}.openai.azure.com`);
    } else {
      models.push(`selfhosted${i % 20}/model-${i}`);
      lines.push(`  - model: selfhosted${i % 20}/model-${i}`, `    base_url: http://gpu-${i % 20}.internal:8000/v1`, '    provider_interface: openai', '    passthrough_auth: true');
    }
  }
  lines.push('model_aliases:');
  for (let i = 0; i < 100; i++) lines.push(`  alias-${i}:`, `    target: ${models[i * 7]}`);
  lines.push('routing_preferences:');
  for (let i = 0; i < 50; i++) {
    lines.push(`  - name: route-${i}`, `    description: requests of kind ${i}`, '    models:', `      - ${models[i * 3]}`, `      - ${models[i * 3 + 1]}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** The lines every generated config starts with, up to `model_providers:`. */
function configHead(what) {
  return [`# Generated by bench/cli.mjs: ${what}, for timing plano validate.`, 'version: v0.4.0', 'listeners:', '  - name: llm', '    type: model', '    port: 12000', 'model_providers:'];
}

/** A config whose `count` providers all take their key from one anchor, `&key`, by alias. */
export function writeAliasConfig(path, count) {
  const lines = [
    ...configHead('one anchor used by many aliases'),
    '  - model: openai/gpt-4o',
    '    access_key: &key $OPENAI_API_KEY',
  ];
  for (let i = 0; i < count; i++) lines.push(`  - model: openai/bench-model-${i}`, '    access_key: *key');
  writeFileSync(path, lines.join('\n') + '\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
