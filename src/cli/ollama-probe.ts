/**
 * Whether an Ollama server answers where Ollama listens by default (or where `OLLAMA_HOST`, its
 * own variable, says), for the config synthesised from the environment. Asked once, briefly: a
 * machine without Ollama costs `plano up` at most PROBE_TIMEOUT_MS.
 */
type Env = Readonly<Record<string, string | undefined>>;

const PROBE_TIMEOUT_MS = 300;

/** Ollama's base URL from `OLLAMA_HOST` (`host:port`, a URL, or `0.0.0.0:port` for all addresses), else its default. */
export function ollamaBaseUrl(env: Env): string {
  const host = env['OLLAMA_HOST']?.trim();
  if (!host) return 'http://127.0.0.1:11434';
  const url = /^[a-z]+:\/\//i.test(host) ? host : `http://${host}`;
  try {
    const parsed = new URL(url);
    if (parsed.hostname === '0.0.0.0' || parsed.hostname === '[::]') parsed.hostname = '127.0.0.1';
    if (parsed.port === '') parsed.port = '11434';
    return parsed.origin;
  } catch {
    return 'http://127.0.0.1:11434';
  }
}

/** The base URL of the Ollama that answered `GET /api/version`, or undefined. */
export async function findOllama(env: Env): Promise<string | undefined> {
  const base = ollamaBaseUrl(env);
  try {
    const response = await fetch(`${base}/api/version`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = (await response.json()) as { version?: unknown };
    return response.ok && typeof body.version === 'string' ? base : undefined;
  } catch {
    return undefined;
  }
}
