/**
 * Every YAML example in the two seed documents (fixtures/seeds: supported_providers.rst and
 * routing-passthrough.md, copies of the team's shared seeds), as a config: the examples are
 * fragments, so each is wrapped with a `version` and a model listener where it lacks them
 * (seeds/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const SEEDS_DIR = fileURLToPath(new URL('../../fixtures/seeds/', import.meta.url));

export interface SeedExample {
  /** `supported_providers.rst:19` — the seed file and the line the example starts on. */
  where: string;
  /** The example as written (dedented). */
  yaml: string;
  /** The example with `version: v0.4.0` and a model listener added where missing. */
  config: string;
  /** Lines the wrapper put before the example (to map positions back to the seed). */
  wrapperLines: number;
}

const WRAPPER_VERSION = 'version: v0.4.0\n';
const WRAPPER_LISTENERS = 'listeners:\n  - name: llm\n    type: model\n    port: 12000\n';

export function seedExamples(): SeedExample[] {
  return [
    ...rstBlocks('supported_providers.rst'),
    ...markdownBlocks('routing-passthrough.md'),
  ].map(({ where, yaml }) => {
    const top = (parse(yaml) ?? {}) as Record<string, unknown>;
    const prefix = ('version' in top ? '' : WRAPPER_VERSION) + ('listeners' in top ? '' : WRAPPER_LISTENERS);
    return { where, yaml, config: prefix + yaml, wrapperLines: prefix.split('\n').length - 1 };
  });
}

/** `.. code-block:: yaml`, optional `:option:` lines, a blank line, then the indented body. */
function rstBlocks(file: string): { where: string; yaml: string }[] {
  const lines = readFileSync(join(SEEDS_DIR, file), 'utf8').split('\n');
  const blocks: { where: string; yaml: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\.\. code-block:: yaml\s*$/.test(lines[i]!)) continue;
    let j = i + 1;
    while (j < lines.length && /^\s+:\w+:/.test(lines[j]!)) j++;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    const indent = /^\s*/.exec(lines[j] ?? '')![0].length;
    const body: string[] = [];
    const start = j;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim() !== '' && /^\s*/.exec(line)![0].length < indent) break;
      body.push(line.slice(indent));
    }
    blocks.push({ where: `${file}:${start + 1}`, yaml: body.join('\n').trimEnd() + '\n' });
    i = j - 1;
  }
  return blocks;
}

/** ```yaml … ``` fences. */
function markdownBlocks(file: string): { where: string; yaml: string }[] {
  const lines = readFileSync(join(SEEDS_DIR, file), 'utf8').split('\n');
  const blocks: { where: string; yaml: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```yaml') continue;
    const end = lines.indexOf('```', i + 1);
    blocks.push({ where: `${file}:${i + 2}`, yaml: lines.slice(i + 1, end).join('\n') + '\n' });
    i = end;
  }
  return blocks;
}
