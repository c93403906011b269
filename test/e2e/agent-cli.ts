/**
 * The coding agents the end-to-end tests run for real: pinned npm packages (each ships its native
 * binary) installed into node_modules/.cache/plano-agents by the suite itself, and run as a user
 * would, with their own output and exit code.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../cli/run-plano.js';

export interface AgentPackage {
  name: string;
  version: string;
  bin: string;
}

export const CLAUDE_CODE: AgentPackage = { name: '@anthropic-ai/claude-code', version: '2.1.197', bin: 'claude' };
export const CODEX: AgentPackage = { name: '@openai/codex', version: '0.171.0', bin: 'codex' };

/** The agent's binary, installed from npm into the cache when it is not there yet; or why it could not be. */
export async function installAgent(agent: AgentPackage): Promise<{ bin: string } | { problem: string }> {
  const folder = join(ROOT, 'node_modules', '.cache', 'plano-agents', `${agent.bin}-${agent.version}`);
  const bin = join(folder, 'node_modules', '.bin', agent.bin);
  if (existsSync(bin)) return { bin };
  mkdirSync(folder, { recursive: true });
  try {
    await promisify(execFile)('npm', ['install', '--prefix', folder, '--no-audit', '--no-fund', '--no-save', `${agent.name}@${agent.version}`], { timeout: 180_000 });
  } catch (error) {
    return { problem: `npm could not install ${agent.name}@${agent.version}: ${(error as Error).message.split('\n')[0]}` };
  }
  return existsSync(bin) ? { bin } : { problem: `npm installed ${agent.name}@${agent.version} but ${bin} is missing` };
}

/** Runs the agent to its end (killed after `timeoutMs`); its exit code and everything it printed. */
export function runAgent(bin: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
