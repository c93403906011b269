/** Which parts of a config's text are secrets, found from the YAML (issue 12, "Secrets are never printed"). */
import { describe, expect, it } from 'vitest';
import { maskLines, secretRanges } from '../../src/config/secret-spans.js';
import { credentialRangesInUrl, isCredentialKeyName, looksLikeCredential, redactUrl } from '../../src/config/secret-values.js';

const masked = (text: string) => maskLines(text, secretRanges(text)).join('\n');

describe('secretRanges + maskLines', () => {
  it.each([
    ['a misspelled key name', 'acess_key: sk-abc123def456ghi', `acess_key: ${'*'.repeat(18)}`],
    ['two edits away', 'acces_kye: mysecretvalue', 'acces_kye: *************'],
    ['a flow mapping under a credential key: the value, not the key', 'access_key: {k: sk-ant-xyz123456789}', `access_key: {k: ${'*'.repeat(19)}}`],
    ['quoted: the quotes stay', 'api_key: "hunter2hunter2"', 'api_key: "**************"'],
    ['a header value', 'headers:\n  x-team: research', 'headers:\n  x-team: ********'],
    ['a vendor key under any key', 'model: sk-proj-abcdefghij1234', `model: ${'*'.repeat(22)}`],
    ['userinfo and credential query parameters of a URL, nothing else', 'base_url: https://u:p@h.example/v1?key=abc&x=1', 'base_url: https://***@h.example/v1?key=***&x=1'],
    ['a password in a connection string', 'connection_string: postgres://plano:s3cret@db:5432/plano', `connection_string: ${'*'.repeat(37)}`],
  ])('%s', (_what, text, expected) => {
    expect(masked(text)).toBe(expected);
  });

  it.each([
    ['a $VAR reference', 'access_key: $OPENAI_API_KEY'],
    ['a ${VAR} in a connection string', 'connection_string: postgresql://plano:${PGPASSWORD}@db/plano'],
    ['model ids, booleans and numbers under credential-ish keys', 'model: anthropic/claude-3-5-sonnet-20241022\npassthrough_auth: true\nmax_tokens: 50'],
  ])('leaves %s visible', (_what, text) => {
    expect(masked(text)).toBe(text);
  });

  it('keeps CRLF lines and multi-line layout', () => {
    expect(maskLines('a: 1\r\napi_key: xyz\r\nb: 2', secretRanges('a: 1\r\napi_key: xyz\r\nb: 2'))).toEqual(['a: 1', 'api_key: ***', 'b: 2']);
  });
});

describe('secret values', () => {
  it('credential key names, misspelled too; not the config words that only look like them', () => {
    for (const name of ['access_key', 'acess_key', 'api_key', 'x-api-key', 'Authorization', 'client_secret', 'auth_token', 'password', 'connection_string']) {
      expect(isCredentialKeyName(name), name).toBe(true);
    }
    for (const name of ['model', 'base_url', 'passthrough_auth', 'max_tokens', 'name', 'provider_interface', 'keywords']) {
      expect(isCredentialKeyName(name), name).toBe(false);
    }
  });

  it('credential-looking literals', () => {
    expect(looksLikeCredential('sk-proj-abcdefghij')).toBe(true);
    expect(looksLikeCredential('AIzaSyA1234567890abcdef')).toBe(true);
    expect(looksLikeCredential('Qm9vYmxlcjEyMzQ1Njc4OTBhYmNkZWZnaGlq')).toBe(true);
    expect(looksLikeCredential('claude-3-5-sonnet-20241022-v2-extended-thinking')).toBe(false);
    expect(looksLikeCredential('gpt-4o')).toBe(false);
    expect(looksLikeCredential('Qwen2-VL-72B-Instruct-GPTQ-Int4AWQ-Extended')).toBe(false);
    expect(looksLikeCredential('aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z')).toBe(true);
  });

  it('redactUrl hides userinfo and credential parameters only', () => {
    expect(redactUrl('https://user:pass@host.example:8443/p?api_key=a&api-version=2024&sig=zz#f')).toBe('https://***@host.example:8443/p?api_key=***&api-version=2024&sig=***#f');
    expect(redactUrl('https://host.example/v1?team=a')).toBe('https://host.example/v1?team=a');
    expect(redactUrl('not a url ?key=x')).toBe('not a url ?key=x');
    expect(credentialRangesInUrl('http://h/@x?key=')).toEqual([]);
  });
});
