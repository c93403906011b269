/**
 * Data flows one way (DESIGN.md "One core, four faces"): config → resolve → server, with cli on
 * top. A module importing against that flow fails here, naming the file and the import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Each layer, and the layers above it that it must not import. */
const MUST_NOT_IMPORT: Record<string, string[]> = {
  config: ['resolve', 'routing', 'server', 'translate', 'cli'],
  providers: ['config', 'resolve', 'routing', 'server', 'translate', 'cli'],
  resolve: ['server', 'cli'],
  translate: ['server', 'cli'],
  routing: ['server', 'cli'],
  server: ['cli'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The src/ layer each relative import of `file` reaches. */
function importedLayers(file: string): Array<{ specifier: string; layer: string }> {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((specifier) => ({ specifier, layer: relative(SRC, join(file, '..', specifier)).split(/[\\/]/)[0]! }));
}

describe('layering', () => {
  it.each(Object.entries(MUST_NOT_IMPORT))('src/%s imports nothing from the layers above it', (layer, above) => {
    const wrong = sources(join(SRC, layer)).flatMap((file) =>
      importedLayers(file)
        .filter((i) => above.includes(i.layer))
        .map((i) => `${relative(SRC, file)} imports ${i.specifier}`),
    );
    expect(wrong).toEqual([]);
  });
});
