/**
 * The dashboard: one HTML page and one script, shipped as strings so they work from the package as installed
 * (no build step, nothing fetched from elsewhere). The script only ever writes text with textContent, never
 * HTML, so SIP addresses and reasons from the network cannot inject markup.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>session-core</title>
<link rel="icon" href="data:,">
<style>
body { font: 14px system-ui, sans-serif; margin: 1em 2em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #ddd; white-space: nowrap; }
tbody tr.call:hover { background: #eef; cursor: pointer; }
tr.selected { background: #dde; }
#totals span { margin-right: 2em; }
#status.down { color: #b00; }
.panes { display: flex; gap: 2em; flex-wrap: wrap; }
svg text { font: 12px monospace; }
</style>
</head>
<body>
<h1>session-core <small id="status">connecting…</small></h1>
<div id="totals"><span>active <b id="active">0</b></span><span>total <b id="total">0</b></span>
<span>failed <b id="failed">0</b></span><span>calls/s <b id="rate">0</b></span></div>
<h2>Calls</h2>
<table><thead><tr><th>from</th><th>to</th><th>state</th><th>duration</th><th>codec</th><th>MOS</th>
<th>loss %</th><th>jitter ms</th></tr></thead><tbody id="calls"></tbody></table>
<h2>Recently ended</h2>
<table><thead><tr><th>from</th><th>to</th><th>reason</th><th>duration</th></tr></thead>
<tbody id="ended"></tbody></table>
<div class="panes">
<div><h2>Ladder <small id="ladder-title"></small></h2><svg id="ladder" width="560" height="40"></svg></div>
<div><h2>Quality (MOS)</h2><svg id="quality" width="320" height="120"></svg></div>
</div>
<h2>Registrations</h2>
<table><thead><tr><th>address of record</th><th>contact</th><th>expires</th></tr></thead>
<tbody id="bindings"></tbody></table>
<script src="dashboard.js"></script>
</body>
</html>
`;

export const DASHBOARD_SCRIPT = String.raw`'use strict';
(function () {
  var token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  var calls = new Map();
  var quality = new Map();
  var selected = null;
  var lastTotal = null;
  var SVG = 'http://www.w3.org/2000/svg';

  function api(path) {
    var headers = token === '' ? {} : { Authorization: 'Bearer ' + token };
    return fetch(path, { headers: headers }).then(function (r) {
      if (!r.ok) throw new Error(path + ': ' + r.status);
      return r.json();
    });
  }
  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = text;
    row.appendChild(td);
    return td;
  }
  function seconds(ms) { return (Math.max(0, ms) / 1000).toFixed(0) + ' s'; }
  function fixed(value, digits) { return value === null || value === undefined ? '' : Number(value).toFixed(digits); }

  function upsert(info) {
    var call = calls.get(info.id);
    if (!call) {
      var row = document.createElement('tr');
      row.className = 'call';
      row.dataset.id = info.id;
      call = { info: info, row: row, cells: [] };
      for (var i = 0; i < 8; i++) call.cells.push(cell(row, ''));
      row.addEventListener('click', function () { select(info.id); });
      document.getElementById('calls').appendChild(row);
      calls.set(info.id, call);
    }
    call.info = Object.assign({}, call.info, info);
    draw(call);
    return call;
  }
  function draw(call) {
    var i = call.info;
    var m = i.media || {};
    var values = [i.from, i.to, i.state, seconds(Date.now() - i.startedAt), m.codec || '', fixed(m.mos, 2),
      fixed(m.lossPercent, 1), fixed(m.jitterMs, 1)];
    values.forEach(function (v, n) { call.cells[n].textContent = v; });
  }
  function refresh(id) {
    api('calls/' + encodeURIComponent(id)).then(function (info) { if (calls.has(id)) upsert(info); })
      .catch(function () { /* ended meanwhile */ });
  }
  function ended(event) {
    var call = calls.get(event.sessionId);
    calls.delete(event.sessionId);
    if (!call) return;
    call.row.remove();
    var row = document.createElement('tr');
    row.className = 'call';
    [call.info.from, call.info.to, event.reason, seconds(event.durationMs)].forEach(function (v) { cell(row, v); });
    row.addEventListener('click', function () { select(event.sessionId); });
    var list = document.getElementById('ended');
    list.insertBefore(row, list.firstChild);
    while (list.children.length > 20) list.lastChild.remove();
    if (selected === event.sessionId) select(event.sessionId);
  }

  function select(id) {
    selected = id;
    calls.forEach(function (c) { c.row.classList.toggle('selected', c.info.id === id); });
    document.getElementById('ladder-title').textContent = id;
    api('calls/' + encodeURIComponent(id) + '/trace').then(function (trace) { ladder(trace.messages); })
      .catch(function () { ladder([]); });
    chart();
  }
  function svgNode(parent, name, attributes, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (k) { node.setAttribute(k, attributes[k]); });
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  }
  function ladder(messages) {
    var svg = document.getElementById('ladder');
    svg.replaceChildren();
    var parties = [];
    messages.forEach(function (m) {
      var ends = m.direction === 'out' ? [m.local, m.remote] : [m.remote, m.local];
      ends.forEach(function (p) { if (parties.indexOf(p) < 0) parties.push(p); });
    });
    var x = function (p) { return 140 + parties.indexOf(p) * (360 / Math.max(1, parties.length - 1)); };
    var marker = svgNode(svgNode(svg, 'defs', {}), 'marker', {
      id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto',
    });
    svgNode(marker, 'path', { d: 'M0,0 L10,5 L0,10 z', fill: '#226' });
    var height = 50 + messages.length * 24;
    svg.setAttribute('height', String(height));
    parties.forEach(function (p) {
      svgNode(svg, 'text', { x: x(p), y: 14, 'text-anchor': 'middle' }, p);
      svgNode(svg, 'line', { x1: x(p), y1: 20, x2: x(p), y2: height, stroke: '#888' });
    });
    var t0 = messages.length > 0 ? messages[0].atMs : 0;
    messages.forEach(function (m, n) {
      var from = m.direction === 'out' ? m.local : m.remote;
      var to = m.direction === 'out' ? m.remote : m.local;
      var y = 40 + n * 24;
      var line = svgNode(svg, 'line', {
        x1: x(from), y1: y, x2: x(to), y2: y, stroke: '#226', 'stroke-width': 1.5, 'marker-end': 'url(#arrow)',
      });
      line.classList.add('message');
      // A request shows its method, a response its status line.
      var label = /^\d{3} /.test(m.summary) ? m.summary : m.summary.split(' ')[0];
      svgNode(svg, 'text', { x: (x(from) + x(to)) / 2, y: y - 4, 'text-anchor': 'middle', class: 'label' }, label);
      svgNode(svg, 'text', { x: 0, y: y + 4 }, '+' + Math.round(m.atMs - t0) + ' ms');
    });
  }
  function chart() {
    var svg = document.getElementById('quality');
    svg.replaceChildren();
    var samples = quality.get(selected) || [];
    svgNode(svg, 'text', { x: 2, y: 12 }, '4.5');
    svgNode(svg, 'text', { x: 2, y: 116 }, '1');
    if (samples.length === 0) return;
    var points = samples.map(function (s, n) {
      var px = 30 + n * (280 / Math.max(1, samples.length - 1));
      var py = 110 - ((s - 1) / 3.5) * 100;
      return px.toFixed(1) + ',' + py.toFixed(1);
    }).join(' ');
    svgNode(svg, 'polyline', { points: points, fill: 'none', stroke: '#2a2' });
  }

  function onEvent(message) {
    var e = message.event;
    if (e.type === 'SessionCreated') {
      var created = upsert({ id: e.sessionId, from: e.from, to: e.to, direction: e.direction, state: 'Initializing',
        startedAt: message.at });
      // How long the event took from the server's bus to this table.
      created.row.dataset.lagMs = String(Date.now() - message.at);
    } else if (e.type === 'StateChanged' && calls.has(e.sessionId)) {
      upsert({ id: e.sessionId, state: e.to });
    } else if (e.type === 'CallEstablished') {
      refresh(e.sessionId);
    } else if (e.type === 'MediaQuality') {
      var call = calls.get(e.sessionId);
      if (call) upsert({ id: e.sessionId, media: Object.assign({}, call.info.media,
        { mos: e.mos, lossPercent: e.lossPercent, jitterMs: e.jitterMs }) });
      if (e.mos !== undefined && e.mos !== null) {
        var series = quality.get(e.sessionId) || [];
        series.push(e.mos);
        if (series.length > 120) series.shift();
        quality.set(e.sessionId, series);
        if (selected === e.sessionId) chart();
      }
    } else if (e.type === 'CallEnded') {
      ended(e);
      totals();
    } else if (e.type.indexOf('Registration') === 0) {
      bindings();
    }
  }
  function bindings() {
    api('bindings').then(function (list) {
      var body = document.getElementById('bindings');
      body.replaceChildren();
      list.slice(0, 200).forEach(function (b) {
        var row = document.createElement('tr');
        [b.aor, b.contact, b.expiresInSec + ' s'].forEach(function (v) { cell(row, String(v)); });
        body.appendChild(row);
      });
    }).catch(function () { /* no registrar */ });
  }
  function totals() {
    api('stats').then(function (s) {
      document.getElementById('active').textContent = s.active;
      document.getElementById('total').textContent = s.total;
      document.getElementById('failed').textContent = s.failed;
      var now = Date.now();
      if (lastTotal !== null && now - lastTotal.at >= 1000) {
        var rate = (s.total - lastTotal.total) * 1000 / (now - lastTotal.at);
        document.getElementById('rate').textContent = rate.toFixed(1);
      }
      if (lastTotal === null || now - lastTotal.at >= 1000) lastTotal = { total: s.total, at: now };
    }).catch(function () { /* reported by the status line */ });
  }
  function connect() {
    var url = new URL('events', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.hash = '';
    if (token !== '') url.searchParams.set('access_token', token);
    var socket = new WebSocket(url);
    var status = document.getElementById('status');
    socket.onopen = function () {
      status.textContent = 'live';
      status.className = '';
      api('calls').then(function (list) { list.forEach(function (info) { upsert(info); refresh(info.id); }); });
    };
    socket.onmessage = function (m) {
      m.data.split('\n').forEach(function (line) { onEvent(JSON.parse(line)); });
    };
    socket.onclose = function () {
      status.textContent = 'disconnected, retrying';
      status.className = 'down';
      setTimeout(connect, 2000);
    };
  }
  setInterval(function () { calls.forEach(draw); }, 1000);
  setInterval(totals, 2000);
  setInterval(bindings, 10000);
  totals();
  bindings();
  connect();
}());
`;
