/**
 * `plano obs [file]`: the live view of a running `plano up` in the terminal. It reads the
 * gateway's event stream (/_plano/api/events): on a terminal, a screen of totals per model and
 * the newest calls, redrawn as calls complete; piped, one line per call (the calls the gateway
 * keeps first, then each new one) — `--once` prints those kept and returns.
 *
 * Which gateway: --url, else the model listener of the config (`file`, or the one in this
 * folder), else http://127.0.0.1:12000, `plano up`'s default.
 */
import type { Command } from 'commander';
import { DEFAULT_LISTENER_ADDRESS, DEFAULT_LISTENER_PORTS } from '../../resolve/gateway-json.js';
import type { CallRecord, ModelTotals } from '../../server/call-log.js';
import { CliError, EXIT_OK } from '../exit.js';
import type { CliIo } from '../io.js';
import { callLine, dashboard } from '../render/live-calls.js';
import type { CommandModule } from './index.js';

interface ObsOptions {
  url?: string;
  once?: boolean;
}

/** `plano up`'s address when its config names none (resolve/gateway-json.ts, as `expand` shows it). */
const DEFAULT_MODEL_PORT = DEFAULT_LISTENER_PORTS.model!;
const DEFAULT_URL = `http://${DEFAULT_LISTENER_ADDRESS}:${DEFAULT_MODEL_PORT}`;
/** A terminal is redrawn at most this often, however fast calls complete. */
const REDRAW_MS = 100;

export const obsCommand: CommandModule = {
  register(program: Command, io: CliIo, setExitCode: (code: number) => void) {
    program
      .command('obs')
      .description("watch a running `plano up`'s calls live: models, status, latency, tokens, cost")
      .argument('[file]', "config file or directory whose gateway to watch (default: plano_config.yaml, else config.yaml; none: http://127.0.0.1:12000)")
      .option('--url <url>', 'the gateway to watch, as `plano up` printed it')
      .option('--once', 'print the calls the gateway keeps, one line each, and return')
      .action(async (file: string | undefined, options: ObsOptions) => {
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          setExitCode(await runObs(file, options, io, stop.signal));
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      });
  },
};

export async function runObs(file: string | undefined, options: ObsOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  const base = (options.url ?? (await gatewayUrlOf(file, io))).replace(/\/+$/, '');
  const eventsUrl = `${base}/_plano/api/events`;
  let response: Response;
  try {
    response = await fetch(eventsUrl, { headers: { accept: 'text/event-stream' }, signal });
  } catch (error) {
    if (signal.aborted) return EXIT_OK;
    throw new CliError(`no gateway answers at ${base} (${failureCode(error)})`, 'Start one with `plano up` (its banner prints the live view URL), or pass --url.');
  }
  if (response.status === 404 || response.status === 403) {
    const message = await response.json().then(
      (body) => (body as { error?: { message?: string } }).error?.message,
      () => undefined,
    );
    throw new CliError(
      `${base} serves no live view${message ? `: ${message}` : ''}`,
      'A gateway started with --no-live-view or --workers keeps no calls; one on a non-loopback address serves them only with --live-view-public.',
    );
  }
  if (!response.ok || !response.body) throw new CliError(`${eventsUrl} answered HTTP ${response.status}`);

  const { createSseDecoder } = await import('../../translate/sse.js');
  const decoder = createSseDecoder();
  const screen = io.stdout.isTTY === true && options.once !== true;
  let calls: CallRecord[] = [];
  let totals = new Map<string, ModelTotals>();
  let redraw: NodeJS.Timeout | undefined;
  const draw = (): void => {
    redraw = undefined;
    const size = io.stdout as { columns?: number; rows?: number };
    // Home, clear to the end: the screen is rewritten in place, not scrolled.
    io.stdout.write(`\u001b[H${dashboard(base, calls, [...totals.values()], size.columns ?? 120, size.rows ?? 40).replaceAll('\n', '\u001b[K\n')}\u001b[J`);
  };
  if (screen) {
    // The alternate screen, as `top` and `less` use: what was on the terminal is back on exit.
    io.stdout.write('\u001b[?1049h\u001b[?25l');
    draw();
  }
  try {
    const reader = response.body.getReader();
    signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) break;
      for (const event of decoder.push(value)) {
        const data = JSON.parse(event.data) as { calls?: CallRecord[]; totals?: ModelTotals[] | ModelTotals; call?: CallRecord };
        if (event.event === 'snapshot') {
          calls = data.calls ?? [];
          totals = new Map((data.totals as ModelTotals[]).map((t) => [t.model, t]));
          if (!screen) for (const call of calls) io.stdout.write(`${callLine(call)}\n`);
          if (options.once) {
            await reader.cancel();
            return EXIT_OK;
          }
        } else if (event.event === 'call' && data.call) {
          calls.push(data.call);
          if (calls.length > 500) calls.splice(0, calls.length - 500);
          totals.set((data.totals as ModelTotals).model, data.totals as ModelTotals);
          if (!screen) io.stdout.write(`${callLine(data.call)}\n`);
        }
      }
      if (screen) redraw ??= setTimeout(draw, REDRAW_MS);
    }
  } finally {
    clearTimeout(redraw);
    if (screen) io.stdout.write('\u001b[?25h\u001b[?1049l');
  }
  if (!signal.aborted) io.stderr.write(`plano obs: the gateway at ${base} closed the stream (stopped?)\n`);
  return EXIT_OK;
}

/** Why fetch failed, as the system said it (ECONNREFUSED …): undici puts it in the cause, or in the causes of an AggregateError. */
function failureCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
  return cause?.code ?? cause?.errors?.find((e) => e.code)?.code ?? cause?.message ?? (error as Error).message;
}

/** The URL of the gateway a config would be served on (`plano up`'s defaults where it says nothing). */
async function gatewayUrlOf(file: string | undefined, io: CliIo): Promise<string> {
  const [{ findConfigFileIfAny, readConfigText }, { checkConfig }, { modelListener }] = await Promise.all([
    import('../config-file.js'),
    import('../../resolve/check.js'),
    import('../../config/normalize.js'),
  ]);
  const found = await findConfigFileIfAny(file, io.cwd, 'obs');
  // No config here and none named: `plano up`'s default address.
  if (found === undefined) return DEFAULT_URL;
  const { config } = checkConfig(await readConfigText(found, io.cwd), found, { env: io.env });
  const listener = config ? modelListener(config) : undefined;
  const address = listener?.address;
  // A gateway on every address is reached on this machine's loopback.
  const host = address === undefined || address === '0.0.0.0' || address === '::' ? DEFAULT_LISTENER_ADDRESS : address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${listener?.port ?? DEFAULT_MODEL_PORT}`;
}
