/**
 * The resolved model table for people: `plano expand` prints it, `plano up` prints it at startup.
 * One row per model (name, provider, upstream model, auth, chat completions URL; `wide` adds the
 * messages and responses URLs). Explicit entries come first; each wildcard's expansion follows
 * as its own group, so that `openai/*` does not bury the rest; run-time-only patterns come last.
 * Auth shows where a key comes from and whether it is set, never its value.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { AuthPlan, Gateway, ResolvedModel, WildcardRoute } from '../../resolve/types.js';
import { redactUrl } from '../../config/secret-values.js';
import { embeddingsUrl } from '../../resolve/endpoints.js';
import { MODEL_PLACEHOLDER } from '../../providers/upstream-url.js';

export interface ModelTableOptions {
  /** Add the messages and responses URLs. */
  wide?: boolean;
  color?: boolean;
  /** One row per wildcard instead of one per expanded model (a startup summary). */
  collapseExpansions?: boolean;
}

export type ModelTableInput = Pick<Gateway, 'models' | 'wildcards' | 'ambiguousShortNames'>;

interface Cell {
  text: string;
  paint?: (s: string) => string;
}

type Row = Cell[];

export function renderModelTable(gateway: ModelTableInput, options: ModelTableOptions = {}): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const header: Row = ['NAME', 'PROVIDER', 'UPSTREAM MODEL', 'AUTH', 'CHAT COMPLETIONS URL', ...(options.wide ? ['MESSAGES URL', 'RESPONSES URL', 'EMBEDDINGS URL'] : [])].map(
    (text) => ({ text, paint: chalk.bold }),
  );

  const explicit = gateway.models.filter((m) => m.fromWildcard === null);
  const expandedBy = new Map<string, ResolvedModel[]>();
  for (const model of gateway.models) {
    if (model.fromWildcard === null) continue;
    const group = expandedBy.get(model.fromWildcard) ?? [];
    group.push(model);
    expandedBy.set(model.fromWildcard, group);
  }

  // Sections: a heading (or none) and rows. Columns are aligned across all of them.
  const sections: { heading?: string; rows: Row[] }[] = [{ rows: explicit.map((m) => modelRow(m, options, chalk)) }];
  if (options.collapseExpansions) {
    const rows = gateway.wildcards.map((w) => wildcardRow(w, expandedBy.get(w.pattern)?.length ?? 0, options, chalk));
    if (rows.length > 0) sections.push({ heading: 'Wildcards (any <provider>/<model> routes at run time):', rows });
  } else {
    for (const [pattern, models] of expandedBy) {
      const count = `${models.length} catalogue model${models.length === 1 ? '' : 's'}`;
      sections.push({ heading: `${pattern}: ${count}; any other ${pattern.slice(0, -1)}<model> routes at run time`, rows: models.map((m) => modelRow(m, options, chalk)) });
    }
    const runtimeOnly = gateway.wildcards.filter((w) => !expandedBy.has(w.pattern));
    if (runtimeOnly.length > 0) {
      sections.push({
        heading: 'Run-time patterns (any <prefix>/<model>; not listed by /v1/models):',
        rows: runtimeOnly.map((w) => wildcardRow(w, 0, options, chalk)),
      });
    }
  }

  const visible = sections.filter((s) => s.rows.length > 0);
  const widths = header.map((_, column) => Math.max(...[header, ...visible.flatMap((s) => s.rows)].map((row) => row[column]?.text.length ?? 0)));
  const line = (row: Row) =>
    row
      .map((cell, column) => {
        const padded = column === row.length - 1 ? cell.text : cell.text.padEnd(widths[column]!);
        return cell.paint ? cell.paint(padded) : padded;
      })
      .join('  ')
      .trimEnd();

  const out = [line(header)];
  for (const section of visible) {
    if (section.heading) out.push('', chalk.dim(section.heading));
    out.push(...section.rows.map(line));
  }

  const shownIds = new Set(gateway.models.map((m) => m.model));
  const ambiguous = Object.entries(gateway.ambiguousShortNames).filter(([id]) => shownIds.has(id));
  if (ambiguous.length > 0) {
    out.push('', chalk.yellow('Ambiguous short names route nowhere; ask for the full name, or add a model_aliases entry:'));
    for (const [id, names] of ambiguous) out.push(`  ${id} → ${names.join(', ')}`);
  }
  return out.join('\n') + '\n';
}

function modelRow(model: ResolvedModel, options: ModelTableOptions, chalk: ChalkInstance): Row {
  return [
    { text: model.isDefault ? `${model.name} (default)` : model.name, paint: model.isDefault ? chalk.bold : undefined },
    { text: providerLabel(model) },
    { text: model.model },
    authCell(model.auth, chalk),
    ...urlCells(model, options, model.model),
  ];
}

function wildcardRow(route: WildcardRoute, expandedCount: number, options: ModelTableOptions, chalk: ChalkInstance): Row {
  return [
    { text: expandedCount > 0 ? `${route.pattern} (${expandedCount} listed)` : route.pattern },
    { text: providerLabel(route) },
    { text: '{model}', paint: chalk.dim },
    authCell(route.auth, chalk),
    ...urlCells(route, options, MODEL_PLACEHOLDER),
  ];
}

/** The prefix as written, and the table record it speaks for when that differs (`google (gemini)`, `vllm (openai)`). */
function providerLabel(target: { prefix: string; interface: string }): string {
  return target.prefix === target.interface ? target.prefix : `${target.prefix} (${target.interface})`;
}

export function authLabel(auth: AuthPlan): string {
  if (auth.mode === 'passthrough') return 'passthrough';
  if (auth.mode === 'none') return 'none';
  if (auth.env === null) return 'inline key ✓';
  return auth.set ? `$${auth.env} ✓` : `$${auth.env} ✗ unset`;
}

function authCell(auth: AuthPlan, chalk: ChalkInstance): Cell {
  const text = authLabel(auth);
  if (auth.mode !== 'access_key') return { text, paint: chalk.dim };
  return { text, paint: auth.set ? chalk.green : chalk.red };
}

function urlCells(target: Pick<ResolvedModel, 'endpoints' | 'provider' | 'baseUrl'>, options: ModelTableOptions, model: string): Cell[] {
  const apis = options.wide ? (['chat_completions', 'messages', 'responses'] as const) : (['chat_completions'] as const);
  const cells: Cell[] = apis.map((api) => ({ text: redactUrl(target.endpoints[api].url) }));
  if (options.wide) {
    const embeddings = embeddingsUrl(target, model);
    cells.push({ text: embeddings === null ? '—' : redactUrl(embeddings) });
  }
  return cells;
}
