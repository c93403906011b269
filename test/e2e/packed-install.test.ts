/**
 * plano as a user outside this repository gets it (issue 17): `npm pack`, then the tarball
 * installed as a dev dependency of a new project in a temporary folder, then `npx plano …` there.
 *
 * The install never reaches a registry: npm's cache holds every package from this repository's
 * own install, by integrity, and the new project gets a lockfile naming exactly those (this
 * repository's lock, its production entries) — `npm ci --offline` then installs what
 * `npm install -D plano-<version>.tgz` would, from the cache.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-plano.js';

const run = promisify(execFile);
let dir: string;
let project: string;

/** npm and npx of the Node running the tests (its own bin folder first on PATH). */
const env = (): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${join(process.execPath, '..')}:${process.env.PATH ?? ''}`, NO_COLOR: '1', npm_config_update_notifier: 'false' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plano-packed-'));
  // --ignore-scripts: the build is the one `npm test` just made (prepare would make it again).
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, env: env() });
  const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'))!;
  project = join(dir, 'app');
  await run('mkdir', ['-p', project]);
  const spec = `file:../${tarball}`;
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'an-app', version: '1.0.0', private: true, devDependencies: { plano: spec } }));
  await writeFile(join(project, 'package-lock.json'), JSON.stringify(await lockFor(spec, await readFile(join(dir, tarball)))));
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: project, env: env(), timeout: 180_000 });
}, 240_000);

interface LockEntry {
  version: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  devOptional?: boolean;
  [field: string]: unknown;
}

/** The new project's lockfile: plano from its tarball, and this repository's production packages as the registry serves them. */
async function lockFor(spec: string, tarball: Buffer): Promise<unknown> {
  const repoLock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; bin: Record<string, string> };
  const packages: Record<string, unknown> = {
    '': { name: 'an-app', version: '1.0.0', devDependencies: { plano: spec } },
    'node_modules/plano': {
      version: manifest.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
      dev: true,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
    },
  };
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path === '' || entry.dev) continue;
    const { devOptional: _devOptional, ...rest } = entry;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const file = `${name.split('/').pop()!}-${entry.version}.tgz`;
    packages[path] = { ...rest, resolved: entry.resolved ?? `https://registry.npmjs.org/${name}/-/${file}`, dev: true };
  }
  return { name: 'an-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed package, installed as a dev dependency', () => {
  it('npx plano validates and expands the user’s config', async () => {
    await writeFile(
      join(project, 'plano_config.yaml'),
      'version: v0.4.0\nlisteners:\n  - {name: llm, type: model, port: 12000}\nmodel_providers:\n  - model: openai/gpt-4o-mini\n    access_key: $OPENAI_API_KEY\n    default: true\n',
    );
    const validated = await run('npx', ['--no-install', 'plano', 'validate'], { cwd: project, env: { ...env(), OPENAI_API_KEY: 'sk-test' } });
    expect(validated.stdout).toContain('1 file checked: 0 errors, 0 warnings');
    const expanded = await run('npx', ['--no-install', 'plano', 'expand', '--format', 'json'], { cwd: project, env: env() });
    expect((JSON.parse(expanded.stdout) as { models: Array<{ endpoints: { chat_completions: { url: string } } }> }).models[0]!.endpoints.chat_completions.url).toBe(
      'https://api.openai.com/v1/chat/completions',
    );
    // The JSON schema the editor modeline points at ships with it.
    expect(await readdir(join(project, 'node_modules', 'plano', 'schemas'))).toContain('plano_config.schema.json');
  }, 60_000);
});
