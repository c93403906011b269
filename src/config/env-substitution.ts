/**
 * `$VAR` and `${VAR}` in the config's string values, replaced from the environment the way Plano
 * does it: its CLI runs the whole rendered file through `os.path.expandvars` (or `envsubst`)
 * before the gateway reads it (reference §1.1), so `base_url: http://${HOST}:8000`, a header
 * value or a port can come from the environment. A variable that is not set is left as written,
 * as expandvars leaves it; the caller decides whether that is an error.
 *
 * Two deliberate differences from substituting the text:
 * - `access_key` is not replaced here. Its `$VAR` is read by the gateway when a request is sent
 *   (src/resolve/auth.ts), so the key is held nowhere else and `expand` can say where it comes
 *   from without knowing it.
 * - Only values, never keys, and never inside comments.
 *
 * A plain (unquoted) scalar that was substituted is read again as YAML would read the text it
 * became: `port: ${PORT}` with PORT=8080 is the integer 8080, as `port: 8080` is; a quoted
 * `"${PORT}"` stays a string. Pure: the environment is handed in.
 */
import { parse as parseYaml } from 'yaml';
import { toPointer } from './json-pointer.js';

type Env = Readonly<Record<string, string | undefined>>;

/** `$NAME` or `${NAME}`, NAME a shell variable name. */
const REFERENCE = /\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})/g;

const BARE_VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;
const BRACED_VARIABLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * The variable a value consists of (`$OPENAI_API_KEY` or `${OPENAI_API_KEY}`, spaces around
 * allowed), or undefined for anything else: how an `access_key` names its variable.
 */
export function wholeReference(value: string): string | undefined {
  const trimmed = value.trim();
  return (BARE_VARIABLE.exec(trimmed) ?? BRACED_VARIABLE.exec(trimmed))?.[1];
}

/** A variable named in a value, and whether the environment had it. */
export interface EnvReference {
  /** JSON Pointer of the value that names it. */
  pointer: string;
  name: string;
  set: boolean;
}

export interface EnvSubstitution {
  /** The document's data with references replaced (the same object when there were none to replace). */
  value: unknown;
  /** Every reference, in document order. */
  references: EnvReference[];
  /** Pointers of values that still hold a reference (no environment given, or a variable not set): their real value is not known. */
  unresolved: Set<string>;
}

export interface SubstituteOptions {
  /** Undefined: nothing is replaced, references are only found (validate without --env). */
  env: Env | undefined;
  /** Whether the value at `pointer` is a plain (unquoted) scalar in the file. */
  isPlainScalar(pointer: string): boolean;
}

/** Values left as written: their `$VAR` is read later, by the code that uses it. */
const KEPT_AS_WRITTEN = /^\/(?:model_providers|llm_providers)\/\d+\/access_key$/;

export function substituteEnv(value: unknown, options: SubstituteOptions): EnvSubstitution {
  const references: EnvReference[] = [];
  const unresolved = new Set<string>();
  const path: Array<string | number> = [];

  const visitString = (text: string): unknown => {
    // Nearly every value has no `$`: one scan, no pointer built.
    if (!text.includes('$')) return text;
    const pointer = toPointer(path);
    if (KEPT_AS_WRITTEN.test(pointer)) return text;
    let changed = false;
    let missing = false;
    const replaced = text.replace(REFERENCE, (whole, bare: string | undefined, braced: string | undefined) => {
      const name = (bare ?? braced)!;
      const found = options.env?.[name];
      references.push({ pointer, name, set: found !== undefined });
      if (found === undefined) {
        missing = true;
        return whole;
      }
      changed = true;
      return found;
    });
    if (missing) unresolved.add(pointer);
    if (!changed) return text;
    return options.isPlainScalar(pointer) ? asPlainScalar(replaced) : replaced;
  };

  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return visitString(node);
    if (Array.isArray(node)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        const next = visit(node[i]);
        path.pop();
        if (next !== node[i]) (copy ??= node.slice())[i] = next;
      }
      return copy ?? node;
    }
    if (typeof node === 'object' && node !== null) {
      let copy: Record<string, unknown> | undefined;
      for (const [key, child] of Object.entries(node)) {
        path.push(key);
        const next = visit(child);
        path.pop();
        if (next !== child) (copy ??= { ...(node as Record<string, unknown>) })[key] = next;
      }
      return copy ?? node;
    }
    return node;
  };

  return { value: visit(value), references, unresolved };
}

/** What YAML reads an unquoted scalar with this text as: a number, boolean or null where it looks like one, else the text. */
function asPlainScalar(text: string): unknown {
  // Only scalars: a value such as `[a, b]` or `k: v` after substitution stays the text it is
  // (the structure of the file does not change with the environment).
  if (!/^[-+.\w~ ]*$/.test(text)) return text;
  try {
    const read: unknown = parseYaml(text);
    return typeof read === 'number' || typeof read === 'boolean' || read === null ? read : text;
  } catch {
    return text;
  }
}
