/**
 * The live view's page and its script (live-view.ts serves them). No build step and no
 * framework: one HTML document, one script that fills it from `/_plano/api/events`. Everything a
 * call carries (model names, errors, bodies) is text a client chose: it is put into the page with
 * `textContent`, never as HTML.
 */

export const LIVE_VIEW_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>plano · live calls</title>
<style>
  :root { color-scheme: light dark; --muted: #6b7280; --line: #e5e7eb; --ok: #16a34a; --warn: #d97706; --err: #dc2626; --accent: #2563eb; }
  @media (prefers-color-scheme: dark) { :root { --line: #374151; --muted: #9ca3af; } }
  body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 16px 24px; }
  header { display: flex; align-items: baseline; gap: 16px; }
  h1 { font-size: 18px; margin: 0; }
  h2 { font-size: 15px; margin: 20px 0 8px; }
  #status { color: var(--muted); }
  #status.live::before { content: "● "; color: var(--ok); }
  #status.down::before { content: "● "; color: var(--err); }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { font-weight: 600; color: var(--muted); }
  td.num, th.num { text-align: right; }
  tbody#calls tr { cursor: pointer; }
  tbody#calls tr:hover, tbody#calls tr.selected { background: color-mix(in srgb, var(--accent) 12%, transparent); }
  .status-ok { color: var(--ok); } .status-warn { color: var(--warn); } .status-err { color: var(--err); }
  .muted { color: var(--muted); }
  #timeline { width: 100%; height: 90px; border-bottom: 1px solid var(--line); }
  #detail { margin-top: 16px; border-top: 2px solid var(--line); padding-top: 8px; }
  #detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
  #detail dt { color: var(--muted); }
  #detail dd { margin: 0; word-break: break-all; }
  pre { background: color-mix(in srgb, var(--line) 40%, transparent); padding: 8px; overflow: auto; max-height: 320px; white-space: pre-wrap; word-break: break-all; }
  .empty { color: var(--muted); padding: 12px 8px; }
</style>
</head>
<body>
<header>
  <h1>plano · live calls</h1>
  <span id="status">connecting…</span>
  <span id="count" class="muted"></span>
</header>

<h2>Per model</h2>
<table>
  <thead><tr><th>model</th><th>provider</th><th class="num">calls</th><th class="num">errors</th><th class="num">input tokens</th><th class="num">output tokens</th><th class="num">cost</th><th class="num">mean total ms</th></tr></thead>
  <tbody id="totals"></tbody>
</table>

<h2>Latency, newest on the right <span class="muted">(bar: total time; darker: until the first byte)</span></h2>
<svg id="timeline" role="img" aria-label="latency of recent calls"></svg>

<h2>Calls <span class="muted">(newest first; click one for its details)</span></h2>
<table>
  <thead><tr><th>time</th><th>requested</th><th>model</th><th>provider</th><th class="num">status</th><th class="num">ttfb ms</th><th class="num">total ms</th><th class="num">in</th><th class="num">out</th><th class="num">cost</th><th class="num">attempts</th></tr></thead>
  <tbody id="calls"></tbody>
</table>
<div id="no-calls" class="empty">No model calls yet. Send one to this gateway and it appears here.</div>

<section id="detail" hidden></section>
<script src="/_plano/live-view.js"></script>
</body>
</html>
`;

export const LIVE_VIEW_SCRIPT = `'use strict';
(function () {
  var MAX_ROWS = 500;
  var calls = [];
  var totals = new Map();
  var selected = null;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function cost(usd) {
    if (usd === null || usd === undefined) return 'unknown';
    if (usd === 0) return '$0';
    return usd < 0.01 ? '$' + usd.toPrecision(2) : '$' + usd.toFixed(4);
  }
  function num(value) { return value === null || value === undefined ? '—' : String(value); }
  function statusClass(status) { return status >= 500 || status === 0 ? 'status-err' : status >= 400 ? 'status-warn' : 'status-ok'; }
  function time(ms) { return new Date(ms).toLocaleTimeString(); }

  function row(call) {
    var tr = el('tr');
    tr.dataset.id = String(call.id);
    tr.append(
      el('td', time(call.time)),
      el('td', call.requested === null ? '(default)' : call.requested),
      el('td', call.model === null ? '—' : call.model),
      el('td', call.provider === null ? '—' : call.provider),
      el('td', call.status, 'num ' + statusClass(call.status)),
      el('td', num(call.ttfbMs), 'num'),
      el('td', num(call.totalMs), 'num'),
      el('td', num(call.inputTokens), 'num'),
      el('td', num(call.outputTokens), 'num'),
      el('td', call.model === null ? '—' : cost(call.costUsd), 'num'),
      el('td', call.attempts, 'num')
    );
    tr.addEventListener('click', function () { show(call.id); });
    return tr;
  }

  function renderTotals() {
    var body = document.getElementById('totals');
    body.replaceChildren();
    Array.from(totals.values()).sort(function (a, b) { return b.calls - a.calls; }).forEach(function (t) {
      var priced = t.calls - t.unpricedCalls;
      // Calls no model served cost nothing; a served call without a price is unknown, never $0.
      var costText = t.provider === null ? '—' : priced === 0 ? 'unknown' : cost(t.costUsd) + (t.unpricedCalls > 0 ? ' + ' + t.unpricedCalls + ' unknown' : '');
      var tr = el('tr');
      tr.append(
        el('td', t.model), el('td', t.provider === null ? '—' : t.provider), el('td', t.calls, 'num'), el('td', t.errors, 'num'),
        el('td', t.inputTokens, 'num'), el('td', t.outputTokens, 'num'), el('td', costText, 'num'),
        el('td', t.calls === 0 ? '—' : (t.totalMs / t.calls).toFixed(1), 'num')
      );
      body.append(tr);
    });
  }

  function renderTimeline() {
    var svg = document.getElementById('timeline');
    var ns = 'http://www.w3.org/2000/svg';
    svg.replaceChildren();
    var recent = calls.slice(-120);
    if (recent.length === 0) return;
    var width = svg.clientWidth || 800, height = svg.clientHeight || 90;
    var longest = Math.max.apply(null, recent.map(function (c) { return c.totalMs; }).concat([1]));
    var step = width / 120;
    recent.forEach(function (c, i) {
      var x = width - (recent.length - i) * step;
      var h = Math.max(1, (c.totalMs / longest) * (height - 4));
      var bar = document.createElementNS(ns, 'rect');
      bar.setAttribute('x', String(x)); bar.setAttribute('y', String(height - h));
      bar.setAttribute('width', String(Math.max(1, step - 1))); bar.setAttribute('height', String(h));
      bar.style.fill = c.status >= 400 || c.status === 0 ? 'var(--err)' : 'var(--accent)';
      bar.style.fillOpacity = '0.45';
      var title = document.createElementNS(ns, 'title');
      title.textContent = (c.model || c.requested || '?') + ': ' + c.totalMs + ' ms (status ' + c.status + ')';
      bar.append(title);
      svg.append(bar);
      if (c.ttfbMs !== null) {
        var t = Math.max(1, (c.ttfbMs / longest) * (height - 4));
        var ttfb = document.createElementNS(ns, 'rect');
        ttfb.setAttribute('x', String(x)); ttfb.setAttribute('y', String(height - t));
        ttfb.setAttribute('width', String(Math.max(1, step - 1))); ttfb.setAttribute('height', String(t));
        ttfb.style.fill = 'var(--accent)';
        svg.append(ttfb);
      }
    });
  }

  function renderCount() {
    document.getElementById('count').textContent = calls.length + ' call' + (calls.length === 1 ? '' : 's') + ' kept';
    document.getElementById('no-calls').hidden = calls.length > 0;
  }

  function addCall(call) {
    calls.push(call);
    if (calls.length > MAX_ROWS) calls.splice(0, calls.length - MAX_ROWS);
    var body = document.getElementById('calls');
    body.prepend(row(call));
    while (body.children.length > MAX_ROWS) body.lastChild.remove();
  }

  function snapshot(data) {
    calls = [];
    document.getElementById('calls').replaceChildren();
    totals = new Map(data.totals.map(function (t) { return [t.model, t]; }));
    data.calls.forEach(addCall);
    renderTotals(); renderTimeline(); renderCount();
  }

  function message(title, captured) {
    var box = el('div');
    box.append(el('h3', title));
    if (!captured) { box.append(el('p', 'not recorded', 'muted')); return box; }
    var headers = Object.keys(captured.headers).map(function (k) { return k + ': ' + captured.headers[k]; }).join('\\n');
    var head = (captured.method ? captured.method + ' ' + captured.url + '\\n' : '') + (captured.status !== undefined ? 'HTTP ' + captured.status + '\\n' : '');
    box.append(el('pre', head + headers));
    var body = captured.body;
    var text = body.text;
    try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not one JSON document: shown as it is */ }
    box.append(el('pre', text + (body.truncated ? '\\n… (' + body.bytes + ' bytes in all; the first 64 KiB kept)' : '')));
    return box;
  }

  function show(id) {
    selected = id;
    document.querySelectorAll('tbody#calls tr').forEach(function (tr) { tr.classList.toggle('selected', tr.dataset.id === String(id)); });
    fetch('/_plano/api/calls/' + id).then(function (r) { return r.json(); }).then(function (data) {
      if (selected !== id) return;
      var detail = document.getElementById('detail');
      detail.replaceChildren();
      detail.hidden = false;
      if (!data.call) { detail.append(el('p', data.error ? data.error.message : 'not found', 'muted')); return; }
      var c = data.call;
      detail.append(el('h2', 'Call ' + c.id));
      var dl = el('dl');
      [['requested', c.requested === null ? '(default)' : c.requested], ['model', c.model], ['provider', c.provider], ['upstream model', c.upstreamModel],
       ['upstream URL', c.upstreamUrl], ['request', 'POST ' + c.path + (c.stream ? ', streamed' : '')], ['route', c.route], ['status', c.status],
       ['time to first byte', c.ttfbMs === null ? '—' : c.ttfbMs + ' ms'], ['total', c.totalMs + ' ms'], ['tokens', num(c.inputTokens) + ' in, ' + num(c.outputTokens) + ' out'],
       ['cost', cost(c.costUsd) + (c.costSource ? ' (' + c.costSource + ')' : '')], ['attempts', c.attempts], ['error', c.error]
      ].forEach(function (pair) {
        if (pair[1] === null || pair[1] === undefined) return;
        dl.append(el('dt', pair[0]), el('dd', pair[1]));
      });
      c.why.forEach(function (why) { dl.append(el('dt', 'why'), el('dd', why)); });
      detail.append(dl);
      if (!data.inspection) {
        detail.append(el('p', c.inspected ? 'Its bodies are no longer kept.' : 'Bodies are kept only when the gateway runs with plano up --inspect.', 'muted'));
        return;
      }
      detail.append(message('Client request', data.inspection.clientRequest), message('Upstream request (as sent, after translation)', data.inspection.upstreamRequest), message('Answer', data.inspection.answer));
    });
  }

  var status = document.getElementById('status');
  var source = new EventSource('/_plano/api/events');
  source.addEventListener('open', function () { status.textContent = 'live'; status.className = 'live'; });
  source.addEventListener('error', function () { status.textContent = 'disconnected, retrying…'; status.className = 'down'; });
  source.addEventListener('snapshot', function (e) { snapshot(JSON.parse(e.data)); });
  source.addEventListener('call', function (e) {
    var update = JSON.parse(e.data);
    addCall(update.call);
    totals.set(update.totals.model, update.totals);
    renderTotals(); renderTimeline(); renderCount();
  });
})();
`;
