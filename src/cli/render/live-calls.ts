/**
 * `plano obs` output: the live view's calls in a terminal. Pure: calls and totals in, text out.
 * A line per call for pipes and logs; a screen (totals per model, then the newest calls that
 * fit) for a terminal, redrawn as calls arrive. Names and errors are client text: printed
 * through `printable`, so an escape sequence in a model name cannot reach the terminal.
 */
import type { CallRecord, ModelTotals } from '../../server/call-log.js';

export function formatCost(usd: number | null): string {
  if (usd === null) return 'unknown';
  if (usd === 0) return '$0';
  return usd < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(4)}`;
}

/** One call on one line: `12:00:01 gpt-4o → openai/gpt-4o [openai] 200 ttfb=12ms total=340ms tokens=19/10 cost=$0.00015`. */
export function callLine(call: CallRecord): string {
  const parts = [clock(call.time), `${printable(call.requested ?? '(default)')} → ${call.model === null ? '(not served)' : `${printable(call.model)} [${call.provider}]`}`];
  if (call.stream) parts.push('stream');
  parts.push(String(call.status));
  if (call.ttfbMs !== null) parts.push(`ttfb=${call.ttfbMs}ms`);
  parts.push(`total=${call.totalMs}ms`);
  if (call.inputTokens !== null || call.outputTokens !== null) parts.push(`tokens=${call.inputTokens ?? '?'}/${call.outputTokens ?? '?'}`);
  if (call.model !== null) parts.push(`cost=${formatCost(call.costUsd)}`);
  if (call.attempts > 1) parts.push(`attempts=${call.attempts}`);
  if (call.error !== null) parts.push(`error=${JSON.stringify(printable(call.error))}`);
  return parts.join(' ');
}

/** The full screen for a terminal `columns` × `rows`. */
export function dashboard(url: string, calls: readonly CallRecord[], totals: readonly ModelTotals[], columns: number, rows: number): string {
  const lines: string[] = [`plano obs · ${url} · ${calls.length} call${calls.length === 1 ? '' : 's'} kept · Ctrl+C quits`, ''];
  const byCalls = [...totals].sort((a, b) => b.calls - a.calls);
  lines.push(
    ...table(
      ['model', 'provider', 'calls', 'errors', 'in', 'out', 'cost', 'mean ms'],
      byCalls.map((t) => [
        printable(t.model),
        t.provider ?? '—',
        String(t.calls),
        String(t.errors),
        String(t.inputTokens),
        String(t.outputTokens),
        t.provider === null ? '—' : t.calls === t.unpricedCalls ? 'unknown' : formatCost(t.costUsd) + (t.unpricedCalls > 0 ? ` + ${t.unpricedCalls} unknown` : ''),
        (t.totalMs / Math.max(1, t.calls)).toFixed(1),
      ]),
      new Set([2, 3, 4, 5, 6, 7]),
    ),
  );
  lines.push('');
  const room = Math.max(1, rows - lines.length - 2);
  const newest = calls.slice(-room).reverse();
  lines.push(
    ...table(
      ['time', 'requested', 'model', 'status', 'ttfb', 'total', 'in', 'out', 'cost'],
      newest.map((c) => [
        clock(c.time),
        printable(c.requested ?? '(default)'),
        c.model === null ? '—' : printable(c.model),
        String(c.status),
        c.ttfbMs === null ? '—' : String(c.ttfbMs),
        String(c.totalMs),
        c.inputTokens === null ? '—' : String(c.inputTokens),
        c.outputTokens === null ? '—' : String(c.outputTokens),
        c.model === null ? '—' : formatCost(c.costUsd),
      ]),
      new Set([3, 4, 5, 6, 7, 8]),
    ),
  );
  if (calls.length === 0) lines.push('No model calls yet: send one to the gateway and it appears here.');
  return lines.map((line) => (line.length > columns ? line.slice(0, columns - 1) + '…' : line)).join('\n') + '\n';
}

function table(header: string[], body: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)];
}

function clock(time: number): string {
  return new Date(time).toTimeString().slice(0, 8);
}

/** Control characters (C0, DEL, C1) and bidi overrides as `?`: a name cannot move the cursor or colour the screen. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
}
