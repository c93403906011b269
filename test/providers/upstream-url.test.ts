/** The one base_url rule (DESIGN.md "Upstream URL"), at its edges. Seed vectors: test/resolve/seed-vectors.test.ts. */
import { describe, expect, it } from 'vitest';
import { findProvider } from '../../src/providers/registry.js';
import type { UpstreamApi } from '../../src/providers/types.js';
import { MODEL_PLACEHOLDER, parseBaseUrl, upstreamUrl } from '../../src/providers/upstream-url.js';

function url(prefix: string, baseUrl: string | undefined, model = 'm', api: UpstreamApi = 'openai_chat', stream = false) {
  const provider = findProvider(prefix);
  if (!provider) throw new Error(`no provider ${prefix}`);
  const result = upstreamUrl({ provider, baseUrl, model, api, stream });
  return result.ok ? result.url : result.reason;
}

describe('path prefix', () => {
  it.each([
    ['no path: the default prefix', 'openai', 'https://api.openai.com', 'https://api.openai.com/v1/chat/completions'],
    ['`/` alone is no path', 'openai', 'https://api.openai.com/', 'https://api.openai.com/v1/chat/completions'],
    ['a path replaces the default prefix', 'openai', 'https://proxy.example.com/ai-gateway/openai', 'https://proxy.example.com/ai-gateway/openai/chat/completions'],
    ['a trailing slash is not doubled', 'openai', 'https://proxy.example.com/ai-gateway/openai/', 'https://proxy.example.com/ai-gateway/openai/chat/completions'],
    ['runs of slashes collapse', 'openai', 'https://proxy.example.com//ai-gateway//openai//', 'https://proxy.example.com/ai-gateway/openai/chat/completions'],
    ['a `/v1` that is already the default is not repeated', 'openai', 'https://api.openai.com/v1', 'https://api.openai.com/v1/chat/completions'],
    ['groq: its own default prefix, written out, is not repeated', 'groq', 'https://api.groq.com/openai/v1', 'https://api.groq.com/openai/v1/chat/completions'],
    ['groq: the same rule as everyone else (no request-path suffix)', 'groq', 'https://groq-proxy.example.com/api/v2', 'https://groq-proxy.example.com/api/v2/chat/completions'],
    ['gemini: a path replaces /v1beta/openai entirely', 'gemini', 'https://generativelanguage.googleapis.com/v1beta', 'https://generativelanguage.googleapis.com/v1beta/chat/completions'],
    ['a non-default port is kept', 'ollama', 'http://localhost:8080', 'http://localhost:8080/v1/chat/completions'],
    ['a default port is dropped', 'openai', 'https://api.openai.com:443', 'https://api.openai.com/v1/chat/completions'],
    ['the host is lower-cased, the path is not', 'openai', 'https://Proxy.Example.com/Team-A', 'https://proxy.example.com/Team-A/chat/completions'],
    ['characters a path cannot hold are percent-encoded once', 'openai', 'https://proxy.example.com/my team/', 'https://proxy.example.com/my%20team/chat/completions'],
    ['an encoded path stays encoded as written', 'openai', 'https://proxy.example.com/my%20team', 'https://proxy.example.com/my%20team/chat/completions'],
  ])('%s', (_label, prefix, baseUrl, expected) => {
    expect(url(prefix, baseUrl)).toBe(expected);
  });

  it('the suffix follows the upstream API', () => {
    expect(url('openai', undefined, 'gpt-4o', 'openai_responses')).toBe('https://api.openai.com/v1/responses');
    expect(url('anthropic', undefined, 'claude-sonnet-4-5', 'anthropic_messages')).toBe('https://api.anthropic.com/v1/messages');
    expect(url('anthropic', 'https://llm-proxy.example.com/anthropic', 'x', 'anthropic_messages')).toBe('https://llm-proxy.example.com/anthropic/messages');
  });
});

describe('query strings', () => {
  const azure = (baseUrl: string) => url('azure_openai', baseUrl, 'gpt-4o');

  it('azure without a query gets a GA api-version', () => {
    expect(azure('https://r.openai.azure.com')).toBe('https://r.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
  });

  it("azure: base_url's api-version wins over the default", () => {
    expect(azure('https://r.openai.azure.com?api-version=2025-04-01-preview')).toBe(
      'https://r.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview',
    );
    expect(azure('https://r.openai.azure.com/?api-version=2025-04-01-preview')).toBe(
      'https://r.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview',
    );
  });

  it('azure: other parameters join the default api-version', () => {
    expect(azure('https://r.openai.azure.com?tenant=a')).toBe('https://r.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21&tenant=a');
  });

  it('azure: a path replaces the deployments prefix; the default api-version stays unless its own query gives one', () => {
    expect(azure('https://r.openai.azure.com/custom/deployment/path')).toBe('https://r.openai.azure.com/custom/deployment/path/chat/completions?api-version=2024-10-21');
    expect(azure('https://r.openai.azure.com/openai/deployments/prod-4o?api-version=2024-06-01')).toBe(
      'https://r.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2024-06-01',
    );
  });

  it('any provider keeps the query of its base_url, after the suffix', () => {
    expect(url('openai', 'https://proxy.example.com/openai?team=a&region=eu')).toBe('https://proxy.example.com/openai/chat/completions?team=a&region=eu');
  });
});

describe('model ids in the path', () => {
  const bedrock = 'https://bedrock-runtime.us-west-2.amazonaws.com';

  it('bedrock: converse, converse-stream when streaming, `:` kept', () => {
    expect(url('amazon_bedrock', bedrock, 'us.amazon.nova-pro-v1:0', 'bedrock_converse')).toBe(`${bedrock}/model/us.amazon.nova-pro-v1:0/converse`);
    expect(url('amazon_bedrock', bedrock, 'us.amazon.nova-pro-v1:0', 'bedrock_converse', true)).toBe(`${bedrock}/model/us.amazon.nova-pro-v1:0/converse-stream`);
  });

  it('bedrock: an ARN stays one path segment', () => {
    const arn = 'arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0';
    expect(url('amazon_bedrock', bedrock, arn, 'bedrock_converse')).toBe(
      `${bedrock}/model/arn:aws:bedrock:us-west-2:123456789012:inference-profile%2Fus.anthropic.claude-3-5-sonnet-20241022-v2:0/converse`,
    );
  });

  it('bedrock: a base_url path goes before /model/…', () => {
    expect(url('amazon_bedrock', 'https://gw.example.com/bedrock', 'amazon.nova-lite-v1:0', 'bedrock_converse')).toBe(
      'https://gw.example.com/bedrock/model/amazon.nova-lite-v1:0/converse',
    );
  });

  it('the {model} placeholder is left in place for wildcard templates', () => {
    expect(url('amazon_bedrock', bedrock, MODEL_PLACEHOLDER, 'bedrock_converse')).toBe(`${bedrock}/model/{model}/converse`);
    expect(url('azure_openai', 'https://r.openai.azure.com', MODEL_PLACEHOLDER)).toBe('https://r.openai.azure.com/openai/deployments/{model}/chat/completions?api-version=2024-10-21');
  });

  it('a model id outside the path does not touch the URL', () => {
    expect(url('openai', undefined, 'ft:gpt-4o-mini:org:custom:abc/x')).toBe('https://api.openai.com/v1/chat/completions');
  });
});

describe('what makes no URL', () => {
  it('a provider with no public host needs base_url', () => {
    for (const prefix of ['azure_openai', 'amazon_bedrock', 'qwen', 'ollama']) {
      expect(url(prefix, undefined, 'm', findProvider(prefix)!.upstreamApiFor.chat_completions)).toBe('base-url-required');
    }
  });

  it.each(['ftp://files.example.com', 'api.openai.com', 'not a url', 'https://', 'file:///etc/passwd'])('%s is not a base URL', (baseUrl) => {
    expect(url('openai', baseUrl)).toBe('invalid-base-url');
    expect(parseBaseUrl(baseUrl)).toBeNull();
  });

  it('an upstream API the provider does not speak', () => {
    expect(url('anthropic', undefined, 'm', 'openai_chat')).toBe('api-not-spoken');
  });
});

describe('a model id stays in its own path segment (issue 12)', () => {
  it.each([
    ['azure_openai', 'https://r.openai.azure.com', 'openai_chat'],
    ['amazon_bedrock', 'https://bedrock-runtime.us-east-1.amazonaws.com', 'bedrock_converse'],
  ] as const)('%s: `.` and `..` have no URL (a parser would climb out of the segment)', (prefix, baseUrl, api) => {
    expect(url(prefix, baseUrl, '..', api)).toBe('model-not-a-path-segment');
    expect(url(prefix, baseUrl, '.', api)).toBe('model-not-a-path-segment');
  });

  it('anything else is escaped into one segment, percent signs and slashes included', () => {
    expect(url('azure_openai', 'https://r.openai.azure.com', '%2e%2e')).toBe('https://r.openai.azure.com/openai/deployments/%252e%252e/chat/completions?api-version=2024-10-21');
    expect(url('azure_openai', 'https://r.openai.azure.com', '../x')).toBe('https://r.openai.azure.com/openai/deployments/..%2Fx/chat/completions?api-version=2024-10-21');
    expect(url('azure_openai', 'https://r.openai.azure.com', '...')).toBe('https://r.openai.azure.com/openai/deployments/.../chat/completions?api-version=2024-10-21');
  });

  it('a model that goes in the body is not a path segment: `..` is just a name there', () => {
    expect(url('openai', undefined, '..')).toBe('https://api.openai.com/v1/chat/completions');
  });
});
