// The peer: Portkey's AI gateway (Hono on Node, like plano up), installed from npm into a
// scratch folder for the run — never a dependency of ours — and routed to the mock upstream with
// its own headers. @hono/node-server is pinned to 1.14.1 through npm `overrides`: later versions
// break Portkey's streaming.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild, waitForHttp } from './children.mjs';

const NODE_SERVER_PIN = '1.14.1';

function installedVersion(dir, name) {
  const manifest = join(dir, 'node_modules', name, 'package.json');
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : null;
}

function isInstalled(dir, version) {
  return (
    installedVersion(dir, '@portkey-ai/gateway') === version &&
    installedVersion(dir, '@hono/node-server') === NODE_SERVER_PIN &&
    // A nested copy would win over the pinned one.
    !existsSync(join(dir, 'node_modules', '@portkey-ai', 'gateway', 'node_modules', '@hono', 'node-server'))
  );
}

/**
 * Installs @portkey-ai/gateway@`version` into `dir` (reused when already there). Resolves to
 * `{ok: true}` or `{ok: false, reason}`: without network the benchmark goes on without Portkey.
 */
export async function installPortkey(dir, version) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(
      {
        name: 'plano-bench-portkey',
        private: true,
        description: 'Scratch install of the Portkey gateway for bench/gateway.mjs; not part of plano.',
        dependencies: { '@portkey-ai/gateway': version },
        overrides: { '@hono/node-server': NODE_SERVER_PIN },
      },
      null,
      2,
    )}\n`,
  );
  if (isInstalled(dir, version)) return { ok: true, version, cached: true };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await new Promise((resolve) => {
    execFile(
      npm,
      // Few, short retries: without network the run should go on without Portkey soon.
      ['install', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts', '--loglevel=error', '--fetch-retries=1', '--fetch-retry-maxtimeout=10000'],
      { cwd: dir, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ error, output: `${stdout}${stderr}` }),
    );
  });
  if (result.error) {
    // npm's first error lines say what failed (code, the request); the rest is a stack and advice.
    const detail = result.output.trim().split('\n').filter((line) => line.startsWith('npm error')).slice(0, 4).join('\n') || result.error.message;
    return { ok: false, reason: `npm install @portkey-ai/gateway@${version} failed:\n${detail}` };
  }
  if (!isInstalled(dir, version)) {
    return {
      ok: false,
      reason: `after npm install, @portkey-ai/gateway is ${installedVersion(dir, '@portkey-ai/gateway')} and @hono/node-server ${installedVersion(dir, '@hono/node-server')} (wanted ${version} and ${NODE_SERVER_PIN})`,
    };
  }
  return { ok: true, version, cached: false };
}

export async function startPortkey({ dir, port, logDir }) {
  const entry = startChild({
    name: 'portkey',
    command: process.execPath,
    args: [join(dir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js'), `--port=${port}`, '--headless'],
    cwd: dir,
    logDir,
  });
  await waitForHttp(entry, `http://127.0.0.1:${port}/`);
  return entry;
}

/** The headers that send a Portkey request to the mock, speaking `provider`'s API. */
export function portkeyHeaders(provider, mockPort) {
  return {
    'x-portkey-provider': provider,
    'x-portkey-custom-host': `http://127.0.0.1:${mockPort}/v1`,
  };
}
