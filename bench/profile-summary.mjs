#!/usr/bin/env node
// Where a process spent its CPU: reads a V8 .cpuprofile (from `node --cpu-prof`, e.g. plano up
// under `npm run bench:gateway -- --profile --only plano`) and prints the functions with the
// most self time, the most inclusive time, and self time by where the code lives (node
// internals, each package in node_modules, our dist/ files, GC, idle).
//
//   node bench/profile-summary.mjs <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]\n');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** Where a frame's code lives: a node internal, a package, a file of ours, or a VM pseudo-frame. */
function place(callFrame) {
  const url = callFrame.url ?? '';
  if (!url) return callFrame.functionName.startsWith('(') ? callFrame.functionName : '(native)';
  if (url.startsWith('node:internal/deps/')) return `node's bundled ${url.split('/')[2]}`; // e.g. the global fetch's undici
  if (url.startsWith('node:')) return 'node internals';
  const packageAt = url.lastIndexOf('/node_modules/');
  if (packageAt !== -1) {
    const rest = url.slice(packageAt + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const distAt = url.indexOf('/dist/');
  return distAt !== -1 ? url.slice(distAt + 1) : url.replace(/^file:\/\//, '');
}

function frameName(callFrame) {
  const url = callFrame.url ?? '';
  const file = url ? `${url.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}` : '';
  return `${callFrame.functionName || '(anonymous)'}${file ? ` ${file}` : ''}`;
}

// Sample i lasted timeDeltas[i + 1] µs (V8 records the delta before each sample).
const selfUs = new Map();
const totalUs = new Map();
const placeUs = new Map();
let allUs = 0;
const { samples, timeDeltas } = profile;
for (let i = 0; i < samples.length; i += 1) {
  const us = timeDeltas[i + 1] ?? 0;
  allUs += us;
  const leaf = nodes.get(samples[i]);
  const leafName = frameName(leaf.callFrame);
  selfUs.set(leafName, (selfUs.get(leafName) ?? 0) + us);
  const where = place(leaf.callFrame);
  placeUs.set(where, (placeUs.get(where) ?? 0) + us);
  const seen = new Set();
  for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
    const name = frameName(nodes.get(id).callFrame);
    if (seen.has(name)) continue; // recursion counts once per sample
    seen.add(name);
    totalUs.set(name, (totalUs.get(name) ?? 0) + us);
  }
}

const busyUs = allUs - (placeUs.get('(idle)') ?? 0);
// "busy" is the share of the time not idle, so the idle row itself has none.
const row = (name, us) =>
  `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / allUs).toFixed(1).padStart(5)}% ${name === '(idle)' ? '     ' : `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`}  ${name}`;
const out = [
  `${positionals[0]}: ${(allUs / 1e6).toFixed(2)} s sampled, ${(busyUs / 1e6).toFixed(2)} s busy (not idle), ${samples.length} samples`,
];
const print = (title, map, count) => {
  out.push('', title, '     self/total    all   busy');
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) out.push(row(name, us));
};

print('Self time by place', placeUs, top);
print(`Top ${top} functions by self time`, selfUs, top);
const skipRoots = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);
print(
  `Top ${top} functions by inclusive time`,
  new Map([...totalUs].filter(([name]) => !skipRoots.has(name))),
  top,
);
process.stdout.write(`${out.join('\n')}\n`);
