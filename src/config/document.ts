/**
 * Parse a config's text into a YAML document that remembers where every key and value came
 * from, so that any later stage can turn a JSON Pointer into a line:column span.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Node } from 'yaml';
import type { Diagnostic, Severity } from './diagnostics.js';
import { fromPointer } from './json-pointer.js';
import { plainDataOf } from './plain-data.js';

export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Which part of a `key: value` pair a finding is about. */
export type Anchor = 'key' | 'value';

export interface ConfigDocument {
  file: string;
  text: string;
  /** The parsed data (plain JS), or undefined when the text is not a usable YAML mapping. */
  value: unknown;
  /** Syntax errors, duplicate keys, an empty file or a non-mapping root. */
  diagnostics: Diagnostic[];
  /** The span of the node at `pointer` (its key or its value); the nearest existing ancestor when it does not exist. */
  locate(pointer: string, anchor?: Anchor): Span;
  /** Whether `pointer` names a node that exists in the document. */
  has(pointer: string): boolean;
  /** Whether the node at `pointer` is a plain (unquoted, untagged) scalar: YAML decides its type from its text. */
  isPlainScalar(pointer: string): boolean;
}

const WHOLE_FILE: Span = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/**
 * How far aliases may expand: the nodes the document would have with every alias written out
 * (plain-data.ts counts them; yaml's own count, for the shapes left to it, is per anchor). Ten
 * per node of the document, and at least 10,000: linear in the file, so a config that uses one
 * anchor on each of 10,000 entries loads, while an alias bomb ("billion laughs"), which expands
 * exponentially in a few lines, is refused.
 */
const ALIAS_EXPANSIONS_PER_NODE = 10;
const MIN_ALIAS_EXPANSIONS = 10_000;

/** How to fix the syntax errors people make most, by the yaml parser's error code. */
const SYNTAX_HINTS: Partial<Record<string, string>> = {
  DUPLICATE_KEY: 'Remove one of the two entries, or merge them: YAML keeps only one value per key.',
  TAB_AS_INDENT: 'Indent with spaces: YAML does not allow tabs for indentation (two spaces per level is usual).',
  BAD_INDENT: 'Check the indentation of this line against the lines above it: items of one list or mapping line up.',
};

export function loadDocument(text: string, file: string): ConfigDocument {
  const lineCounter = new LineCounter();
  // `merge: true`: `<<: *common` merge keys, which the reference's PyYAML loader honours too.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true, strict: true, merge: true });

  const spanOf = (start: number, end: number): Span => {
    const a = lineCounter.linePos(start);
    const b = lineCounter.linePos(Math.max(start, end));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  };

  const diagnostics: Diagnostic[] = [];
  const push = (severity: Severity, code: string, message: string, span: Span, suggestion?: string) =>
    diagnostics.push({ file, severity, code, message, path: '', ...span, ...(suggestion ? { suggestion } : {}) });

  const reported = new Set<string>();
  for (const error of doc.errors) {
    // The parser can report one mistake several times at the same place (`{{{`): say it once.
    const message = firstLine(error.message);
    const key = `${error.pos[0]}|${message}`;
    if (reported.has(key)) continue;
    reported.add(key);
    push(
      'error',
      error.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax',
      message,
      spanOf(error.pos[0], error.pos[1]),
      SYNTAX_HINTS[error.code],
    );
  }
  for (const warning of doc.warnings) {
    push('warning', 'yaml-warning', firstLine(warning.message), spanOf(warning.pos[0], warning.pos[1]));
  }

  // Each alias's node, found in one pass in document order (an alias means the last anchor of its
  // name before it). `Alias.resolve(doc)` walks the whole document on every call: quadratic in
  // the aliases (10,000 took 2 minutes). An alias whose anchor does not exist makes toJS throw:
  // it is reported where it is written.
  const aliasTargets = new Map<Alias, Node>();
  const anchored = new Map<string, Node>();
  let nodeCount = 0;
  visit(doc, {
    Node(_, node) {
      nodeCount++;
      if (isAlias(node)) {
        const target = anchored.get(node.source);
        if (target !== undefined) {
          aliasTargets.set(node, target);
          return;
        }
        push('error', 'yaml-unresolved-alias', `The alias *${node.source} refers to an anchor &${node.source} that is not defined before it.`,
          node.range ? spanOf(node.range[0], node.range[1]) : WHOLE_FILE,
          `Define the anchor first (\`key: &${node.source} value\`), or write the value out here.`);
      } else if (node.anchor !== undefined) {
        anchored.set(node.anchor, node);
      }
    },
  });

  const value = diagnostics.some((d) => d.severity === 'error') ? undefined : plainData();

  /** The document as plain JS, or undefined (with a finding) when it is not a usable config. */
  function plainData(): unknown {
    const maxExpandedNodes = Math.max(MIN_ALIAS_EXPANSIONS, ALIAS_EXPANSIONS_PER_NODE * nodeCount);
    const converted = plainDataOf(doc.contents as Node | null, aliasTargets, maxExpandedNodes);
    let data: unknown;
    if (converted.ok) {
      data = converted.value;
    } else if (converted.reason === 'too-large') {
      // Aliases that expand exponentially ("billion laughs") are refused rather than expanded.
      push('error', 'yaml-alias-expansion',
        `The file's aliases expand to too many nodes: more than ${maxExpandedNodes} (ten for each of its ${nodeCount}), which only an alias bomb needs.`, WHOLE_FILE,
        'Write the repeated parts out, or nest aliases less deeply.');
      return undefined;
    } else {
      // A shape plain-data.ts leaves to yaml (a collection as a key, a tagged collection).
      try {
        data = doc.toJS({ maxAliasCount: maxExpandedNodes });
      } catch (error) {
        push('error', 'yaml-alias-expansion', `The file's aliases expand to too many nodes: ${(error as Error).message}.`, WHOLE_FILE,
          'Write the repeated parts out, or nest aliases less deeply.');
        return undefined;
      }
    }
    if (data === null || data === undefined) {
      push('error', 'empty-config', 'The config file is empty.', WHOLE_FILE,
        'Start from `version: v0.4.0`, a `listeners` entry and a `model_providers` list (see `plano schema`).');
      return undefined;
    }
    if (!isMap(doc.contents)) {
      const range = (doc.contents as Node | null)?.range;
      push('error', 'not-a-mapping',
        `The config must be a YAML mapping (key: value pairs), but this file is a ${describe(data)}.`,
        range ? spanOf(range[0], trimEnd(text, range[0], range[1])) : WHOLE_FILE,
        'Write the config as top-level keys such as `version:`, `listeners:` and `model_providers:`.');
      return undefined;
    }
    return data;
  }

  const findNode = (pointer: string): { node: Node | null; keyNode: Node | null; found: boolean } => {
    let node: unknown = doc.contents;
    let keyNode: Node | null = null;
    let lastGood: { node: Node | null; keyNode: Node | null } = { node: node as Node | null, keyNode: null };
    for (const segment of fromPointer(pointer)) {
      if (isAlias(node)) node = aliasTargets.get(node) ?? null;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === segment);
        if (!pair) return { ...lastGood, found: false };
        keyNode = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined || !/^\d+$/.test(segment)) return { ...lastGood, found: false };
        keyNode = null;
        node = item;
      } else {
        return { ...lastGood, found: false };
      }
      lastGood = { node: (node as Node | null) ?? keyNode, keyNode };
    }
    return { node: node as Node | null, keyNode, found: true };
  };

  return {
    file,
    text,
    value,
    diagnostics,
    has: (pointer) => findNode(pointer).found,
    isPlainScalar(pointer) {
      const { node, found } = findNode(pointer);
      let target: unknown = node;
      if (isAlias(target)) target = aliasTargets.get(target);
      return found && isScalar(target) && target.type === 'PLAIN' && target.tag === undefined;
    },
    locate(pointer, anchor = 'value') {
      const { node, keyNode } = findNode(pointer);
      const target = anchor === 'key' && keyNode ? keyNode : (node ?? keyNode);
      const range = target?.range;
      if (!range) {
        // `key:` with nothing after it has a null value without a range: point at the key.
        const keyRange = keyNode?.range;
        return keyRange ? spanOf(keyRange[0], keyRange[1]) : WHOLE_FILE;
      }
      return spanOf(range[0], trimEnd(text, range[0], range[1]));
    },
  };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/** A block node's range runs up to the next token; end the underline at its last visible character. */
function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text[e - 1] ?? '')) e--;
  // Multi-line nodes (a whole mapping) are underlined on their first line only.
  const newline = text.indexOf('\n', start);
  return newline !== -1 && newline < e ? newline : e;
}

/** yaml's messages end with " at line L, column C:" and a frame; we render both ourselves. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'plain string';
  return typeof value;
}
