import { describe, expect, it } from 'vitest';
import { withModel } from '../../src/server/model-field.js';

const rewrite = (text: string, model = 'upstream-id') => withModel(text, JSON.parse(text), model);

describe('withModel', () => {
  it('replaces only the top-level value, wherever the member is', () => {
    expect(rewrite('{"model":"a","messages":[]}')).toBe('{"model":"upstream-id","messages":[]}');
    expect(rewrite('{"messages":[],"model":"a"}')).toBe('{"messages":[],"model":"upstream-id"}');
    expect(rewrite('{ "stream" : true ,\n  "model" :\t"a" , "n": 1 }')).toBe('{ "stream" : true ,\n  "model" :\t"upstream-id" , "n": 1 }');
  });

  it('leaves nested `model` keys and strings that mention "model" alone', () => {
    const text = '{"metadata":{"model":"x"},"tools":[{"model":"y"},["model"]],"note":"\\"model\\":\\"z\\"","model":"a","after":{"model":1}}';
    const out = rewrite(text)!;
    expect(JSON.parse(out)).toEqual({ ...JSON.parse(text), model: 'upstream-id' });
    expect(out).toBe(text.replace('"model":"a"', '"model":"upstream-id"'));
  });

  it('skips strings ending in escaped backslashes and values of every JSON type', () => {
    const text = '{"a":"ends with \\\\","b":-1.5e3,"c":null,"d":false,"e":[],"f":{},"model":"m","g":"\\u0022"}';
    expect(JSON.parse(rewrite(text)!)).toEqual({ ...JSON.parse(text), model: 'upstream-id' });
  });

  it('finds a key spelled with escapes', () => {
    const text = '{"mod\\u0065l":"a","x":1}';
    expect(JSON.parse(rewrite(text)!)).toEqual({ model: 'upstream-id', x: 1 });
  });

  it('adds the member when there is none', () => {
    expect(rewrite('{"messages":[]}')).toBe('{"model":"upstream-id","messages":[]}');
    expect(rewrite(' { } ')).toBe(' {"model":"upstream-id" } ');
  });

  it('replaces a non-string model value (null) too', () => {
    expect(rewrite('{"model":null,"x":1}')).toBe('{"model":"upstream-id","x":1}');
  });

  it('returns null when the text already names the upstream id', () => {
    expect(rewrite('{"model":"upstream-id","x":1}')).toBeNull();
  });

  it('escapes the new value', () => {
    expect(JSON.parse(rewrite('{"model":"a"}', 'arn:aws:bedrock:us-east-1:123:inference-profile/"odd"')!).model).toBe(
      'arn:aws:bedrock:us-east-1:123:inference-profile/"odd"',
    );
  });

  it('re-serialises when the key appears twice (parsers disagree on which one counts)', () => {
    const out = rewrite('{"model":"a","x":1,"model":"b"}')!;
    expect(JSON.parse(out)).toEqual({ model: 'upstream-id', x: 1 });
    expect(out.match(/"model"/g)).toHaveLength(1);
  });
});
