/**
 * The networks people have between plano and their providers: a corporate proxy named by
 * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (lower-case forms too, read first as curl and undici
 * read them), and upstreams whose TLS certificate a private CA signed
 * (`overrides.upstream_tls_ca_path`).
 *
 * `http://` upstreams go through HTTP_PROXY as plain forward-proxy requests; `https://` ones
 * through HTTPS_PROXY (else HTTP_PROXY) by CONNECT, TLS end to end. NO_PROXY lists hosts, domains
 * (`.corp.example` or `corp.example` covers its subdomains), `host:port`, or `*`.
 *
 * The CA bundle is added to Node's own roots, not put in their place: the reference's default for
 * this key is the system bundle, so a config that names its private CA alone still reaches the
 * public providers it also lists.
 */
import { rootCertificates } from 'node:tls';
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { redactUrl } from '../config/secret-values.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface ProxySettings {
  http: string | undefined;
  https: string | undefined;
  noProxy: string | undefined;
}

export interface UpstreamNetwork {
  /** Undefined: every upstream is connected to directly. */
  proxy?: ProxySettings;
  /** PEM certificates trusted for upstream TLS besides Node's roots. */
  extraCaPem?: string;
}

/** The proxy settings in `env`, or undefined when it names no proxy. */
export function proxyFromEnv(env: Env): ProxySettings | undefined {
  const read = (name: string): string | undefined => nonEmpty(env[name.toLowerCase()]) ?? nonEmpty(env[name]);
  const http = read('HTTP_PROXY');
  const https = read('HTTPS_PROXY');
  if (http === undefined && https === undefined) return undefined;
  return { http, https, noProxy: read('NO_PROXY') };
}

/** One line for the startup output: where upstream calls go, the proxy's password starred out. */
export function describeProxy(proxy: ProxySettings): string {
  const parts: string[] = [];
  if (proxy.https !== undefined) parts.push(`https:// upstreams through ${redactUrl(proxy.https)}`);
  if (proxy.http !== undefined) parts.push(`http://${proxy.https === undefined ? ' and https://' : ''} upstreams through ${redactUrl(proxy.http)}`);
  return `Upstream calls: ${parts.join('; ')}${proxy.noProxy !== undefined ? `; not for NO_PROXY=${proxy.noProxy}` : ''}.`;
}

/**
 * What a PEM file must contain to be a CA bundle; undefined when it does. The text is checked
 * here, not when the first request fails, so a wrong path or file is a startup error.
 */
export function caBundleProblem(pem: string): string | undefined {
  return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(pem) ? undefined : 'it holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
}

/** The dispatcher for upstream calls: a plain keep-alive Agent, or one that picks a proxy per origin. */
export function upstreamDispatcher(options: Agent.Options, network: UpstreamNetwork): Dispatcher {
  const ca = network.extraCaPem === undefined ? undefined : [...rootCertificates, network.extraCaPem];
  const connect = { ...(options.connect as object | undefined), ...(ca ? { ca } : {}) };
  if (!network.proxy) return new Agent({ ...options, connect });
  const { http, https, noProxy } = network.proxy;
  return new EnvHttpProxyAgent({
    ...options,
    connect,
    // Each given explicitly ('' for none): undici would otherwise read process.env itself.
    httpProxy: http ?? '',
    httpsProxy: https ?? http ?? '',
    noProxy: noProxy ?? '',
    // The upstream's TLS inside a CONNECT tunnel.
    ...(ca ? { requestTls: { ca } } : {}),
    // http:// upstreams as absolute-form requests to the proxy (what proxies expect for plain
    // HTTP, and what curl does), not tunnelled.
    proxyTunnel: false,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export type LoadedNetwork = { ok: true; network: UpstreamNetwork } | { ok: false; message: string; hint: string };

/**
 * The network settings for a config: the proxy from `env`, and the CA bundle `overrides.
 * upstream_tls_ca_path` names (a relative path is the config file's directory's), read now.
 */
export async function loadUpstreamNetwork(overrides: Readonly<Record<string, unknown>>, env: Env, configDir: string): Promise<LoadedNetwork> {
  const proxy = proxyFromEnv(env);
  const caPath = overrides.upstream_tls_ca_path;
  if (typeof caPath !== 'string' || caPath.trim() === '') return { ok: true, network: { proxy } };
  const { readFile } = await import('node:fs/promises');
  const { resolve } = await import('node:path');
  const path = resolve(configDir, caPath);
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      message: `cannot read overrides.upstream_tls_ca_path ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      hint: 'Point it at a PEM file of the CA certificates that sign your upstreams (a relative path is read from the config file\'s folder).',
    };
  }
  const problem = caBundleProblem(pem);
  if (problem) return { ok: false, message: `overrides.upstream_tls_ca_path ${path} is not a CA bundle: ${problem}`, hint: 'Use the CA certificate(s) in PEM form, as openssl writes them.' };
  return { ok: true, network: { proxy, extraCaPem: pem } };
}
