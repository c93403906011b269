// The processes the gateway benchmark starts: each one is spawned in its own process group,
// logged to a file, waited for over HTTP, measured through /proc, and stopped at the end — also
// when the run fails or is interrupted (see stopAllChildren and installCleanup).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** @type {Set<{name: string, child: import('node:child_process').ChildProcess}>} */
const running = new Set();

/** A free TCP port on 127.0.0.1 (the kernel picks it; it is released before the child binds it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `command args` with its output in `<logDir>/<name>.log`. The child leads its own process
 * group so that stopping it also stops anything it forks (cluster workers, npm's children).
 */
export function startChild({ name, command, args, env, cwd, logDir }) {
  const logPath = join(logDir, `${name}.log`);
  const log = openSync(logPath, 'w');
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  const entry = { name, child, logPath };
  running.add(entry);
  child.on('exit', () => running.delete(entry));
  return entry;
}

export function logTail(entry, lines = 20) {
  try {
    return readFileSync(entry.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Polls `url` until it answers `status` (GET), the child exits, or `timeoutMs` passes. */
export async function waitForHttp(entry, url, { timeoutMs = 20_000, status = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (entry.child.exitCode !== null || entry.child.signalCode !== null) {
      throw new Error(
        `${entry.name} exited (${entry.child.exitCode ?? entry.child.signalCode}) before it served ${url}\n${logTail(entry)}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === status) return;
      lastProblem = `answered ${response.status}`;
    } catch (error) {
      lastProblem = error.cause?.code ?? error.message;
    }
    await sleep(100);
  }
  throw new Error(`${entry.name} did not serve ${url} within ${timeoutMs} ms (${lastProblem})\n${logTail(entry)}`);
}

function signalGroup(entry, signal) {
  try {
    process.kill(-entry.child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Stops one child's process group: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopChild(entry, graceMs = 3_000) {
  if (entry.child.exitCode !== null || entry.child.signalCode !== null) {
    running.delete(entry);
    signalGroup(entry, 'SIGKILL'); // forked grandchildren may outlive their parent
    return;
  }
  const exited = new Promise((resolve) => entry.child.once('exit', resolve));
  signalGroup(entry, 'SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
  signalGroup(entry, 'SIGKILL');
  if (timedOut) await exited;
  running.delete(entry);
}

export async function stopAllChildren() {
  await Promise.all([...running].map((entry) => stopChild(entry)));
}

/** Synchronous last resort (process 'exit' handlers cannot wait): SIGKILL every group still up. */
function killAllChildrenNow() {
  for (const entry of running) signalGroup(entry, 'SIGKILL');
  running.clear();
}

/** Stops every child on Ctrl-C, SIGTERM, an uncaught error, or any other way out of the process. */
export function installCleanup() {
  process.on('exit', killAllChildrenNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the benchmark's processes…\n`);
      stopAllChildren().finally(() => process.exit(130));
    });
  }
}

/**
 * The processes in process group `pgid` (a child and whatever it forked: see startChild), each
 * as its pid and the fields of /proc/<pid>/stat after the command name.
 */
function processGroup(pgid) {
  const members = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // proc(5): after the parenthesised command name (which may hold spaces) come state (field 3),
    // ppid, pgrp (5), … utime (14), stime (15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) members.push({ pid: Number(name), fields });
  }
  return members;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (sysconf(_SC_CLK_TCK): 100 on Linux). */
const CLOCK_TICKS = 100;

/**
 * CPU seconds (user + system) used so far by a child and everything it forked. Read before and
 * after a run, it gives the CPU each request costs, which the other processes on a shared
 * machine disturb far less than requests/s.
 */
export function cpuSecondsOf(entry) {
  let ticks = 0;
  for (const { fields } of processGroup(entry.child.pid)) ticks += Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS;
}

/**
 * The kB figures of a /proc file written as `Name:  1234 kB` lines (/proc/<pid>/status: VmRSS,
 * VmHWM; /proc/<pid>/smaps_rollup: Shared_Clean, Private_Dirty…), by name, each file read once.
 */
function kilobyteFields(path) {
  const fields = {};
  try {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const match = /^(\w+):\s+(\d+) kB/.exec(line);
      if (match) fields[match[1]] = Number(match[2]);
    }
  } catch {
    // The process has exited: nothing to count.
  }
  return fields;
}

/**
 * Memory of a child and everything it forked (its process group), in MB: `rss` is the sum of
 * the current resident sets (VmRSS), `peak` the sum of each process's high-water mark (VmHWM),
 * `largest` the largest single VmRSS, `processes` how many were counted. Summed RSS counts the
 * pages every process maps — Node's own code, the same file for each worker of a cluster —
 * once per process; `group` counts them once: each process's private pages, plus the shared
 * pages of the process that has the most. (PSS would split shared pages among every process
 * that maps them, this benchmark's own Node processes included, and so flatter the group.)
 */
export function memoryOf(entry) {
  const pids = processGroup(entry.child.pid).map((member) => member.pid);
  let rss = 0;
  let peak = 0;
  let largest = 0;
  let privatePages = 0;
  let sharedPages = 0;
  // smaps_rollup walks the process's page tables under its memory-map lock, during the load:
  // read only where its figures are used (a group of processes).
  const isGroup = pids.length > 1;
  for (const pid of pids) {
    const status = kilobyteFields(`/proc/${pid}/status`);
    const own = status.VmRSS ?? 0;
    rss += own;
    largest = Math.max(largest, own);
    peak += status.VmHWM ?? 0;
    if (!isGroup) continue;
    const smaps = kilobyteFields(`/proc/${pid}/smaps_rollup`);
    privatePages += (smaps.Private_Clean ?? 0) + (smaps.Private_Dirty ?? 0);
    sharedPages = Math.max(sharedPages, (smaps.Shared_Clean ?? 0) + (smaps.Shared_Dirty ?? 0));
  }
  const group = isGroup ? privatePages + sharedPages : rss;
  return { rss: rss / 1024, peak: peak / 1024, group: group / 1024, largest: largest / 1024, processes: pids.length };
}

/** Samples `memoryOf(entry)` every `everyMs` until stopped; returns the largest of each figure seen. */
export function sampleMemory(entry, everyMs = 500) {
  const max = { rss: 0, group: 0, largest: 0 };
  const sample = () => {
    const now = memoryOf(entry);
    for (const key of Object.keys(max)) max[key] = Math.max(max[key], now[key]);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}
