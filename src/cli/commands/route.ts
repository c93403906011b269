/**
 * `plano route [file] "<message>"`: the routing decision `plano up` would make for a message
 * (or for a JSON conversation on stdin), made the same way — the configured router model is
 * really asked — and printed with the ranked models, the model that would serve, and why.
 * For trying preference descriptions from the terminal.
 *
 * Exit 0 with a decision (a router failure is a decision too: the default model, and why),
 * 1 when the config has errors (printed as `plano validate` prints them), 2 for usage or I/O.
 */
import { Option, type Command } from 'commander';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ClientApi } from '../../providers/types.js';
import type { RouteDecision } from '../../routing/router.js';
import type { RoutingSettings } from '../../routing/settings.js';
import type { JsonObject } from '../../translate/types.js';
import { CliError, EXIT_FINDINGS, EXIT_OK } from '../exit.js';
import type { CliIo } from '../io.js';
import type { CommandModule } from './index.js';

interface RouteOptions {
  format?: 'text' | 'json';
  timeout?: string;
}

const CONFIG_FILE = /\.ya?ml$/i;

export const routeCommand: CommandModule = {
  register(program: Command, io: CliIo, setExitCode: (code: number) => void) {
    program
      .command('route')
      .description('show which route and model `plano up` would pick for a message, asking the configured router model')
      .argument('[file]', 'config file (default: plano_config.yaml, else config.yaml)')
      .argument('[message]', 'the user message to route; without it, a JSON conversation is read from stdin')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--timeout <duration>', 'how long to wait for the router model (e.g. 2s, 500ms); default: overrides.llm_routing_timeout, else 5s')
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  plano route "write a quicksort in Rust"\n' +
          '  plano route plano_config.yaml "summarise this contract"\n' +
          '  echo \'{"messages":[{"role":"user","content":"tell me a story"}]}\' | plano route --format json\n' +
          '\nOn stdin: a chat `messages` array, or a whole request body for /v1/chat/completions,\n' +
          '/v1/messages or /v1/responses. A body that names a `model` is not routed (as in `plano up`).',
      )
      .action(async (first: string | undefined, second: string | undefined, options: RouteOptions) => {
        setExitCode(await runRoute(first, second, options, io));
      });
  },
};

export async function runRoute(first: string | undefined, second: string | undefined, options: RouteOptions, io: CliIo): Promise<number> {
  const [{ checkConfig }, { findConfigFile, readConfigText }, { checkedFile, printFindings }, { resolveGateway }, { parseDurationMs }] =
    await Promise.all([
      import('../../resolve/check.js'),
      import('../config-file.js'),
      import('../render/findings.js'),
      import('../../resolve/resolve.js'),
      import('../../config/duration.js'),
    ]);

  const { file: fileArg, message } = await splitArguments(first, second, io.cwd);
  const timeoutMs = options.timeout === undefined ? undefined : parseDurationMs(options.timeout);
  if (options.timeout !== undefined && timeoutMs === undefined) {
    throw new CliError(`--timeout ${JSON.stringify(options.timeout)} is not a duration`, 'Write it like 2s, 500ms or 1m.');
  }
  const request = message !== undefined ? { api: 'chat_completions' as const, body: { messages: [{ role: 'user', content: message }] } } : await requestFromStdin(io.stdin);

  const file = await findConfigFile(fileArg, io.cwd, 'route');
  const text = await readConfigText(file, io.cwd);
  const checked = checkConfig(text, file, { env: io.env });
  if (!checked.config || checked.diagnostics.some((d) => d.severity === 'error')) {
    printFindings(io, [checkedFile(checked)]);
    io.stderr.write(`plano: ${file} has errors; fix them to route with it\n`);
    return EXIT_FINDINGS;
  }

  const [{ prepareRouting }, { createUpstreamClient }, { decideRoute }, { loadUpstreamNetwork }] = await Promise.all([
    import('../../server/routing-http.js'),
    import('../../server/upstream-client.js'),
    import('../../routing/router.js'),
    import('../../server/upstream-network.js'),
  ]);
  const gateway = resolveGateway(checked.config, { env: io.env });
  // The router model is reached as `up` reaches it: through the proxy, trusting the same CAs.
  const network = await loadUpstreamNetwork(checked.config.overrides, io.env, dirname(resolve(io.cwd, file)));
  if (!network.ok) throw new CliError(network.message, network.hint);
  const client = createUpstreamClient({}, network.network);
  try {
    const namesModel = typeof request.body.model === 'string' && request.body.model !== '';
    const routing = await prepareRouting(checked.config, gateway, {
      client,
      env: io.env,
      fetchMetrics: !namesModel,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    for (const warning of routing.warnings) io.stderr.write(`plano: warning: ${warning}\n`);
    const decision = await decideRoute(request, routing.context);
    io.stdout.write(options.format === 'json' ? await decisionAsJson(decision, routing.settings) : decisionAsText(decision, routing.settings));
    return EXIT_OK;
  } finally {
    await client.close();
  }
}

/**
 * `[file] [message]` with both optional: one argument is the file when it names an existing
 * file or a .yaml path, otherwise the message.
 */
async function splitArguments(first: string | undefined, second: string | undefined, cwd: string): Promise<{ file?: string; message?: string }> {
  if (second !== undefined) return { file: first, message: second };
  if (first === undefined) return {};
  const isFile = CONFIG_FILE.test(first) || (await stat(resolve(cwd, first)).catch(() => undefined)) !== undefined;
  return isFile ? { file: first } : { message: first };
}

/** A chat `messages` array or a whole request body; the API is told apart by `input` (Responses). */
async function requestFromStdin(stdin: Readable): Promise<{ api: ClientApi; body: JsonObject }> {
  if ((stdin as { isTTY?: boolean }).isTTY) {
    throw new CliError('no message to route', 'Pass one (`plano route "write a haiku"`) or pipe a JSON conversation on stdin.');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') {
    throw new CliError('no message to route: stdin was empty', 'Pass a message argument, or pipe a JSON conversation on stdin.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`stdin is not JSON: ${(error as Error).message}`, 'Pipe a chat `messages` array or a request body, e.g. {"messages":[{"role":"user","content":"hi"}]}.');
  }
  if (Array.isArray(value)) return { api: 'chat_completions', body: { messages: value } };
  if (typeof value !== 'object' || value === null) {
    throw new CliError('stdin holds JSON but not a conversation', 'Pipe a chat `messages` array or a request body with `messages` or `input`.');
  }
  const body = value as JsonObject;
  if (body.input !== undefined) return { api: 'responses', body };
  if (Array.isArray(body.messages)) return { api: typeof body.system !== 'undefined' ? 'messages' : 'chat_completions', body };
  throw new CliError('stdin holds JSON but not a conversation', 'Pipe a chat `messages` array or a request body with `messages` or `input`.');
}

function routerDescription(settings: RoutingSettings): string {
  const router = settings.router;
  if (!router) return settings.routerSource.kind === 'configured' ? `${settings.routerSource.name} (not configured)` : 'none';
  const where = router.endpoints.chat_completions.url;
  return settings.routerSource.kind === 'hosted' ? `${router.model}, hosted (${where})` : `${router.name} (${where})`;
}

function decisionAsText(decision: RouteDecision, settings: RoutingSettings): string {
  const rows: [string, string][] = [
    ['route', decision.route ?? (decision.source === 'explicit' ? '(not routed)' : 'default')],
    ['models', decision.models.length > 0 ? decision.models.join(', ') : '(none)'],
    ['serves', decision.model ?? '(no model: the config has no default model)'],
    ['how', HOW[decision.source]],
  ];
  if (decision.reason) rows.push(['why', decision.reason]);
  for (const note of decision.notes) rows.push(['note', note]);
  if (decision.source !== 'explicit' && settings.preferences.length > 0) rows.push(['router', routerDescription(settings)]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}\n`).join('');
}

const HOW: Readonly<Record<RouteDecision['source'], string>> = {
  explicit: 'the request names a model, so it is not routed',
  router: 'asked the router model',
  session: 'pinned by the session',
  default: 'the default model',
};

async function decisionAsJson(decision: RouteDecision, settings: RoutingSettings): Promise<string> {
  const { decisionJson } = await import('../../routing/router.js');
  const router = settings.router;
  return `${JSON.stringify(
    {
      ...decisionJson(decision),
      router: router ? { model: router.name, url: router.endpoints.chat_completions.url } : null,
    },
    null,
    2,
  )}\n`;
}
