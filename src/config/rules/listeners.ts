/**
 * Rules about `listeners`: the list form, unique names and ports, one model listener, and
 * filter chains that name defined filters.
 */
import type { Diagnostic } from '../diagnostics.js';
import { finding } from '../finding.js';
import { closestMatches } from '../suggest.js';
import type { FilterReference, ListenerEntry } from '../types.js';
import { lineOf, repeats } from './earlier-entries.js';
import { yamlSnippet } from './suggestion-yaml.js';
import type { Rule } from './types.js';

/** The v0.1 `listeners: {ingress_traffic, egress_traffic}` object still loads, but the list form replaced it. */
export const legacyListenerObject: Rule = (config, ctx) => {
  const legacy = config.listeners.filter((l) => l.legacy);
  if (legacy.length === 0) return [];
  const list = legacy.map((l) => ({
    name: l.name,
    type: l.type,
    ...(l.address !== undefined ? { address: l.address } : {}),
    port: l.port,
    ...(l.timeout !== undefined ? { timeout: l.timeout } : {}),
  }));
  return [finding(ctx.document, {
    severity: 'warning',
    code: 'deprecated-listener-object',
    message: 'The `listeners` object with ingress_traffic / egress_traffic is deprecated: listeners are now a list, each with a name and a type.',
    path: '/listeners',
    anchor: 'key',
    suggestion: `Write them as a list:\n${yamlSnippet({ listeners: list })}`,
  })];
};

export const uniqueListenerNames: Rule = (config, ctx) =>
  repeats(config.listeners, (l) => l.name).map(({ item, first }) => finding(ctx.document, {
    severity: 'error',
    code: 'duplicate-listener-name',
    message: `Listener name "${item.name}" is already used at ${lineOf(ctx, first.pointer)}.`,
    path: `${item.pointer}/name`,
    suggestion: 'Give each listener its own name.',
  }));

export const uniqueListenerPorts: Rule = (config, ctx) =>
  repeats(config.listeners, (l) => (l.port === undefined ? undefined : String(l.port))).map(({ item, first }) => finding(ctx.document, {
    severity: 'error',
    code: 'duplicate-listener-port',
    message: `Listener "${item.name}" wants port ${item.port}, which listener "${first.name}" (${lineOf(ctx, first.pointer)}) already listens on.`,
    path: `${item.pointer}/port`,
    suggestion: 'Give each listener its own port.',
  }));

/** Model providers attach to the model listener; two would each claim them. */
export const singleModelListener: Rule = (config, ctx) => {
  const [first, ...rest] = config.listeners.filter((l) => l.type === 'model');
  if (!first) return [];
  return rest.map((listener) => finding(ctx.document, {
    severity: 'error',
    code: 'multiple-model-listeners',
    message: `Listener "${listener.name}" is a second model listener ("${first.name}" at ${lineOf(ctx, first.pointer)} is the first); model_providers are served by a single model listener.`,
    path: listener.legacy ? listener.pointer : `${listener.pointer}/type`,
    anchor: listener.legacy ? 'key' : 'value',
    suggestion: 'Keep one `type: model` listener; give other listeners the type they serve (prompt or agent).',
  }));
};

/** Filter ids in `input_filters` / `output_filters` (and agents' `input_filters`) are defined under `filters` or `agents`. */
export const definedFilters: Rule = (config, ctx) => {
  const defined = [...idsIn(config.raw.filters), ...idsIn(config.raw.agents)];
  const known = new Set(defined);
  return config.listeners.flatMap((listener) =>
    filterReferences(listener).flatMap(({ id, pointer }): Diagnostic[] => {
      if (known.has(id)) return [];
      const close = closestMatches(id, defined, 1)[0];
      return [finding(ctx.document, {
        severity: 'error',
        code: 'undefined-filter',
        message: `Filter "${id}" is not defined: no entry under \`filters\` or \`agents\` has that id` + (close ? ` (did you mean "${close}"?)` : '') + '.',
        path: pointer,
        suggestion: close ? `- ${close}` : `Define it:\n${yamlSnippet({ filters: [{ id, url: 'http://localhost:10500' }] })}`,
      })];
    }),
  );
};

function filterReferences(listener: ListenerEntry): FilterReference[] {
  return [
    ...(listener.input_filters ?? []),
    ...(listener.output_filters ?? []),
    ...(listener.agents ?? []).flatMap((agent) => agent.input_filters ?? []),
  ];
}

/**
 * Agents and filters share one namespace of ids (a listener's filter list may name either), and
 * Plano refuses to start when one id is used twice among them ("Duplicate agent id").
 */
export const uniqueAgentIds: Rule = (config, ctx) => {
  const entries = (['agents', 'filters'] as const).flatMap((section) => {
    const list = config.raw[section];
    if (!Array.isArray(list)) return [];
    return list.flatMap((item, index) =>
      typeof item === 'object' && item !== null && typeof (item as Record<string, unknown>).id === 'string'
        ? [{ id: (item as { id: string }).id, pointer: `/${section}/${index}` }]
        : [],
    );
  });
  return repeats(entries, (e) => e.id).map(({ item, first }) => finding(ctx.document, {
    severity: 'error',
    code: 'duplicate-agent-id',
    message: `"${item.id}" is already the id of the entry at ${lineOf(ctx, first.pointer)}; Plano refuses to start with an agent or filter id used twice, since a listener names them by id.`,
    path: `${item.pointer}/id`,
    suggestion: 'Give this entry an id of its own, and update the listeners that should use it.',
  }));
};

/** The `id`s of a list of `{id, …}` entries (agents, filters). */
function idsIn(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => (typeof item === 'object' && item !== null && typeof (item as Record<string, unknown>).id === 'string' ? [(item as { id: string }).id] : []));
}
