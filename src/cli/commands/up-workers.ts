/**
 * `plano up --workers N` (N > 1): the supervisor and the workers of src/server/worker-cluster.ts,
 * with what only the CLI does — reading and watching the config file, printing, exit codes. Each
 * worker serves as `plano up` alone does (`serve`).
 */
import { workerRole, superviseWorkers, type StopTrigger } from '../../server/worker-cluster.js';
import { CliError, EXIT_USAGE } from '../exit.js';
import type { CliIo } from '../io.js';
import { readConfigFile, serve, watchConfigFile, type UpOptions } from './up.js';

/** One of the `--workers` processes: serves the config the primary sends until the primary says stop. */
export async function runUpWorker(options: UpOptions, io: CliIo): Promise<number> {
  const { default: cluster } = await import('node:cluster');
  const { role, dispose } = workerRole(io.env, options.workers ?? 1);
  try {
    return await serve(options, io, role);
  } catch (error) {
    // The worker that speaks reports it; the others exit with the same code in silence.
    if (!role.speak && error instanceof CliError) return error.exitCode;
    throw error;
  } finally {
    dispose();
    // The IPC channel would keep the process alive. (A worker whose primary disconnects first —
    // killed — is ended by node:cluster itself.)
    if (cluster.worker?.isConnected()) cluster.worker.disconnect();
  }
}

/** The primary of `--workers N`: reads the config once (a missing file is reported once, not by every worker), then supervises. */
export async function runUpPrimary(arg: string | undefined, options: UpOptions, io: CliIo, onStop: StopTrigger): Promise<number> {
  const source = await readConfigFile(arg, io);
  return superviseWorkers({
    source,
    count: options.workers ?? 1,
    onStop,
    notice: (line) => void io.stderr.write(`plano: ${line}\n`),
    failureExitCode: EXIT_USAGE,
    ...(options.watch ? { watch: (changed: (text: string) => void) => watchConfigFile(io, source.file, async (text) => changed(text)) } : {}),
  });
}
