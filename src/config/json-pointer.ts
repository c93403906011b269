/** RFC 6901 JSON Pointers, the `path` of every Diagnostic. */

export type PathSegment = string | number;

export function toPointer(segments: readonly PathSegment[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON Pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `listeners[0].port` for `/listeners/0/port`: how a message names the place. */
export function pointerLabel(pointer: string): string {
  let text = '';
  for (const segment of fromPointer(pointer)) {
    text += /^\d+$/.test(segment) ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text;
}

/**
 * The value `pointer` refers to inside `root` (RFC 6901 §4), or undefined when there is none.
 * Only own properties count: `/constructor` names nothing in a parsed document.
 */
export function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of fromPointer(pointer)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (typeof node === 'object' && node !== null && Object.hasOwn(node, segment)) node = (node as Record<string, unknown>)[segment];
    else return undefined;
  }
  return node;
}
