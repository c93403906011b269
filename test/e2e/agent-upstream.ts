/**
 * A model that drives a coding agent through one tool round, for the agent end-to-end tests:
 * one node:http server on 127.0.0.1 speaking OpenAI chat completions and Anthropic messages,
 * streamed as the agents ask. Its first answer calls the agent's own `Write` tool to create the
 * file named by `target`; once the request carries that tool's result, it answers with text.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AgentUpstream {
  url: string;
  /** The paths of the requests it answered, in order. */
  paths: string[];
  close(): Promise<void>;
}

export const AGENT_FINAL_TEXT = 'The file is written.';

type Json = Record<string, any>;

export async function startAgentUpstream(target: { file: string; content: string }): Promise<AgentUpstream> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const body = JSON.parse(text) as Json;
      const path = (req.url ?? '').split('?')[0]!;
      paths.push(path);
      const anthropic = path.endsWith('/messages');
      const history = JSON.stringify(body.messages ?? []);
      // A tool result in the history means the agent ran the tool: the turn ends with text.
      const toolDone = anthropic ? history.includes('"tool_result"') : history.includes('"role":"tool"');
      const hasWrite = (body.tools ?? []).some((t: Json) => (t.name ?? t.function?.name) === 'Write');
      const call = !toolDone && hasWrite ? { id: 'toolu_write_1', name: 'Write', input: { file_path: target.file, content: target.content } } : undefined;
      const answer = anthropic ? anthropicAnswer(body, call) : chatAnswer(body, call);
      res.writeHead(200, { 'content-type': body.stream ? 'text/event-stream' : 'application/json' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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
