/** The model table renderer in-process: the collapsed form `plano up` prints at startup, and colour. */
import { describe, expect, it } from 'vitest';
import { authLabel, renderModelTable } from '../../src/cli/render/model-table.js';
import { catalogModels } from '../../src/providers/catalog.js';
import { gatewayFromYaml, readFixture } from '../resolve/fixture-gateway.js';

const gateway = gatewayFromYaml(readFixture('valid/wildcards.yaml'), { OPENAI_API_KEY: 'sk-never-printed' });

describe('renderModelTable', () => {
  it('collapsed: explicit rows, then one row per wildcard with how many models it lists', () => {
    const lines = renderModelTable(gateway, { collapseExpansions: true }).trimEnd().split('\n');
    expect(lines.slice(1, 6).map((l) => l.split(/\s{2,}/)[0])).toEqual([
      'anthropic/claude-sonnet-4-20250514',
      'anthropic/claude-3-haiku-20240307',
      'openai/gpt-4o-mini (default)',
      'openai-prod',
      'azure_openai/gpt-4.1',
    ]);
    expect(lines[7]).toBe('Wildcards (any <provider>/<model> routes at run time):');
    expect(lines.slice(8, 12).map((l) => l.split(/\s{2,}/).slice(0, 4))).toEqual([
      [`anthropic/* (${catalogModels('anthropic').length - 1} listed)`, 'anthropic', '{model}', '$ANTHROPIC_API_KEY ✗ unset'],
      [`amazon_bedrock/* (${catalogModels('amazon_bedrock').length} listed)`, 'amazon_bedrock', '{model}', '$AWS_BEARER_TOKEN_BEDROCK ✗ unset'],
      ['litellm/*', 'litellm (openai)', '{model}', 'passthrough'],
      ['custom-provider/*', 'custom-provider (openai)', '{model}', '$CUSTOM_API_KEY ✗ unset'],
    ]);
  });

  it('columns line up across sections', () => {
    const lines = renderModelTable(gateway).split('\n').filter((l) => l.includes('https://'));
    const urlColumn = new Set(lines.map((l) => l.indexOf('https://')));
    expect(urlColumn.size).toBe(1);
  });

  it('colour only when asked, and never a secret', () => {
    const plain = renderModelTable(gateway);
    const coloured = renderModelTable(gateway, { color: true });
    expect(plain).not.toMatch(/\u001b\[/);
    expect(coloured).toMatch(/\u001b\[32m\$OPENAI_API_KEY ✓/);
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
    expect(plain + coloured).not.toContain('sk-never-printed');
  });

  it('auth labels', () => {
    expect(authLabel({ mode: 'access_key', env: 'K', set: true, style: 'bearer', secret: { kind: 'env', name: 'K' } })).toBe('$K ✓');
    expect(authLabel({ mode: 'access_key', env: 'K', set: false, style: 'bearer', secret: { kind: 'env', name: 'K' } })).toBe('$K ✗ unset');
    expect(authLabel({ mode: 'access_key', env: null, set: true, style: 'bearer', secret: { kind: 'literal', value: 'sk-x' } })).toBe('inline key ✓');
    expect(authLabel({ mode: 'passthrough', env: null, set: false, style: 'bearer', secret: null })).toBe('passthrough');
    expect(authLabel({ mode: 'none', env: null, set: false, style: 'bearer', secret: null })).toBe('none');
  });
});
