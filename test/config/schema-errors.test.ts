/**
 * checkSchema: Ajv's errors become one finding per mistake, located at the offending key or
 * value, with the right code, a did-you-mean and the allowed keys or values.
 */
import { describe, expect, it } from 'vitest';
import { loadDocument } from '../../src/config/document.js';
import { checkSchema } from '../../src/config/schema.js';
import type { Diagnostic } from '../../src/config/diagnostics.js';

const HEAD = 'version: v0.4.0\nlisteners:\n  - name: llm\n    type: model\n    port: 12000\n';

function findings(yaml: string): Diagnostic[] {
  const document = loadDocument(yaml, 'plano_config.yaml');
  expect(document.diagnostics).toEqual([]);
  return checkSchema(document);
}

/** The single finding a config produces. */
function only(yaml: string): Diagnostic {
  const all = findings(yaml);
  expect(all.map((d) => `${d.code} ${d.path}`)).toHaveLength(1);
  return all[0]!;
}

const at = (d: Diagnostic) => `${d.line}:${d.column}`;

describe('unknown keys', () => {
  it('a misspelled provider key: at the key, with did-you-mean and the allowed keys', () => {
    const d = only(`${HEAD}model_providers:\n  - model: openai/gpt-4o\n    acess_key: $OPENAI_API_KEY\n`);
    expect(d).toMatchObject({ code: 'schema-unknown-key', severity: 'error', path: '/model_providers/0/acess_key', line: 8, column: 5, endLine: 8, endColumn: 14 });
    expect(d.message).toContain('did you mean `access_key`?');
    expect(d.suggestion).toContain('Rename `acess_key` to `access_key`');
    expect(d.suggestion).toContain('passthrough_auth');
  });

  it('folds "missing model" + "unknown modle" into one typo finding at `modle`', () => {
    const d = only(`${HEAD}model_providers:\n  - modle: openai/gpt-4o\n`);
    expect(d).toMatchObject({ code: 'schema-unknown-key', path: '/model_providers/0/modle', line: 7, column: 5 });
    expect(d.message).toBe('Unknown key `modle` in model provider `model_providers[0]`; did you mean `model`?');
    expect(d.suggestion).toContain('`model` is required here');
  });

  it('suggests only keys not already present', () => {
    const d = only(`${HEAD}model_providers:\n  - model: openai/gpt-4o\n    modle: x\n`);
    expect(d.code).toBe('schema-unknown-key');
    expect(d.message).not.toContain('did you mean');
  });

  it('pasthrough_auth → passthrough_auth', () => {
    const d = only(`${HEAD}model_providers:\n  - model: openai/gpt-4o\n    pasthrough_auth: true\n`);
    expect(d.message).toContain('did you mean `passthrough_auth`?');
  });

  it('a key with nothing close: no did-you-mean, the allowed keys', () => {
    const d = only(`${HEAD}overrides:\n  zzz: 1\n`);
    expect(d).toMatchObject({ code: 'schema-unknown-key', path: '/overrides/zzz', line: 7, column: 3 });
    expect(d.message).toBe('Unknown key `zzz` in `overrides`.');
    expect(d.suggestion).toContain('llm_routing_model');
  });

  it('at the top level', () => {
    const d = only(`${HEAD}model_provider: []\n`);
    expect(d).toMatchObject({ code: 'schema-unknown-key', path: '/model_provider', line: 6, column: 1 });
    expect(d.message).toBe('Unknown key `model_provider` at the top level; did you mean `model_providers`?');
  });

  it('escapes a key containing a slash in the JSON Pointer', () => {
    const d = only(`${HEAD}routing:\n  a/b: 1\n`);
    expect(d.path).toBe('/routing/a~1b');
    expect(at(d)).toBe('7:3');
  });
});

describe('enum values', () => {
  it('provider_interface: opnai → did you mean "openai"?, at the value', () => {
    const d = only(`${HEAD}model_providers:\n  - model: vllm/x\n    base_url: http://h:8000\n    provider_interface: opnai\n`);
    expect(d).toMatchObject({ code: 'schema-enum', path: '/model_providers/0/provider_interface', line: 9, column: 25, endColumn: 30 });
    expect(d.message).toContain('did you mean "openai"?');
    expect(d.suggestion).toContain('"together_ai"');
  });

  it('a value with nothing close lists the allowed values', () => {
    const d = only(`${HEAD.replace('type: model', 'type: gateway')}`);
    expect(d).toMatchObject({ code: 'schema-enum', path: '/listeners/0/type', line: 4, column: 11 });
    expect(d.message).not.toContain('did you mean');
    expect(d.suggestion).toBe('Allowed values: "model", "prompt", "agent".');
  });

  it('a wrong type is one type finding, not also an enum finding', () => {
    const d = only(HEAD.replace('version: v0.4.0', 'version: 0.4'));
    expect(d).toMatchObject({ code: 'schema-type', path: '/version', line: 1, column: 10 });
  });
});

describe('oneOf / anyOf collapse to the branch that was meant', () => {
  it('listeners as a list: only the list form’s complaints', () => {
    const d = only(`version: v0.4.0\nlisteners:\n  - name: llm\n    type: model\n    adress: 0.0.0.0\n`);
    expect(d).toMatchObject({ code: 'schema-unknown-key', path: '/listeners/0/adress', line: 5, column: 5 });
    expect(d.message).toContain('did you mean `address`?');
  });

  it('listeners as the legacy object: only the object form’s complaints', () => {
    const d = only(`version: v0.4.0\nlisteners:\n  egress_traffic:\n    port: 12000\n  ingres_traffic: {}\n`);
    expect(d).toMatchObject({ code: 'schema-unknown-key', path: '/listeners/ingres_traffic', line: 5, column: 3 });
    expect(d.message).toContain('did you mean `ingress_traffic`?');
  });

  it('listeners that fit no form: one type finding naming both', () => {
    const d = only('version: v0.4.0\nlisteners: 12000\n');
    expect(d).toMatchObject({ code: 'schema-type', path: '/listeners', line: 2, column: 12 });
    expect(d.message).toBe('`listeners` must be a list or a mapping (key: value pairs), but it is the integer 12000.');
    expect(d.suggestion).toContain('listeners: [{name: llm, type: model, port: 12000}]');
  });

  it('an empty listeners key is located at the key', () => {
    const d = only('version: v0.4.0\nlisteners:\n');
    expect(d).toMatchObject({ code: 'schema-type', line: 2, column: 1 });
    expect(d.message).toContain('but it is empty');
  });

  it('a metrics source is judged by its `type`: the latency form’s missing query only', () => {
    const all = findings(`${HEAD}model_metrics_sources:\n  - type: latency\n    provider: prometheus\n    url: http://p:9090\n`);
    expect(all.map((d) => [d.code, d.path, at(d)])).toEqual([['schema-required', '/model_metrics_sources/0', '7:5']]);
    expect(all[0]!.message).toBe('Missing required key `query` in latency source `model_metrics_sources[0]`.');
  });

  it('a metrics source whose `type` fits no form: one enum finding at the type', () => {
    const d = only(`${HEAD}model_metrics_sources:\n  - type: costs\n    provider: models.dev\n`);
    expect(d).toMatchObject({ code: 'schema-enum', path: '/model_metrics_sources/0/type', line: 7, column: 11 });
    expect(d.message).toContain('did you mean "cost"?');
    expect(d.suggestion).toBe('Use "cost". Allowed values: "cost", "latency".');
  });

  it('anyOf of scalar types: one type finding', () => {
    const yaml = `${HEAD}prompt_targets:\n  - name: t\n    description: d\n    parameters:\n      - name: p\n        description: d\n        type: str\n        default: [1]\n`;
    const d = only(yaml);
    expect(d).toMatchObject({ code: 'schema-type', path: '/prompt_targets/0/parameters/0/default', line: 13, column: 18 });
  });
});

describe('types, required keys and other constraints', () => {
  it('a quoted port: the type, and the fix', () => {
    const d = only(HEAD.replace('port: 12000', 'port: "12000"'));
    expect(d).toMatchObject({ code: 'schema-type', path: '/listeners/0/port', line: 5, column: 11 });
    expect(d.suggestion).toBe('Remove the quotes: `port: 12000`.');
  });

  it('default: yes is a string in YAML 1.2', () => {
    const d = only(`${HEAD}model_providers:\n  - model: openai/gpt-4o\n    default: yes\n`);
    expect(d).toMatchObject({ code: 'schema-type', line: 8, column: 14 });
    expect(d.message).toContain('must be true or false, but it is the string "yes"');
  });

  it('providers written as a mapping: say to make it a list', () => {
    const d = only(`${HEAD}model_providers:\n  model: openai/gpt-4o\n`);
    expect(d).toMatchObject({ code: 'schema-type', path: '/model_providers', line: 7, column: 3 });
    expect(d.suggestion).toMatch(/^Write it as a list: start each entry with `- `/);
  });

  it('a provider written as a bare string: say which key it belongs under', () => {
    const d = only(`${HEAD}model_providers:\n  - openai/gpt-4o\n`);
    expect(d).toMatchObject({ code: 'schema-type', path: '/model_providers/0', line: 7, column: 5 });
    expect(d.suggestion).toBe('Write it as a mapping: `model: openai/gpt-4o`.');
  });

  it('an alias written as a bare target', () => {
    const d = only(`${HEAD}model_aliases:\n  fast: gpt-4o\n`);
    expect(d).toMatchObject({ code: 'schema-type', path: '/model_aliases/fast', line: 7, column: 9 });
    expect(d.suggestion).toBe('Write it as a mapping: `target: gpt-4o` under `fast:`.');
  });

  it('the same mistake in many entries: one finding per entry, each at its own line', () => {
    const entries = Array.from({ length: 500 }, (_, i) => `  - model: openai/m${i}\n    acess_key: $K\n`).join('');
    const all = findings(`${HEAD}model_providers:\n${entries}`);
    expect(all).toHaveLength(500);
    expect(new Set(all.map((d) => d.message.replace(/\[\d+\]/, '')))).toHaveProperty('size', 1);
    expect(all[499]).toMatchObject({ path: '/model_providers/499/acess_key', line: 7 + 2 * 499 + 1, column: 5 });
  });

  it('a missing required key is located at the parent’s key', () => {
    const d = only(`${HEAD}state_storage:\n  type: postgres\n`);
    expect(d).toMatchObject({ code: 'schema-required', path: '/state_storage', line: 6, column: 1, endColumn: 14 });
    expect(d.message).toBe('Missing required key `connection_string` in `state_storage`.');
    expect(d.suggestion).toMatch(/^Add `connection_string: /);
  });

  it('a missing required key in a list item is located at the item', () => {
    const d = only('version: v0.4.0\nlisteners:\n  - type: model\n    port: 1\n');
    expect(d).toMatchObject({ code: 'schema-required', path: '/listeners/0', line: 3, column: 5 });
    expect(d.suggestion).toBe('Add `name: llm` (A unique name for this listener).');
  });

  it('version missing', () => {
    const d = only('listeners:\n  - name: llm\n    type: model\n');
    expect(d).toMatchObject({ code: 'schema-required', path: '', line: 1, column: 1 });
    expect(d.suggestion).toContain('version: v0.4.0');
  });

  it('an empty model', () => {
    const d = only(`${HEAD}model_providers:\n  - model: ""\n`);
    expect(d).toMatchObject({ code: 'schema-invalid', path: '/model_providers/0/model', line: 7, column: 12 });
    expect(d.message).toBe('`model_providers[0].model` must not be empty.');
  });

  it('a number above its maximum', () => {
    const d = only(`${HEAD}routing:\n  session_max_entries: 50000\n`);
    expect(d).toMatchObject({ code: 'schema-invalid', path: '/routing/session_max_entries', line: 7, column: 24 });
    expect(d.message).toBe('`routing.session_max_entries` must be at most 10000, but it is 50000.');
  });

  it('an endpoint name that is not an identifier: at the name', () => {
    const d = only(`${HEAD}endpoints:\n  app-server:\n    endpoint: 127.0.0.1:80\n`);
    expect(d).toMatchObject({ code: 'schema-invalid', path: '/endpoints/app-server', line: 7, column: 3 });
    expect(d.message).toContain('must start with a letter');
  });

  it('a header value that is a number', () => {
    const d = only(`${HEAD}model_providers:\n  - model: openai/gpt-4o\n    headers:\n      X-Org: 7\n`);
    expect(d).toMatchObject({ code: 'schema-type', path: '/model_providers/0/headers/X-Org', line: 9, column: 14 });
    expect(d.suggestion).toBe('Quote it: `X-Org: "7"`.');
  });

  it('several mistakes: one finding each', () => {
    const yaml = `${HEAD}model_providers:\n  - modle: openai/gpt-4o\n    provider_interface: opnai\n  - model: anthropic/claude\n    acess_key: $K\n    default: 1\n`;
    expect(findings(yaml).map((d) => [d.code, at(d)]).sort()).toEqual([
      ['schema-enum', '8:25'],
      ['schema-type', '11:14'],
      ['schema-unknown-key', '10:5'],
      ['schema-unknown-key', '7:5'],
    ]);
  });

  it('a clean config has no findings', () => {
    expect(findings(`${HEAD}model_providers:\n  - model: openai/gpt-4o\n    access_key: $OPENAI_API_KEY\n`)).toEqual([]);
  });
});

describe('seed deliberate differences from the reference schema', () => {
  it('inline routing_preferences may carry priority and omit description', () => {
    expect(findings(`${HEAD}model_providers:\n  - model: openai/gpt-4o\n    routing_preferences:\n      - name: code\n        priority: 1\n`)).toEqual([]);
  });

  it('provider_interface accepts every interface of the provider table, e.g. anthropic', () => {
    expect(findings(`${HEAD}model_providers:\n  - model: corp/claude\n    base_url: https://llm.corp\n    provider_interface: anthropic\n`)).toEqual([]);
  });

  it('leaves meaning to the rules: a model without a provider prefix passes the schema', () => {
    expect(findings(`${HEAD}model_providers:\n  - model: gpt-4o\n    access_key: sk-literal\n    passthrough_auth: true\n`)).toEqual([]);
  });
});
