// Build: compile TypeScript to dist/, then run the generation steps that need the compiled
// output or the schema. Every step runs even when an earlier one fails (tsc still emits JS on
// type errors), so one broken file does not hide the others' results; the exit code is the
// first failure's.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const steps = [
  { name: 'tsc', args: [tsc, '-p', join(root, 'tsconfig.build.json')] },
  { name: 'schema validator', args: [join(root, 'scripts', 'compile-schema.mjs')], optional: true },
];

let exitCode = 0;
for (const step of steps) {
  if (step.optional && !existsSync(step.args[0])) continue;
  const result = spawnSync(process.execPath, step.args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build: ${step.name} failed (exit ${result.status ?? result.signal})`);
    if (exitCode === 0) exitCode = result.status ?? 1;
  }
}
process.exitCode = exitCode;
