/**
 * `plano agent [--model M] [--config FILE] <claude|codex> [agent args…]`: runs a coding agent on
 * the gateway that serves the config (the reference's `planoai cli_agent`). The `plano up`
 * already listening on the config's model listener is used; when none answers there, one is
 * started for the agent's run and stopped after it. The agent is the user's own install, found
 * on PATH, else run through npx; its arguments reach it in order, and its exit code is plano's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AGENTS, isAgentName, type AgentInvocation } from '../agent-invocation.js';
import { CliError, EXIT_FINDINGS } from '../exit.js';
import type { CliIo } from '../io.js';
import type { CommandModule } from './index.js';

interface AgentOptions {
  model?: string;
  config?: string;
}

/** How long a `plano up` started for the agent may take to answer /healthz. */
const GATEWAY_START_MS = 15_000;

export const agentCommand: CommandModule = {
  register(program: Command, io: CliIo, setExitCode: (code: number) => void) {
    program
      .command('agent')
      .description('run a coding agent (claude, codex) on the gateway serving the config; its arguments follow it')
      .argument('<agent>', 'claude (Claude Code) or codex (OpenAI Codex CLI)')
      .argument('[args...]', "the agent's own arguments, passed on in order")
      .option('-m, --model <name>', "the model the agent uses (default: the config's default model)")
      .option('--config <file>', 'config file or directory (default: plano_config.yaml, else config.yaml)')
      // Everything after the agent's name is the agent's, dashes included.
      .passThroughOptions()
      .allowUnknownOption()
      .action(async (agent: string, args: string[], options: AgentOptions) => {
        setExitCode(await runAgentCommand(agent, args, options, io));
      });
  },
};

export async function runAgentCommand(agent: string, userArgs: readonly string[], options: AgentOptions, io: CliIo): Promise<number> {
  if (!isAgentName(agent)) throw new CliError(`unknown agent "${agent}": plano runs ${Object.keys(AGENTS).join(' or ')}`);
  const { loadGateway } = await import('./expand.js');
  const loaded = await loadGateway(options.config, io, { quiet: true, command: 'agent' });
  if (!loaded.ok) return EXIT_FINDINGS;
  const model = options.model ?? loaded.gateway.defaultModel?.name;
  if (model === undefined) throw new CliError('the config has no default model to give the agent', 'Name one: `plano agent --model <model> …` (plano models list shows them).');

  const { modelListener } = await import('../../config/normalize.js');
  const listener = modelListener(loaded.gateway);
  const host = listener?.address === undefined || listener.address === '0.0.0.0' || listener.address === '::' ? '127.0.0.1' : listener.address;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${listener?.port ?? 12000}`;

  const spec = AGENTS[agent];
  let invocation = spec.invocation(url, model, userArgs);
  let command = await onPath(invocation.command, io.env.PATH ?? '');
  if (command === undefined) {
    // Not installed: npx runs the package (fetching it once), as the agents' own docs suggest.
    const npx = await onPath('npx', io.env.PATH ?? '');
    if (npx === undefined) throw new CliError(`${invocation.command} is not on PATH`, `Install it (npm install -g ${spec.packageName}), or put its folder on PATH.`);
    io.stderr.write(`plano: ${invocation.command} is not on PATH; running ${spec.packageName} through npx\n`);
    invocation = { ...invocation, args: ['--yes', spec.packageName, ...invocation.args] };
    command = npx;
  }

  let gateway: ChildProcess | undefined;
  if (!(await answers(url))) {
    io.stderr.write(`plano: no gateway answers at ${url}; starting plano up ${loaded.file} for this run\n`);
    gateway = await startGateway(loaded.file, io, url);
  }
  try {
    return await runToExit(command, invocation, io);
  } finally {
    if (gateway) await stopGateway(gateway);
  }
}

/** Whether a plano gateway answers /healthz at `url`. */
async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** `plano up <file>` as a child of this process, resolved once it answers at `url`. */
async function startGateway(file: string, io: CliIo, url: string): Promise<ChildProcess> {
  const bin = fileURLToPath(new URL('../../../bin/plano.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'up', file], { cwd: io.cwd, env: io.env as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const deadline = Date.now() + GATEWAY_START_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new CliError(`plano up ${file} stopped before it served (exit ${child.exitCode})`, stderr.trim() || undefined);
    if (await answers(url)) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopGateway(child);
  throw new CliError(`plano up ${file} did not answer at ${url} within ${GATEWAY_START_MS / 1000} s`, stderr.trim() || undefined);
}

function stopGateway(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Runs the agent on this terminal; its exit code (128 + the signal's number when a signal ended it). */
function runToExit(command: string, invocation: AgentInvocation, io: CliIo): Promise<number> {
  const env: Record<string, string | undefined> = { ...io.env, ...invocation.env };
  for (const [name, value] of Object.entries(invocation.env)) if (value === undefined) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(command, invocation.args, { cwd: io.cwd, env: env as NodeJS.ProcessEnv, stdio: 'inherit' });
    child.once('error', (error) => reject(new CliError(`could not run ${invocation.command}: ${error.message}`)));
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 0)));
  });
}

/** The executable `name` on `path`, or undefined. */
async function onPath(name: string, path: string): Promise<string | undefined> {
  for (const folder of path.split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}
