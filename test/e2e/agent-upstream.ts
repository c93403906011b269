/**
 * A model that drives a coding agent through one tool round, for the agent end-to-end tests:
 * one node:http server on 127.0.0.1 speaking OpenAI chat completions, the Responses API and
 * Anthropic messages,
 * streamed as the agents ask. Its first answer calls the agent's own tool to create the file
 * named by `target` (writeCall); once the request carries that tool's result, it answers with text.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AgentUpstream {
  url: string;
  /** The paths of the requests it answered, in order. */
  paths: string[];
  /** Their bodies, in the same order. */
  bodies: Record<string, any>[];
  close(): Promise<void>;
}

export const AGENT_FINAL_TEXT = 'The file is written.';

type Json = Record<string, any>;

export async function startAgentUpstream(target: { file: string; content: string }): Promise<AgentUpstream> {
  const paths: string[] = [];
  const bodies: Json[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const body = JSON.parse(text) as Json;
      const path = (req.url ?? '').split('?')[0]!;
      paths.push(path);
      bodies.push(body);
      const api = path.endsWith('/messages') ? 'messages' : path.endsWith('/responses') ? 'responses' : 'chat';
      const history = JSON.stringify(body.messages ?? body.input ?? []);
      // A tool result in the history means the agent ran the tool: the turn ends with text.
      const toolDone = history.includes({ messages: '"tool_result"', responses: '"function_call_output"', chat: '"role":"tool"' }[api]);
      // Asked to close an agent, it calls Codex's namespaced `close_agent` (multi_agent_v1) instead.
      const call = toolDone ? undefined : history.includes('Close the agent') ? { id: 'call_close_1', name: 'close_agent', input: { target: 'agent-x' } } : writeCall(body.tools ?? [], target);
      const answer = api === 'messages' ? anthropicAnswer(body, call) : api === 'responses' ? responsesAnswer(body, call) : chatAnswer(body, call);
      res.writeHead(200, { 'content-type': body.stream ? 'text/event-stream' : 'application/json' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The agent's own way to write a file, as its tool list offers it: Claude Code's `Write`, or
 * Codex's shell (`exec_command`, whose sandbox lets it write inside the work folder).
 */
function writeCall(tools: Json[], target: { file: string; content: string }): { id: string; name: string; input: Json } | undefined {
  const names = new Set(tools.map((t) => t.name ?? t.function?.name));
  if (names.has('Write')) return { id: 'toolu_write_1', name: 'Write', input: { file_path: target.file, content: target.content } };
  if (names.has('exec_command')) {
    const quoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
    return { id: 'call_exec_1', name: 'exec_command', input: { cmd: `printf %s ${quoted(target.content)} > ${quoted(target.file)}` } };
  }
  return undefined;
}

const USAGE = { input_tokens: 30, output_tokens: 12 };

function anthropicAnswer(body: Json, call: { id: string; name: string; input: Json } | undefined): string {
  const content = call ? [{ type: 'tool_use', id: call.id, name: call.name, input: call.input }] : [{ type: 'text', text: AGENT_FINAL_TEXT }];
  const stopReason = call ? 'tool_use' : 'end_turn';
  const message = { id: 'msg_agent', type: 'message', role: 'assistant', model: body.model, stop_reason: stopReason, stop_sequence: null, usage: USAGE };
  if (!body.stream) return JSON.stringify({ ...message, content });
  const events: Json[] = [{ type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { input_tokens: USAGE.input_tokens, output_tokens: 1 } } }];
  if (call) {
    events.push(
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.input) } },
    );
  } else {
    events.push(
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: AGENT_FINAL_TEXT } },
    );
  }
  events.push(
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: USAGE.output_tokens } },
    { type: 'message_stop' },
  );
  return events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

function chatAnswer(body: Json, call: { id: string; name: string; input: Json } | undefined): string {
  const usage = { prompt_tokens: USAGE.input_tokens, completion_tokens: USAGE.output_tokens, total_tokens: USAGE.input_tokens + USAGE.output_tokens };
  const toolCall = call && { id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.input) } };
  const finish = call ? 'tool_calls' : 'stop';
  const base = { id: 'chatcmpl-agent', created: 1_700_000_000, model: body.model };
  if (!body.stream) {
    const message = call ? { role: 'assistant', content: null, tool_calls: [toolCall] } : { role: 'assistant', content: AGENT_FINAL_TEXT };
    return JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finish }], usage });
  }
  const chunk = (delta: Json, finishReason: string | null = null): Json => ({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason }] });
  const chunks = [
    chunk({ role: 'assistant', content: call ? null : '' }),
    call ? chunk({ tool_calls: [{ index: 0, ...toolCall }] }) : chunk({ content: AGENT_FINAL_TEXT }),
    chunk({}, finish),
    { ...base, object: 'chat.completion.chunk', choices: [], usage },
  ];
  return chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n';
}

function responsesAnswer(body: Json, call: { id: string; name: string; input: Json } | undefined): string {
  const item = call
    ? { type: 'function_call', id: 'fc_agent', call_id: call.id, name: call.name, arguments: JSON.stringify(call.input), status: 'completed' }
    : { type: 'message', id: 'msg_agent', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: AGENT_FINAL_TEXT, annotations: [] }] };
  const usage = { input_tokens: USAGE.input_tokens, output_tokens: USAGE.output_tokens, total_tokens: USAGE.input_tokens + USAGE.output_tokens };
  const response = { id: 'resp_agent', object: 'response', created_at: 1_700_000_000, model: body.model, status: 'completed', output: [item], usage };
  if (!body.stream) return JSON.stringify(response);
  let sequence = 0;
  const event = (type: string, fields: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;
  const opened = call ? { ...item, arguments: '', status: 'in_progress' } : { ...item, content: [], status: 'in_progress' };
  return [
    event('response.created', { response: { ...response, status: 'in_progress', output: [] } }),
    event('response.output_item.added', { output_index: 0, item: opened }),
    call
      ? event('response.function_call_arguments.delta', { output_index: 0, item_id: item.id, delta: (item as Json).arguments })
      : event('response.output_text.delta', { output_index: 0, item_id: item.id, content_index: 0, delta: AGENT_FINAL_TEXT }),
    event('response.output_item.done', { output_index: 0, item }),
    event('response.completed', { response }),
  ].join('');
}
