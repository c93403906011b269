/** The spawn helper the CLI tests share: a child that hangs is killed, not left behind (stdin and exit codes: test/routing/route-command.test.ts). */
import { describe, expect, it } from 'vitest';
import { plano, PlanoRunTimeout } from './run-plano.js';

describe('plano() test helper', () => {
  it('kills a run still going at its deadline and fails saying so', async () => {
    // `plano up` serves until stopped: it stands in for a command that hangs.
    const error: unknown = await plano(['up', '--port', '0', 'fixtures/valid/quickstart.yaml'], { timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanoRunTimeout);
    const { pid, message } = error as PlanoRunTimeout;
    expect(message).toMatch(/^plano up --port 0 fixtures\/valid\/quickstart\.yaml was still running after 2000 ms: killed/);
    // Signal 0 only asks whether the process exists.
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});
