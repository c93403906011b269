/** RFC 6901 pointers: escaping both ways, and reading the value a pointer names. */
import { describe, expect, it } from 'vitest';
import { fromPointer, toPointer, valueAt } from '../../src/config/json-pointer.js';

describe('json-pointer', () => {
  it('escapes ~ and / in segments, and reads them back', () => {
    expect(toPointer(['model_aliases', 'a/b~c', 0])).toBe('/model_aliases/a~1b~0c/0');
    expect(fromPointer('/model_aliases/a~1b~0c/0')).toEqual(['model_aliases', 'a/b~c', '0']);
  });

  it('valueAt: the value a pointer names, through objects and arrays; undefined where there is none', () => {
    const doc = { model_providers: [{ model: 'openai/gpt-4o' }], model_aliases: { 'a/b': { target: 'x' } } };
    expect(valueAt(doc, '')).toBe(doc);
    expect(valueAt(doc, '/model_providers/0/model')).toBe('openai/gpt-4o');
    expect(valueAt(doc, '/model_aliases/a~1b/target')).toBe('x');
    expect(valueAt(doc, '/model_providers/1/model')).toBeUndefined();
    expect(valueAt(doc, '/model_providers/0/model/length')).toBeUndefined();
    // Inherited properties are not in the document.
    expect(valueAt(doc, '/constructor')).toBeUndefined();
  });
});
