/** Proxy settings from the environment, the startup line that names them, and CA bundle checks (src/server/upstream-network.ts). */
import { describe, expect, it } from 'vitest';
import { caBundleProblem, describeProxy, proxyFromEnv } from '../../src/server/upstream-network.js';

describe('proxyFromEnv', () => {
  it('reads the lower-case forms first, as curl and undici do; empty means unset', () => {
    expect(proxyFromEnv({})).toBeUndefined();
    expect(proxyFromEnv({ HTTPS_PROXY: ' ', NO_PROXY: 'localhost' })).toBeUndefined();
    expect(proxyFromEnv({ HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', no_proxy: 'localhost,.corp' })).toEqual({
      http: undefined,
      https: 'http://lower:3128',
      noProxy: 'localhost,.corp',
    });
  });

  it('names the proxies at startup with their passwords starred out', () => {
    const proxy = proxyFromEnv({ HTTP_PROXY: 'http://me:s3cret-pw@proxy.corp:3128' })!;
    const line = describeProxy(proxy);
    expect(line).toBe('Upstream calls: http:// and https:// upstreams through http://***@proxy.corp:3128.');
    expect(line).not.toContain('s3cret');
  });
});

describe('caBundleProblem', () => {
  it('accepts PEM certificates and says what is wrong with anything else', () => {
    expect(caBundleProblem('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')).toBeUndefined();
    expect(caBundleProblem('not a certificate')).toContain('no PEM certificate');
  });
});
