// The vertx-echo dashboard: a live view of the cluster through the event-bus bridge's raw WebSocket
// (/eventbus/websocket). No library and no build step: the bridge's frames are small JSON objects.
'use strict';

const HISTORY_MILLIS = 5 * 60 * 1000;
const RATE_WINDOW_MILLIS = 5000;
/** A node, or the whole feed, is stale when no summary came for this many of its intervals (and at least 2 s). */
const STALE_INTERVALS = 3;
const STALE_MIN_MILLIS = 2000;
const decoder = new TextDecoder();
/** One colour per meaning: the totals and the byte directions have their own, never a node's. */
const SERIES_COLORS = { total: '#111827', bytesIn: '#0d9488', bytesOut: '#c2410c' };
const NODE_COLORS = ['#2563eb', '#d97706', '#7c3aed', '#db2777', '#65a30d', '#0891b2', '#92400e', '#64748b'];

/** The bridge, spoken in its own frames: register, send with a reply address, ping; reconnects by itself. */
class Bus {
  constructor(url, handlers, onState) {
    this.url = url;
    this.handlers = handlers;
    this.onState = onState;
    this.replies = new Map();
    this.nextReply = 0;
    this.retryMillis = 500;
    this.connect();
  }

  connect() {
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.retryMillis = 500;
      Object.keys(this.handlers).forEach(address => this.frame({ type: 'register', address }));
      this.pinger = setInterval(() => this.frame({ type: 'ping' }), 5000);
      this.onState(true);
    };
    // The bridge sends its JSON in binary frames.
    ws.onmessage = event => this.receive(JSON.parse(typeof event.data === 'string' ? event.data : decoder.decode(event.data)));
    ws.onclose = () => {
      clearInterval(this.pinger);
      this.replies.clear();
      this.onState(false, this.retryMillis);
      setTimeout(() => this.connect(), this.retryMillis);
      this.retryMillis = Math.min(this.retryMillis * 2, 5000);
    };
  }

  receive(message) {
    if (message.type === 'rec') {
      const reply = this.replies.get(message.address);
      if (reply) {
        this.replies.delete(message.address);
        reply(message.body);
      } else if (this.handlers[message.address]) {
        this.handlers[message.address](message.body);
      }
    } else if (message.type === 'err') {
      console.warn('bridge error frame', message);
    }
  }

  request(address, body, onReply) {
    const replyAddress = 'dashboard-' + (this.nextReply++) + '-' + Math.random().toString(36).slice(2, 10);
    this.replies.set(replyAddress, onReply);
    this.frame({ type: 'send', address, body, replyAddress });
  }

  frame(json) {
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(json));
    }
  }
}

/** Every live node's latest summary, with recent samples to derive rates from successive totals. */
const nodes = new Map();
const history = [];
const recentEvents = [];
const nodeColors = new Map();
/**
 * What the page knows of the feed: whether the bridge is open, whether a snapshot came on this connection (until
 * then there is nothing to show), when the last summary came, and whether a connection ever failed.
 */
const feed = { open: false, snapshot: false, everLive: false, lastUpdate: 0, retryMillis: 0, failed: false };

function nodeId(summary) {
  return summary.id || summary.node;
}

function colorOf(id) {
  if (!nodeColors.has(id)) {
    nodeColors.set(id, NODE_COLORS[nodeColors.size % NODE_COLORS.length]);
  }
  return nodeColors.get(id);
}

/** A node as the page names it everywhere: its echo address (its id when no summary of it came yet). */
function nodeName(id) {
  const entry = nodes.get(id);
  return entry && entry.summary.address ? entry.summary.address : 'node ' + shortId(id);
}

/** The node's name, with its id on hover. */
function nodeLabel(id) {
  return el('span', { class: 'node-name', title: 'node ' + id }, nodeName(id));
}

/** How long without a summary makes a node stale: a few of its own publishing intervals. */
function staleAfter(summary) {
  return Math.max(STALE_MIN_MILLIS, STALE_INTERVALS * (summary.intervalMillis || 1000));
}

function onSummary(summary) {
  const id = nodeId(summary);
  if (!id) {
    return;
  }
  if (summary.final) {
    nodes.delete(id);
    return;
  }
  const now = Date.now();
  feed.lastUpdate = now;
  const entry = nodes.get(id) || { samples: [] };
  entry.summary = summary;
  entry.seen = now;
  entry.samples.push({ t: now, accepted: summary.accepted, bytesIn: summary.bytesIn, bytesOut: summary.bytesOut });
  entry.samples = entry.samples.filter(sample => now - sample.t <= RATE_WINDOW_MILLIS * 2);
  nodes.set(id, entry);
}

function onConnectionEvent(event) {
  recentEvents.unshift(event);
  recentEvents.length = Math.min(recentEvents.length, 50);
  renderEvents();
}

/** Per second over the oldest sample of the window that is at least a second older than the newest. */
function rate(entry, field) {
  const newest = entry.samples[entry.samples.length - 1];
  const base = entry.samples.find(sample => newest.t - sample.t <= RATE_WINDOW_MILLIS && newest.t - sample.t >= 900);
  if (!base || typeof newest[field] !== 'number' || typeof base[field] !== 'number') {
    return entry.rates ? entry.rates[field] : undefined;
  }
  return Math.max(0, (newest[field] - base[field]) * 1000 / (newest.t - base.t));
}

/** The sum of a figure over the nodes that have it; undefined (shown as '–') when none has. */
function total(values) {
  const known = values.filter(value => typeof value === 'number');
  return known.length ? known.reduce((sum, value) => sum + value, 0) : undefined;
}

function tick() {
  const now = Date.now();
  for (const [id, entry] of nodes) {
    const validMillis = entry.summary.validMillis || 5000;
    if (now - entry.seen > validMillis + 1000) {
      nodes.delete(id);
    } else {
      entry.stale = now - entry.seen > staleAfter(entry.summary);
      entry.rates = { accepted: rate(entry, 'accepted'), bytesIn: rate(entry, 'bytesIn'), bytesOut: rate(entry, 'bytesOut') };
    }
  }
  renderState(now);
  if (!feed.snapshot && !feed.everLive) {
    return;  // nothing known yet: the page keeps its '–'
  }
  const entries = [...nodes.values()];
  const point = {
    t: now,
    total: {
      active: total(entries.map(entry => entry.summary.active)),
      accepted: total(entries.map(entry => entry.summary.accepted)),
      rate: total(entries.map(entry => entry.rates.accepted)),
      bytesIn: total(entries.map(entry => entry.rates.bytesIn)),
      bytesOut: total(entries.map(entry => entry.rates.bytesOut))
    },
    perNode: {}
  };
  for (const [id, entry] of nodes) {
    point.perNode[id] = { active: entry.summary.active, accepted: entry.rates.accepted };
  }
  history.push(point);
  while (history.length && now - history[0].t > HISTORY_MILLIS) {
    history.shift();
  }
  render(point);
}

/**
 * The badge: connecting until the first snapshot, live while summaries come, stale when none came for a few
 * intervals with the bridge still open (the node serving the page stopped, or its network did), disconnected when
 * the bridge dropped.
 */
function renderState(now) {
  const state = document.getElementById('bus-state');
  const retry = Math.ceil(feed.retryMillis / 1000);
  const quiet = now - feed.lastUpdate;
  const intervals = [...nodes.values()].map(entry => staleAfter(entry.summary));
  let kind;
  let text;
  if (!feed.open && feed.everLive) {
    [kind, text] = ['down', 'disconnected, reconnecting in ' + retry + ' s'];
  } else if (!feed.open || !feed.snapshot) {
    [kind, text] = ['connecting', feed.failed ? 'connecting… (no bridge yet, retrying in ' + retry + ' s)' : 'connecting…'];
  } else if (quiet > Math.min(...intervals, staleAfter({}))) {
    [kind, text] = ['stale', 'stale: no update for ' + Math.floor(quiet / 1000) + ' s'];
  } else {
    [kind, text] = ['up', 'live'];
  }
  state.className = 'state ' + kind;
  state.textContent = text;
  if (feed.lastUpdate) {
    document.getElementById('updated').textContent = 'updated ' + new Date(feed.lastUpdate).toLocaleTimeString('en-GB');
  }
}

function el(tag, attributes, ...children) {
  const element = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([name, value]) => element.setAttribute(name, value));
  children.flat().forEach(child => element.append(child instanceof Node ? child : String(child)));
  return element;
}

function number(value) {
  return typeof value === 'number' ? Math.round(value).toLocaleString('en') : '–';
}

function bytes(value) {
  if (typeof value !== 'number') {
    return '–';
  }
  const units = ['B', 'KB', 'MB', 'GB'];
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return (unit === 0 ? Math.round(value) : value.toFixed(1)) + ' ' + units[unit];
}

function shortId(id) {
  return String(id).slice(0, 8);
}

function render(point) {
  document.getElementById('total-nodes').textContent = number(nodes.size);
  document.getElementById('total-active').textContent = number(point.total.active);
  document.getElementById('total-accepted').textContent = number(point.total.accepted);
  document.getElementById('total-rate').textContent = number(point.total.rate);
  document.getElementById('total-in').textContent = bytes(point.total.bytesIn);
  document.getElementById('total-out').textContent = bytes(point.total.bytesOut);
  renderNodes();
  renderEvents();
  const ids = [...nodes.keys()];
  drawChart('chart-active', [{ color: SERIES_COLORS.total, width: 2, value: p => p.total.active }]
    .concat(ids.map(id => ({ color: colorOf(id), width: 1, value: p => p.perNode[id] && p.perNode[id].active }))));
  drawChart('chart-rate', [{ color: SERIES_COLORS.total, width: 2, value: p => p.total.rate }]
    .concat(ids.map(id => ({ color: colorOf(id), width: 1, value: p => p.perNode[id] && p.perNode[id].accepted }))));
  drawChart('chart-bytes', [
    { color: SERIES_COLORS.bytesIn, width: 2, value: p => p.total.bytesIn },
    { color: SERIES_COLORS.bytesOut, width: 2, value: p => p.total.bytesOut }]);
}

function renderNodes() {
  const cards = [...nodes.entries()]
    .sort(([, a], [, b]) => String(a.summary.address).localeCompare(String(b.summary.address)))
    .map(([id, entry]) => nodeCard(id, entry));
  document.getElementById('nodes').replaceChildren(...cards);
}

function nodeCard(id, entry) {
  const summary = entry.summary;
  const instances = summary.instances || [];
  const anyDraining = summary.draining || instances.some(instance => instance.draining);
  const closed = Object.entries(summary.closed || {});
  return el('article', { class: entry.stale ? 'node stale' : 'node', 'data-node-id': id },
    el('h3', {}, el('span', { class: 'swatch', style: 'background:' + colorOf(id) }), nodeLabel(id),
      anyDraining ? [' ', el('span', { class: 'draining' }, 'draining')] : [],
      entry.stale ? [' ', el('span', { class: 'stale-mark' }, 'stale: no summary for ' + Math.floor((Date.now() - entry.seen) / 1000) + ' s')] : []),
    el('dl', {},
      el('dt', {}, 'active'), el('dd', { class: 'node-active' }, number(summary.active)),
      el('dt', {}, 'accepted'), el('dd', {}, number(summary.accepted)),
      el('dt', {}, 'peak'), el('dd', {}, number(summary.peak)),
      el('dt', {}, 'conn/s'), el('dd', {}, number(entry.rates && entry.rates.accepted)),
      el('dt', {}, 'in/s'), el('dd', {}, bytes(entry.rates && entry.rates.bytesIn)),
      el('dt', {}, 'out/s'), el('dd', {}, bytes(entry.rates && entry.rates.bytesOut))),
    el('div', {}, el('span', { class: 'muted' }, 'closed: '),
      closed.length ? closed.map(([reason, count]) => el('span', { class: 'chip' }, reason + ' ' + number(count)))
        : el('span', { class: 'muted' }, 'none yet')),
    el('div', { class: 'verticles' }, el('span', { class: 'muted' }, 'verticles: '),
      (summary.verticles || []).length ? summary.verticles.map(verticle => el('span',
        { class: 'chip verticle ' + verticle.state, title: verticle.error || verticle.instances + ' instance(s)' },
        verticle.name + ' ' + verticle.state + (verticle.errors ? ' (' + verticle.errors + ' errors)' : '')))
        : el('span', { class: 'muted' }, 'none')),
    el('table', {},
      el('thead', {}, el('tr', {}, ['instance', 'event loop', 'active', 'accepted', ''].map(h => el('th', {}, h)))),
      el('tbody', {}, instances.map(instance => el('tr', {},
        el('td', {}, shortId(instance.id)), el('td', {}, instance.eventLoop || ''),
        el('td', {}, number(instance.active)), el('td', {}, number(instance.accepted)),
        el('td', {}, instance.draining ? el('span', { class: 'draining' }, 'draining') : ''))))));
}

function renderEvents() {
  document.getElementById('events').replaceChildren(...recentEvents.slice(0, 30).map(event => {
    const time = new Date(event.time || Date.now()).toLocaleTimeString('en-GB');
    const text = event.event === 'skipped'
      ? 'skipped over the bridge limit: ' + Object.entries(event.counts || {}).map(([kind, n]) => n + ' ' + kind).join(', ')
      : [event.event, event.remote || '', event.reason ? '(' + event.reason + ')' : '',
        typeof event.durationMillis === 'number' ? event.durationMillis + ' ms' : ''].join(' ');
    return el('li', {}, time + '  ', nodeLabel(event.node), '  ' + text);
  }));
}

const recentAlerts = [];

function onAlert(alert) {
  recentAlerts.unshift(alert);
  recentAlerts.length = Math.min(recentAlerts.length, 20);
  document.getElementById('alerts').replaceChildren(...recentAlerts.map(a => el('li', {},
    new Date(a.time || Date.now()).toLocaleTimeString('en-GB') + '  ' + a.client + ' connected ' + a.connects
    + ' times within ' + a.windowSeconds + ' s (more than ' + a.maxConnects + ')')));
}

function onTopTalkers(top) {
  const rows = (list, field, format) => list.length
    ? list.map(entry => el('tr', {}, el('td', {}, entry.client), el('td', {}, format(entry[field]))))
    : [el('tr', {}, el('td', { class: 'muted' }, 'none'), el('td', {}, ''))];
  document.getElementById('top-talkers').replaceChildren(
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'by bytes, last ' + top.windowSeconds + ' s'), el('th', {}, ''))),
      el('tbody', { class: 'by-bytes' }, rows(top.byBytes || [], 'bytes', bytes))),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'by connections'), el('th', {}, ''))),
      el('tbody', { class: 'by-connections' }, rows(top.byConnections || [], 'connections', number))));
}

/** A line per series over the last minutes, on a shared scale from zero. */
function drawChart(canvasId, series) {
  const canvas = document.getElementById(canvasId);
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== width * ratio) {
    canvas.width = width * ratio;
    canvas.height = height * ratio;
  }
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const now = Date.now();
  const max = Math.max(1, ...history.flatMap(p => series.map(s => s.value(p) || 0)));
  const x = t => 36 + (width - 40) * (1 - (now - t) / HISTORY_MILLIS);
  const y = v => height - 16 - (height - 26) * v / max;
  g.fillStyle = '#6b7280';
  g.font = '10px system-ui, sans-serif';
  g.fillText(max >= 1000 ? Math.round(max / 1000) + 'k' : String(Math.round(max)), 2, 12);
  g.fillText('0', 2, height - 16);
  g.fillText('-5 min', 36, height - 3);
  g.fillText('now', width - 24, height - 3);
  g.strokeStyle = '#e5e7eb';
  g.beginPath();
  g.moveTo(36, y(0));
  g.lineTo(width - 4, y(0));
  g.stroke();
  series.forEach(s => {
    g.strokeStyle = s.color;
    g.lineWidth = s.width;
    g.beginPath();
    let drawing = false;
    history.forEach(p => {
      const v = s.value(p);
      if (typeof v !== 'number') {
        drawing = false;
        return;
      }
      drawing ? g.lineTo(x(p.t), y(v)) : g.moveTo(x(p.t), y(v));
      drawing = true;
    });
    g.stroke();
  });
}

function onBusState(up, retryMillis) {
  feed.open = up;
  feed.snapshot = false;
  feed.retryMillis = retryMillis || 0;
  feed.failed = feed.failed || !up;
  if (up) {
    // The current picture at once: until it comes the page has nothing to show.
    bus.request('echo.stats', {}, snapshot => {
      (snapshot.cluster.nodes || []).forEach(onSummary);
      feed.snapshot = true;
      feed.everLive = true;
      tick();
    });
  }
  renderState(Date.now());
}

/** The legends take their colours from the one table of them. */
document.querySelectorAll('[data-series]').forEach(legend => { legend.style.color = SERIES_COLORS[legend.dataset.series]; });

const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
const bus = new Bus(scheme + '//' + location.host + '/eventbus/websocket',
  { 'echo.nodes': onSummary, 'echo.connections': onConnectionEvent, 'echo.alerts': onAlert, 'echo.toptalkers': onTopTalkers },
  onBusState);
setInterval(tick, 1000);
tick();
