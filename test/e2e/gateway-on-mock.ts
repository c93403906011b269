/**
 * The setup the `plano up` end-to-end suites share: the mock provider, a temporary folder holding
 * fixtures/upstream/gateway.yaml pointed at it, and the built `plano up` started there.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upstreamFixture } from '../server/gateway-harness.js';
import { startMockUpstream, type MockUpstream } from './up-mock-upstream.js';
import { startPlanoUp, type PlanoUp } from './up-process.js';

/** The key variables gateway.yaml's providers read. */
export const CONFIGURED_KEYS = { OPENAI_API_KEY: 'sk-configured-openai', ANTHROPIC_API_KEY: 'sk-ant-configured' };

export interface GatewayOnMock {
  mock: MockUpstream;
  plano: PlanoUp;
  /** The folder plano runs in; its plano_config.yaml holds `configText`. */
  dir: string;
  configText: string;
  /** Kills plano, closes the mock and removes the folder (for afterAll). */
  stop(): Promise<void>;
}

/** Starts the mock and `plano up <args>` on gateway.yaml; whatever started is stopped again if a later step fails. */
export async function startGatewayOnMock(args: string[], folderPrefix: string): Promise<GatewayOnMock> {
  let mock: MockUpstream | undefined;
  let plano: PlanoUp | undefined;
  let dir: string | undefined;
  const stop = async (): Promise<void> => {
    plano?.kill();
    await mock?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    mock = await startMockUpstream();
    dir = await mkdtemp(join(tmpdir(), folderPrefix));
    const configText = upstreamFixture('gateway.yaml').replaceAll('http://127.0.0.1:1', mock.url);
    await writeFile(join(dir, 'plano_config.yaml'), configText);
    plano = await startPlanoUp(args, CONFIGURED_KEYS, dir);
    return { mock, plano, dir, configText, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
