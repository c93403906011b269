/**
 * Issue 2, "Done when": every YAML example of the two seed documents validates without error
 * once wrapped as a config, except four that are not meant as configs and get exactly the
 * error they deserve; the full reference config validates clean. (Issue 12: the Anthropic block,
 * which lists `anthropic/*` twice, joins them: Plano refuses a model listed twice.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/resolve/check.js';
import { seedExamples, type SeedExample } from './seed-examples.js';

const EXAMPLES = seedExamples();

/** The examples that are not configs, told apart by what they contain, and the one error each deserves. */
const NOT_CONFIGS: { name: string; matches: (e: SeedExample) => boolean; code: string; says: RegExp }[] = [
  {
    name: 'the placeholder `provider/model-name` (unknown provider without base_url)',
    matches: (e) => e.yaml.includes('model: provider/model-name'),
    code: 'unknown-provider',
    says: /needs base_url/,
  },
  {
    name: 'the Base URL examples, which list zhipu/glm-4.6 twice (duplicate model)',
    matches: (e) => e.yaml.split('model: zhipu/glm-4.6').length === 3 && e.yaml.includes('# Results in:'),
    code: 'duplicate-model',
    says: /zhipu\/glm-4\.6/,
  },
  {
    name: 'the Anthropic examples, which list anthropic/* twice (duplicate model)',
    matches: (e) => e.yaml.split('model: anthropic/*').length === 3 && e.yaml.includes('# Override specific model with custom routing'),
    code: 'duplicate-model',
    says: /anthropic\/\*.*refuses to start/,
  },
  {
    name: 'the passthrough guide\'s "Incorrect" example (unknown provider without provider_interface)',
    matches: (e) => e.yaml.includes('model: custom/proxy'),
    code: 'unknown-provider',
    says: /needs provider_interface/,
  },
];

const errorsOf = (e: SeedExample) => checkConfig(e.config, e.where).diagnostics.filter((d) => d.severity === 'error');

describe('seed examples', () => {
  it('finds every YAML example in both documents', () => {
    const count = (file: string, marker: RegExp) =>
      readFileSync(new URL(`../../fixtures/seeds/${file}`, import.meta.url), 'utf8').match(marker)?.length ?? 0;
    expect(EXAMPLES.filter((e) => e.where.startsWith('supported_providers.rst')).length).toBe(count('supported_providers.rst', /^\s*\.\. code-block:: yaml$/gm));
    expect(EXAMPLES.filter((e) => e.where.startsWith('routing-passthrough.md')).length).toBe(count('routing-passthrough.md', /^```yaml$/gm));
    expect(EXAMPLES.length).toBeGreaterThan(20);
  });

  const configs = EXAMPLES.filter((e) => !NOT_CONFIGS.some((n) => n.matches(e)));
  it.each(configs.map((e) => [e.where, e] as const))('%s validates with no error', (_where, example) => {
    expect(errorsOf(example).map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`)).toEqual([]);
  });

  it.each(NOT_CONFIGS.map((n) => [n.name, n] as const))('%s gets exactly that error', (_name, notConfig) => {
    const matching = EXAMPLES.filter(notConfig.matches);
    expect(matching).toHaveLength(1);
    const errors = errorsOf(matching[0]!);
    expect(errors.map((d) => d.code)).toEqual([notConfig.code]);
    expect(errors[0]!.message).toMatch(notConfig.says);
  });
});

describe('the full reference config', () => {
  it('validates with no error and no warning', () => {
    const file = new URL('../../fixtures/valid/plano_config_full_reference.yaml', import.meta.url);
    const { diagnostics } = checkConfig(readFileSync(file, 'utf8'), 'plano_config_full_reference.yaml');
    expect(diagnostics).toEqual([]);
  });
});

describe('fixtures/valid', () => {
  const dir = new URL('../../fixtures/valid/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  it.each(files)('%s has no errors', (file) => {
    const { diagnostics } = checkConfig(readFileSync(new URL(file, dir), 'utf8'), file);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});
