/**
 * Ajv's raw errors → one finding per real mistake, at the key or value it is about.
 *
 * Ajv (allErrors) reports every keyword that failed, including every branch of a `oneOf` and
 * an `enum` next to the `type` it also broke. A person made one mistake, so:
 *  1. `oneOf`/`anyOf`: keep only the branch the data was meant for (its type and its `const`
 *     discriminator match), or one type finding when no branch fits at all;
 *  2. a wrong type silences the other complaints about the same value;
 *  3. "missing required `model`" + "unknown key `modle`" in one mapping is one typo;
 *  4. what remains is worded with the schema's titles, allowed keys and values, and examples.
 */
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from './diagnostics.js';
import type { Anchor, ConfigDocument } from './document.js';
import { finding } from './finding.js';
import { fromPointer, pointerLabel, toPointer } from './json-pointer.js';
import { closestMatches } from './suggest.js';

/** The subset of JSON Schema (draft-07) our schema uses, as far as messages need it. */
export interface JsonSchema {
  title?: string;
  description?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  default?: unknown;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  patternErrorMessage?: string;
  $ref?: string;
  [keyword: string]: unknown;
}

export const SCHEMA_CODES = {
  unknownKey: 'schema-unknown-key',
  enum: 'schema-enum',
  type: 'schema-type',
  required: 'schema-required',
  invalid: 'schema-invalid',
} as const;

/** An Ajv error, or one this module makes when it collapses a `oneOf` into a single finding. */
interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
}

export function schemaFindings(errors: readonly ErrorObject[], document: ConfigDocument, schema: JsonSchema): Diagnostic[] {
  const lookup = new SchemaLookup(schema, document.value);
  let remaining: SchemaError[] = errors
    // `if` only says "must match the then schema" (the `then` errors say what is missing), and
    // an error carrying `propertyName` is the inner half of a `propertyNames` error.
    .filter((e) => e.keyword !== 'if' && e.propertyName === undefined)
    .map((e) => ({ keyword: e.keyword, instancePath: e.instancePath, schemaPath: e.schemaPath, params: e.params as Record<string, unknown> }));
  remaining = collapseCombinators(remaining, lookup, document.value);
  remaining = dropNoiseBesideTypeErrors(remaining);

  const out: Diagnostic[] = [];
  const words = new Wording(lookup, document);
  for (const group of groupBy(remaining, (e) => e.instancePath).values()) out.push(...words.describeGroup(group));
  return dedupe(out);
}

// ── 1. oneOf / anyOf ────────────────────────────────────────────────────────────────────────

function collapseCombinators(errors: SchemaError[], lookup: SchemaLookup, data: unknown): SchemaError[] {
  const combinators = errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .sort((a, b) => a.instancePath.length - b.instancePath.length || a.schemaPath.length - b.schemaPath.length);
  const dropped = new Set<SchemaError>();
  const added: SchemaError[] = [];

  for (const combinator of combinators) {
    if (dropped.has(combinator)) continue;
    const owner = lookup.rawForInstance(combinator.instancePath);
    const branches = combinator.keyword === 'oneOf' ? owner?.oneOf : owner?.anyOf;
    if (!Array.isArray(branches)) continue;
    const branchErrors = (branches as JsonSchema[]).map((_, i) =>
      errors.filter(
        (e) => e !== combinator && e.schemaPath.startsWith(`${combinator.schemaPath}/${i}/`) && within(e.instancePath, combinator.instancePath),
      ),
    );
    const value = valueAt(data, combinator.instancePath);
    const passing = combinator.params.passingSchemas;
    if (Array.isArray(passing)) {
      // More than one branch fits (only possible when the schema's branches overlap): keep the oneOf error.
      for (const list of branchErrors) for (const e of list) dropped.add(e);
      continue;
    }
    const choice = chooseBranch(branches as JsonSchema[], value, branchErrors);
    dropped.add(combinator);
    branchErrors.forEach((list, i) => {
      if (choice.kind !== 'branch' || i !== choice.index) for (const e of list) dropped.add(e);
    });
    if (choice.kind === 'type') {
      added.push({ keyword: 'type', instancePath: combinator.instancePath, schemaPath: combinator.schemaPath, params: { type: choice.types.join(',') } });
    } else if (choice.kind === 'discriminator') {
      added.push({
        keyword: 'enum',
        instancePath: `${combinator.instancePath}/${escapeSegment(choice.key)}`,
        schemaPath: combinator.schemaPath,
        params: { allowedValues: choice.allowed },
      });
    }
  }
  return [...errors.filter((e) => !dropped.has(e)), ...added];
}

type BranchChoice =
  | { kind: 'branch'; index: number }
  | { kind: 'type'; types: string[] }
  | { kind: 'discriminator'; key: string; allowed: unknown[] };

/**
 * The branch the author meant: its `type` fits the value and its `const` properties (the
 * discriminator, e.g. `type: cost`) agree with the value's; among those, the one with the
 * fewest errors.
 */
function chooseBranch(branches: JsonSchema[], value: unknown, branchErrors: SchemaError[][]): BranchChoice {
  const typeFits = branches.map((b) => b.type === undefined || typeMatches(value, b.type));
  if (!typeFits.some(Boolean)) {
    return { kind: 'type', types: unique(branches.flatMap((b) => (b.type === undefined ? [] : [b.type].flat()))) };
  }
  const discriminated = branches.map((b, i) => {
    if (!typeFits[i]) return { ok: false, matched: 0 };
    let matched = 0;
    for (const [key, sub] of Object.entries(b.properties ?? {})) {
      if (sub.const === undefined || !isObject(value) || value[key] === undefined) continue;
      if (value[key] !== sub.const) return { ok: false, matched };
      matched++;
    }
    return { ok: true, matched };
  });
  const candidates = branches.map((_, i) => i).filter((i) => discriminated[i]!.ok);
  if (candidates.length === 0) {
    const key = discriminatorKey(branches);
    if (key !== undefined) return { kind: 'discriminator', key, allowed: branches.map((b) => b.properties?.[key]?.const) };
    return { kind: 'branch', index: typeFits.indexOf(true) };
  }
  candidates.sort(
    (a, b) => discriminated[b]!.matched - discriminated[a]!.matched || branchErrors[a]!.length - branchErrors[b]!.length || a - b,
  );
  return { kind: 'branch', index: candidates[0]! };
}

/** The property every branch pins with `const` (`type` for model_metrics_sources). */
function discriminatorKey(branches: JsonSchema[]): string | undefined {
  const first = branches[0]?.properties ?? {};
  return Object.keys(first).find((key) => branches.every((b) => b.properties?.[key]?.const !== undefined));
}

// ── 2. a wrong type says it all ─────────────────────────────────────────────────────────────

function dropNoiseBesideTypeErrors(errors: SchemaError[]): SchemaError[] {
  const typed = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'type' || !typed.has(e.instancePath));
}

// ── 3 & 4. wording ──────────────────────────────────────────────────────────────────────────

class Wording {
  private readonly suggestions = new Map<string, string[]>();

  constructor(
    private readonly lookup: SchemaLookup,
    private readonly document: ConfigDocument,
  ) {}

  /** All errors about one value (one mapping, for keys): fold typos, then word each. */
  describeGroup(errors: SchemaError[]): Diagnostic[] {
    const out: Diagnostic[] = [];
    const missing = errors.filter((e) => e.keyword === 'required');
    const unknown = errors.filter((e) => e.keyword === 'additionalProperties');
    const folded = new Set<SchemaError>();
    for (const error of unknown) {
      const key = String(error.params.additionalProperty);
      const open = missing.filter((m) => !folded.has(m));
      const [meant] = this.closest(key, open.map((m) => String(m.params.missingProperty)), 1);
      const partner = open.find((m) => m.params.missingProperty === meant);
      if (partner) folded.add(partner);
      out.push(this.unknownKey(error, key, meant));
    }
    for (const error of errors) {
      if (error.keyword === 'additionalProperties' || folded.has(error)) continue;
      out.push(this.describe(error));
    }
    return out;
  }

  private unknownKey(error: SchemaError, key: string, requiredTypo: string | undefined): Diagnostic {
    const parent = this.lookup.forInstance(error.instancePath);
    const allowed = Object.keys(parent?.properties ?? {});
    const present = new Set(Object.keys(asObject(valueAt(this.document.value, error.instancePath))));
    const meant = requiredTypo ?? this.closest(key, allowed.filter((k) => !present.has(k)), 1)[0];
    const where = this.where(error.instancePath, parent);
    const allowedList = allowed.length > 0 ? ` Allowed keys ${where}: ${allowed.join(', ')}.` : '';
    return this.make({
      code: SCHEMA_CODES.unknownKey,
      path: `${error.instancePath}/${escapeSegment(key)}`,
      anchor: 'key',
      message: meant
        ? `Unknown key \`${key}\` ${where}; did you mean \`${meant}\`?`
        : `Unknown key \`${key}\` ${where}.`,
      suggestion: meant
        ? `Rename \`${key}\` to \`${meant}\`${requiredTypo ? ` (\`${meant}\` is required here)` : ''}.${allowedList}`
        : `Remove \`${key}\` or correct its spelling.${allowedList}`,
    });
  }

  private describe(error: SchemaError): Diagnostic {
    switch (error.keyword) {
      case 'required':
        return this.required(error);
      case 'type':
        return this.type(error);
      case 'enum':
      case 'const':
        return this.enumeration(error);
      case 'propertyNames':
        return this.propertyName(error);
      default:
        return this.invalid(error);
    }
  }

  private required(error: SchemaError): Diagnostic {
    const key = String(error.params.missingProperty);
    const parent = this.lookup.forInstance(error.instancePath);
    const property = this.lookup.resolve(parent?.properties?.[key]);
    const example = exampleOf(property);
    return this.make({
      code: SCHEMA_CODES.required,
      path: error.instancePath,
      anchor: 'key',
      message: `Missing required key \`${key}\` ${this.where(error.instancePath, parent)}.`,
      suggestion:
        example !== undefined
          ? `Add \`${key}: ${yamlInline(example)}\`${property?.description ? ` (${firstSentence(property.description)})` : ''}.`
          : `Add \`${key}:\`${property?.description ? ` — ${firstSentence(property.description)}` : ''}.`,
    });
  }

  private type(error: SchemaError): Diagnostic {
    const wanted = String(error.params.type).split(',');
    const value = valueAt(this.document.value, error.instancePath);
    const suggestion = typeFix(wanted, value, lastKey(error.instancePath), this.lookup.forInstance(error.instancePath));
    return this.make({
      code: SCHEMA_CODES.type,
      path: error.instancePath,
      anchor: value === null ? 'key' : 'value',
      message: `${capitalize(this.label(error.instancePath))} must be ${joinOr(wanted.map(typeWord))}, but it is ${describeValue(value)}.`,
      ...(suggestion ? { suggestion } : {}),
    });
  }

  private enumeration(error: SchemaError): Diagnostic {
    const allowed = (error.keyword === 'const' ? [error.params.allowedValue] : (error.params.allowedValues as unknown[])) ?? [];
    const value = valueAt(this.document.value, error.instancePath);
    const meant = typeof value === 'string' ? this.closest(value, allowed.map(String), 2) : [];
    const quoted = meant.map((m) => `"${m}"`);
    const label = this.label(error.instancePath);
    return this.make({
      code: SCHEMA_CODES.enum,
      path: error.instancePath,
      message: `${showValue(value)} is not a valid value for ${label}${meant.length > 0 ? `; did you mean ${quoted.join(' or ')}?` : '.'}`,
      suggestion: `${meant.length > 0 ? `Use ${quoted.join(' or ')}. ` : ''}Allowed values: ${allowed.map((v) => JSON.stringify(v)).join(', ')}.`,
    });
  }

  private propertyName(error: SchemaError): Diagnostic {
    const key = String(error.params.propertyName);
    const owner = this.lookup.forInstance(error.instancePath);
    const rule = owner?.propertyNames?.patternErrorMessage;
    const entry = this.lookup.resolve(owner?.additionalProperties);
    const what = entry?.title ? `${entry.title} name` : 'Key';
    return this.make({
      code: SCHEMA_CODES.invalid,
      path: `${error.instancePath}/${escapeSegment(key)}`,
      anchor: 'key',
      message: `${capitalize(what)} \`${key}\` is not allowed: a name ${typeof rule === 'string' ? rule : 'must match ' + String(owner?.propertyNames?.pattern)}.`,
      suggestion: `Rename \`${key}\` (for example \`${key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^[^a-zA-Z]+/, '') || 'name'}\`) and update the references to it.`,
    });
  }

  private invalid(error: SchemaError): Diagnostic {
    const label = capitalize(this.label(error.instancePath));
    const value = valueAt(this.document.value, error.instancePath);
    const p = error.params;
    let message: string;
    let suggestion: string | undefined;
    switch (error.keyword) {
      case 'minimum':
        message = `${label} must be at least ${String(p.limit)}, but it is ${String(value)}.`;
        break;
      case 'maximum':
        message = `${label} must be at most ${String(p.limit)}, but it is ${String(value)}.`;
        break;
      case 'minItems':
        message = `${label} must list at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}.`;
        break;
      case 'pattern': {
        const rule = this.lookup.forInstance(error.instancePath)?.patternErrorMessage;
        message = `${label} ${typeof rule === 'string' ? rule : `must match the pattern /${String(p.pattern)}/`}.`;
        break;
      }
      case 'oneOf':
        message = `${label} matches more than one of the allowed forms; it must match exactly one.`;
        break;
      default:
        message = `${label} is not valid here (${error.keyword}).`;
    }
    const example = exampleOf(this.lookup.forInstance(error.instancePath));
    const key = lastKey(error.instancePath);
    if (example !== undefined && key !== undefined) suggestion = `For example: \`${key}: ${yamlInline(example)}\`.`;
    return this.make({
      code: SCHEMA_CODES.invalid,
      path: error.instancePath,
      message,
      ...(suggestion ? { suggestion } : {}),
    });
  }

  /** closestMatches, remembered: a generated config repeats the same mistake thousands of times. */
  private closest(input: string, candidates: string[], max: number): string[] {
    if (candidates.length === 0) return [];
    const key = `${max}\u0000${input}\u0000${candidates.join('\u0000')}`;
    let found = this.suggestions.get(key);
    if (!found) this.suggestions.set(key, (found = closestMatches(input, candidates, max)));
    return found;
  }

  private make(init: { code: string; path: string; message: string; anchor?: Anchor; suggestion?: string }): Diagnostic {
    return finding(this.document, { severity: 'error', ...init });
  }

  /** "at the top level", "in model provider", "in `selection_policy`". */
  private where(instancePath: string, schema: JsonSchema | undefined): string {
    if (instancePath === '') return 'at the top level';
    const named = schema?.title && schema.title.replace(/ /g, '_') !== lastKey(instancePath);
    if (named) return `in ${schema.title} ${this.label(instancePath)}`;
    return `in ${this.label(instancePath)}`;
  }

  /** `` `port` `` for a key, `` `model_providers[2]` `` for a list item, `` `listeners[0].port` `` in general. */
  private label(instancePath: string): string {
    return instancePath === '' ? 'the config' : `\`${pointerLabel(instancePath)}\``;
  }
}

// ── schema navigation ───────────────────────────────────────────────────────────────────────

/**
 * Finds the schema that applies to a place in the data by walking the data's path through
 * `properties`, `additionalProperties`, `items` and `$ref`, choosing `oneOf` branches the way
 * collapseCombinators does. (Ajv's `schemaPath` cannot serve: inside a `$ref` it is relative to
 * the referenced definition.)
 */
class SchemaLookup {
  constructor(
    private readonly root: JsonSchema,
    private readonly data: unknown,
  ) {}

  /** The schema for the value at `instancePath`, with `$ref` and `oneOf`/`anyOf` resolved. */
  forInstance(instancePath: string): JsonSchema | undefined {
    const node = this.rawForInstance(instancePath);
    return node && this.pickBranch(node, valueAt(this.data, instancePath));
  }

  /** The same, stopping before a final `oneOf`/`anyOf` (whose branches a combinator error is about). */
  rawForInstance(instancePath: string): JsonSchema | undefined {
    let node = this.resolve(this.root);
    let value = this.data;
    for (const segment of fromPointer(instancePath)) {
      if (!node) return undefined;
      node = this.pickBranch(node, value);
      let next: JsonSchema | boolean | undefined;
      if (Array.isArray(value)) next = node.items;
      else next = node.properties?.[segment] ?? (node.then as JsonSchema | undefined)?.properties?.[segment] ?? node.additionalProperties;
      node = this.resolve(next);
      value = Array.isArray(value) ? value[Number(segment)] : asObject(value)[segment];
    }
    return node;
  }

  resolve(node: unknown): JsonSchema | undefined {
    if (!isObject(node)) return undefined;
    const schema = node as JsonSchema;
    return typeof schema.$ref === 'string' ? this.resolve(this.at(schema.$ref)) : schema;
  }

  private pickBranch(node: JsonSchema, value: unknown): JsonSchema {
    const branches = node.oneOf ?? node.anyOf;
    if (!branches) return node;
    const choice = chooseBranch(branches, value, branches.map(() => []));
    return choice.kind === 'branch' ? (this.resolve(branches[choice.index]) ?? node) : node;
  }

  /** A `$ref` target: `#/definitions/modelProvider`. */
  private at(ref: string): unknown {
    let node: unknown = this.root;
    for (const segment of fromPointer(ref.slice(ref.indexOf('#') + 1))) {
      if (!isObject(node)) return undefined;
      node = node[decodeURIComponent(segment)];
    }
    return node;
  }
}

// ── small helpers ───────────────────────────────────────────────────────────────────────────

function within(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

function valueAt(data: unknown, instancePath: string): unknown {
  let node = data;
  for (const segment of fromPointer(instancePath)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = node[segment];
    else return undefined;
  }
  return node;
}

function escapeSegment(key: string): string {
  return toPointer([key]).slice(1);
}

function lastKey(instancePath: string): string | undefined {
  const segments = fromPointer(instancePath);
  const last = segments[segments.length - 1];
  return last === undefined || /^\d+$/.test(last) ? undefined : last;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is number | boolean {
  return typeof value === 'number' || typeof value === 'boolean';
}

function asObject(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function typeMatches(value: unknown, type: string | string[]): boolean {
  return [type].flat().some((t) => {
    switch (t) {
      case 'array':
        return Array.isArray(value);
      case 'object':
        return isObject(value);
      case 'integer':
        return Number.isInteger(value);
      case 'null':
        return value === null;
      default:
        return typeof value === t;
    }
  });
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value pairs)',
  array: 'a list',
  null: 'empty',
};

function typeWord(type: string): string {
  return TYPE_WORDS[type] ?? type;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  return `\`${String(value)}\``;
}

function showValue(value: unknown): string {
  return typeof value === 'string' ? `\`${value}\`` : `\`${JSON.stringify(value)}\``;
}

/** How to write `value` as the wanted type, when there is an obvious way. */
function typeFix(wanted: string[], value: unknown, key: string | undefined, schema: JsonSchema | undefined): string | undefined {
  const only = wanted.length === 1 ? wanted[0] : undefined;
  const shown = key ?? 'value';
  const example = exampleOf(schema);
  // `- openai/gpt-4o` where `- model: openai/gpt-4o` was meant; `fast: gpt-4o` for `fast: {target: gpt-4o}`.
  const [sole] = schema?.required?.length === 1 ? schema.required : [];
  if (only === 'object' && sole !== undefined && (typeof value === 'string' || isScalar(value))) {
    return `Write it as a mapping: \`${sole}: ${yamlInline(value)}\`${key !== undefined ? ` under \`${key}:\`` : ''}.`;
  }
  if (only === 'array' && isObject(value)) {
    return `Write it as a list: start each entry with \`- \`${example !== undefined ? `, e.g. \`${shown}: ${yamlInline(example)}\`` : ''}.`;
  }
  const unquoted = typeof value === 'string' ? unquote(value, wanted) : undefined;
  if (unquoted !== undefined) return `Remove the quotes: \`${shown}: ${unquoted}\`.`;
  if (only === 'boolean') return 'Write `true` or `false`, without quotes.';
  if (only === 'string' && isScalar(value)) return `Quote it: \`${shown}: "${String(value)}"\`.`;
  if (example !== undefined && key !== undefined) return `For example: \`${key}: ${yamlInline(example)}\`.`;
  return undefined;
}

/** A quoted scalar that would be right without its quotes (`port: "12000"`). */
function unquote(value: string, wanted: string[]): string | undefined {
  const trimmed = value.trim();
  if ((wanted.includes('integer') && /^-?\d+$/.test(trimmed)) || (wanted.includes('number') && trimmed !== '' && Number.isFinite(Number(trimmed)))) return trimmed;
  if (wanted.includes('boolean') && (trimmed === 'true' || trimmed === 'false')) return trimmed;
  return undefined;
}

function exampleOf(schema: JsonSchema | undefined): unknown {
  if (!schema) return undefined;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  return schema.default;
}

/** A value as one line of YAML flow style (examples are scalars, short lists or maps). */
function yamlInline(value: unknown): string {
  if (typeof value === 'string') return /^[\w$./:{}@-][\w$./:{}@ -]*$/.test(value) && !/: /.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(yamlInline).join(', ')}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([k, v]) => `${k}: ${yamlInline(v)}`).join(', ')}}`;
  return String(value);
}

function firstSentence(text: string): string {
  const match = /^(.*?[.:])(\s|$)/.exec(text);
  return (match ? match[1]! : text).replace(/[.:]$/, '');
}

function joinOr(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function capitalize(text: string): string {
  return text.startsWith('`') ? text : text.charAt(0).toUpperCase() + text.slice(1);
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}|${d.path}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
