// Command-line options the benchmarks share: checked as they are read, each error naming the
// option and what it takes.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `--name` (parsed by node:util's parseArgs into `values`) as a whole number from `min` to `max`. */
export function wholeNumber(values, name, min, max) {
  const n = Number(values[name]);
  if (!(Number.isInteger(n) && n >= min && n <= max)) throw new Error(`--${name}: expected a whole number from ${min} to ${max}, got "${values[name]}"`);
  return n;
}

/** `--root` and, when given, `--compare`: builds of plano, each checked to have `built` (a path under it). */
export function builtRoots(values, built) {
  const roots = [resolve(values.root), ...(values.compare ? [resolve(values.compare)] : [])];
  for (const root of roots) if (!existsSync(join(root, built))) throw new Error(`${root} has no dist/: build it first (npm install, or node scripts/build.mjs)`);
  return roots;
}
