import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeConfigText, findConfigFile, findConfigFiles, readConfigText } from '../../src/cli/config-file.js';
import { CliError } from '../../src/cli/exit.js';

const CONFIG = 'version: v0.4.0\nmodel_providers:\n  - model: openai/gpt-4o\n';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plano-config-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('findConfigFile', () => {
  it('prefers plano_config.yaml, then config.yaml, and says what it looked for', async () => {
    await expect(findConfigFile(undefined, dir)).rejects.toThrow(/neither plano_config.yaml nor config.yaml/);
    await writeFile(join(dir, 'config.yaml'), CONFIG);
    expect(await findConfigFile(undefined, dir)).toBe('config.yaml');
    await writeFile(join(dir, 'plano_config.yaml'), CONFIG);
    expect(await findConfigFile(undefined, dir)).toBe('plano_config.yaml');
  });
});

describe('findConfigFiles', () => {
  it('takes Plano configs from a directory, skipping other YAML, hidden folders and node_modules', async () => {
    await mkdir(join(dir, 'envs'));
    await mkdir(join(dir, '.github', 'workflows'), { recursive: true });
    await mkdir(join(dir, 'node_modules', 'x'), { recursive: true });
    await writeFile(join(dir, 'envs', 'prod.yaml'), CONFIG);
    await writeFile(join(dir, 'envs', 'dev.yml'), 'listeners:\n  - name: llm\n    type: model\n');
    await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  app: {}\n');
    await writeFile(join(dir, '.github', 'workflows', 'ci.yaml'), CONFIG);
    await writeFile(join(dir, 'node_modules', 'x', 'config.yaml'), CONFIG);
    expect(await findConfigFiles(['.'], dir)).toEqual([join('envs', 'dev.yml'), join('envs', 'prod.yaml')]);
  });

  it('follows symlinked files (a ConfigMap mount) and checks a file named twice once', async () => {
    await mkdir(join(dir, 'data'));
    await mkdir(join(dir, 'mount'));
    await writeFile(join(dir, 'data', 'plano_config.yaml'), CONFIG);
    await symlink(join(dir, 'data', 'plano_config.yaml'), join(dir, 'mount', 'plano_config.yaml'));
    await symlink(join(dir, 'mount'), join(dir, 'mount', 'loop'));
    expect(await findConfigFiles(['mount'], dir)).toEqual([join('mount', 'plano_config.yaml')]);
    expect(await findConfigFiles(['data/plano_config.yaml', './data/plano_config.yaml', 'mount'], dir)).toEqual(['data/plano_config.yaml']);
  });

  it('is a usage error for a missing path or a directory without configs', async () => {
    await expect(findConfigFiles(['nope.yaml'], dir)).rejects.toBeInstanceOf(CliError);
    await expect(findConfigFiles(['.'], dir)).rejects.toThrow(/no Plano config/);
  });
});

describe('reading', () => {
  it('reads UTF-8, with or without a BOM', async () => {
    await writeFile(join(dir, 'a.yaml'), '\ufeff' + CONFIG);
    expect(await readConfigText('a.yaml', dir)).toBe(CONFIG);
  });

  it('says where a byte is not UTF-8, and that UTF-16 must be saved as UTF-8', () => {
    const latin1 = Buffer.from('version: v0.4.0\nmodel_aliases:\n  caf\xe9:\n', 'latin1');
    expect(() => decodeConfigText(latin1, 'a.yaml')).toThrow('a.yaml:3:6: not valid UTF-8 (byte 0xe9)');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CONFIG, 'utf16le')]);
    expect(() => decodeConfigText(utf16, 'a.yaml')).toThrow('a.yaml is UTF-16 text');
  });
});
