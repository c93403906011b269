/**
 * The semantic rules beyond what the fixture corpus pins down: the YAML their suggestions offer
 * is a fix (applying it leaves a clean config), `--env`, and partial configs.
 */
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkConfig } from '../../src/resolve/check.js';
import { indexModels } from '../../src/resolve/model-index.js';
import { loadDocument } from '../../src/config/document.js';
import { normalizeConfig } from '../../src/config/normalize.js';
import { runRules } from '../../src/config/rules/index.js';

const LISTENER = 'version: v0.4.0\nlisteners:\n  - name: llm\n    type: model\n    port: 12000\n';
const check = (text: string, env?: Record<string, string>) => checkConfig(text, 'test.yaml', env ? { env, requireEnv: true } : {}).diagnostics;
const codes = (text: string, env?: Record<string, string>) => check(text, env).map((d) => d.code);

/** The YAML after a suggestion's first line (the lines that are a config fragment), as data. */
function suggestedYaml(suggestion: string | undefined): Record<string, unknown> {
  const lines = (suggestion ?? '').split('\n').slice(1).filter((l) => !l.startsWith('#'));
  return parse(lines.join('\n')) as Record<string, unknown>;
}

describe('suggestions that are fixes', () => {
  it('inline routing_preferences: the migrated top-level YAML, once applied, validates clean', () => {
    const text = `${LISTENER}model_providers:
  - model: openai/gpt-4o
    access_key: $OPENAI_API_KEY
    default: true
    routing_preferences:
      - name: code review
        description: reviewing code
  - model: anthropic/claude-sonnet-4-5
    access_key: $ANTHROPIC_API_KEY
    routing_preferences:
      - name: code review
        description: reviewing code
      - name: writing
        description: prose
`;
    const findings = check(text);
    expect(findings.map((d) => d.code)).toEqual(['deprecated-inline-routing-preferences', 'deprecated-inline-routing-preferences']);
    const migrated = suggestedYaml(findings[0]!.suggestion);
    expect(migrated.routing_preferences).toEqual([
      { name: 'code review', description: 'reviewing code', models: ['openai/gpt-4o', 'anthropic/claude-sonnet-4-5'] },
      { name: 'writing', description: 'prose', models: ['anthropic/claude-sonnet-4-5'] },
    ]);
    const config = parse(text) as { model_providers: Record<string, unknown>[] };
    for (const entry of config.model_providers) delete entry.routing_preferences;
    expect(check(stringify({ ...config, ...migrated }))).toEqual([]);
  });

  it('legacy listener object: the list form it suggests validates clean', () => {
    const text = 'version: v0.1\nlisteners:\n  egress_traffic:\n    port: 12000\n  ingress_traffic:\n    port: 10000\nmodel_providers:\n  - model: openai/gpt-4o\n    access_key: $OPENAI_API_KEY\n';
    const [finding] = check(text);
    expect(finding!.code).toBe('deprecated-listener-object');
    const fixed = { ...(parse(text) as object), ...suggestedYaml(finding!.suggestion) };
    expect(check(stringify(fixed))).toEqual([]);
  });

  it('a corrected provider entry never carries the literal key, only a variable', () => {
    const text = `${LISTENER}model_providers:\n  - model: azure_openai/gpt-4o\n    access_key: abcdefghijklmnopqrstuvwxyz123456\n`;
    const required = check(text).find((d) => d.code === 'base-url-required')!;
    expect(suggestedYaml(required.suggestion)).toEqual([{ model: 'azure_openai/gpt-4o', access_key: '$AZURE_OPENAI_API_KEY', base_url: 'https://<host>' }]);
  });
});

describe('--env', () => {
  const text = `${LISTENER}model_providers:\n  - model: openai/gpt-4o\n    access_key: \${OPENAI_API_KEY}\n  - model: groq/llama-3.3-70b-versatile\n    access_key: $GROQ_API_KEY\n    passthrough_auth: true\n`;

  it('is checked only when asked', () => {
    expect(codes(text)).toEqual(['passthrough-ignores-access-key']);
  });

  it('reports a variable that is unset or empty, and not one passthrough makes unused', () => {
    expect(codes(text, { OPENAI_API_KEY: 'x' })).toEqual(['passthrough-ignores-access-key']);
    const empty = check(text, { OPENAI_API_KEY: '' }).find((d) => d.code === 'access-key-not-set')!;
    expect(empty.message).toContain('OPENAI_API_KEY, which is empty');
    expect(codes(text, {})).toEqual(['access-key-not-set', 'passthrough-ignores-access-key']);
  });
});

describe('routing references', () => {
  const base = `${LISTENER}model_providers:
  - model: openai/gpt-4o
    access_key: $OPENAI_API_KEY
    default: true
  - model: openai/*
    access_key: $OPENAI_API_KEY
model_aliases:
  smart:
    target: openai/gpt-4o
routing_preferences:
  - name: coding
    description: code
    models: [smart, openai/o3, gpt-4o-mini]
`;

  it('accepts aliases, models a wildcard reaches, and catalogue short names', () => {
    expect(codes(base)).toEqual([]);
  });

  it('accepts the hosted router by name, and a configured model, as llm_routing_model', () => {
    expect(codes(`${base}overrides:\n  llm_routing_model: Plano-Orchestrator\n`)).toEqual([]);
    expect(codes(`${base}overrides:\n  llm_routing_model: smart\n`)).toEqual([]);
    expect(codes(`${base}overrides:\n  llm_routing_model: anthropic/claude-sonnet-4-5\n`)).toEqual(['unknown-llm-routing-model']);
  });
});

describe('selection_policy and model_metrics_sources', () => {
  const text = (sources: string) => `${LISTENER}model_providers:
  - model: openai/gpt-4o
    access_key: $OPENAI_API_KEY
  - model: openai/gpt-4o-mini
    access_key: $OPENAI_API_KEY
routing_preferences:
  - name: chat
    description: small talk
    models: [openai/gpt-4o-mini, openai/gpt-4o]
    selection_policy:
      prefer: fastest
model_metrics_sources:
${sources}`;

  it('a latency source routing can read satisfies prefer: fastest', () => {
    expect(codes(text('  - type: latency\n    provider: prometheus\n    url: http://prom:9090\n    query: q\n'))).toEqual([]);
  });

  it('a latency source routing cannot read (no query) does not: the schema says why, the rule says what it costs', () => {
    expect(codes(text('  - type: latency\n    provider: prometheus\n    url: http://prom:9090\n')).sort()).toEqual(['schema-required', 'selection-policy-without-metrics']);
  });
});

describe('partial configs', () => {
  // Shapes the schema rejects: the rules still run on them (check.ts runs rules after schema errors).
  const shapes: unknown[] = [
    { model_providers: 'openai/gpt-4o', listeners: 5, model_aliases: [], routing_preferences: {} },
    { model_providers: [null, 3, { model: 7 }, { model: 'openai/gpt-4o', base_url: 42, default: 'yes' }] },
    { listeners: [{ type: 'model', input_filters: 'x', agents: [null] }], filters: 'x', prompt_targets: [{ endpoint: 'x' }], endpoints: [] },
    { model_aliases: { a: null, b: { target: 3 } }, overrides: { llm_routing_model: 5 }, tracing: 'x', model_metrics_sources: {} },
    { routing_preferences: [{ name: 'x', models: 'y', selection_policy: { prefer: 'cheapest' } }, null], llm_providers: {} },
  ];
  it.each(shapes.map((s) => [JSON.stringify(s), s] as const))('%s does not throw', (_label, shape) => {
    const document = loadDocument(stringify(shape), 'partial.yaml');
    expect(() => runRules(normalizeConfig(document.value), { document, file: 'partial.yaml', models: indexModels })).not.toThrow();
  });
});
