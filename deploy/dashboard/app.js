// Live dashboard for sse-gateway: one EventSource on the gateway's stream (one device, or all
// devices of the key's user), cards with each device's latest queue count, waiting time and
// detections, and a hand-drawn chart of the queue over the last results.
//
// Plain script, no build step, no third-party code, no request to any other origin (the page's
// Content-Security-Policy allows only 'self'). Server data is only ever put in the page as text
// (textContent), never as HTML.
'use strict';

(() => {
  const KEY_STORAGE = 'ssegw.apiKey';         // sessionStorage: this tab only, gone when it closes
  const SELECTION_STORAGE = 'ssegw.selection';
  const DEVICES_STORAGE = 'ssegw.devicesSeen';
  const HISTORY = 60;            // results per device kept for the chart
  const RECENT_ROWS = 8;         // rows in "Recent results"
  const SEEN_IDS_MAX = 10000;    // de-dup window (ids), far beyond any resume replay
  const RECEIVED_MAX = 50000;    // arrival log exposed to tests; bounded for long-open tabs
  const STALE_MS = 15000;        // a card with no result for this long is marked stale

  // ---- State ------------------------------------------------------------------------------------

  const conn = {
    source: null,          // the EventSource
    selection: null,       // {kind: 'all'} | {kind: 'device', deviceId}
    state: 'closed',       // connecting | open | reconnecting | closed
    lastEventId: null,     // id of the newest analysis_result taken
    reconnects: 0,         // connection losses after which we (or EventSource) tried again
    opened: false,         // this stream has been open at least once
    received: [],          // every analysis_result id in arrival order, duplicates included
    seen: new Set(),       // ids taken (de-dup): each reconnect resumes with ?lastEventId=
    seenOrder: [],
    duplicates: 0,
    retryTimer: null,      // our reconnect with a new ticket (see onError)
    retryDelay: 0,
    generation: 0,         // bumps on every new stream: late callbacks of an old one are ignored
  };
  const devices = new Map();   // deviceId -> {latest, history: [queue|null], lastAt, el}
  const recent = [];           // newest first: {at, id, result}
  let devicesSeen = loadJson(DEVICES_STORAGE, []);

  // Read-only view for tests and the console. Getters return copies, the object is frozen.
  Object.defineProperty(window, '__dashboard', {
    value: Object.freeze({
      get state() { return conn.state; },
      get lastEventId() { return conn.lastEventId; },
      get reconnects() { return conn.reconnects; },
      get received() { return conn.received.slice(); },
      get duplicates() { return conn.duplicates; },
      get devices() { return [...devices.keys()]; },
    }),
    enumerable: false,
  });

  // ---- The stream URL ---------------------------------------------------------------------------

  const STREAM_TICKETS = '/api/v1/stream-tickets';

  // The one place that builds a stream URL. EventSource cannot send an Authorization header, and
  // the long-lived key must never travel in a URL: so the key buys a single-use ticket first
  // (POST /api/v1/stream-tickets, key in the Authorization header, valid 60 s), and the URL
  // carries only `?ticket=…`. A ticket opens one stream once: every (re)connect needs a new one,
  // so we reconnect ourselves (see onError) instead of letting EventSource reuse the URL.
  //
  // `lastEventId` resumes the new stream where the last one stopped (EventSource would send the
  // Last-Event-ID header itself, but only on its own reconnects, with the old URL).
  function streamUrl(selection, ticket, lastEventId) {
    const path = selection.kind === 'all'
      ? '/api/v1/devices/analysis/stream/all'
      : `/api/v1/devices/${encodeURIComponent(selection.deviceId)}/analysis/stream`;
    const params = new URLSearchParams({ ticket });
    if (lastEventId) params.set('lastEventId', lastEventId);
    return `${path}?${params}`;
  }

  // What the page shows of the URL: never a ticket.
  function displayPath(selection) {
    return streamUrl(selection, 'x').replace(/\?.*$/, '');
  }

  // A refusal of ours or the gateway's, with the HTTP status (0: no answer at all).
  class StreamError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function errorOf(res) {
    try {
      const body = await res.json();
      return new StreamError(res.status, body.error.code, body.error.message);
    } catch {
      return new StreamError(res.status, `HTTP_${res.status}`, res.statusText || 'unexpected response');
    }
  }

  // Trades the key for a ticket; a device selection gets a ticket for that device only.
  async function fetchTicket(selection, key) {
    const init = {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
    };
    if (selection.kind === 'device') {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify({ deviceId: selection.deviceId });
    }
    let res;
    try {
      res = await fetch(STREAM_TICKETS, init);
    } catch {
      throw new StreamError(0, 'NETWORK_ERROR', 'the gateway could not be reached');
    }
    if (res.status !== 201) throw await errorOf(res);
    try {
      const body = await res.json();
      if (typeof body.ticket === 'string' && body.ticket) return body.ticket;
    } catch { /* fall through */ }
    throw new StreamError(res.status, 'BAD_TICKET', 'the gateway answered without a ticket');
  }

  // ---- Connecting -------------------------------------------------------------------------------

  function apiKey() { return sessionStorage.getItem(KEY_STORAGE); }

  function sameSelection(a, b) {
    return !!a && !!b && a.kind === b.kind && (a.kind === 'all' || a.deviceId === b.deviceId);
  }

  // A new selection is a new stream: ids of another stream's log mean nothing to it, so the
  // resume position, de-dup set and counters start over.
  function select(selection) {
    if (sameSelection(selection, conn.selection) && conn.state !== 'closed') return;
    sessionStorage.setItem(SELECTION_STORAGE, JSON.stringify(selection));
    conn.selection = selection;
    conn.lastEventId = null;
    conn.reconnects = 0;
    conn.opened = false;
    conn.received = [];
    conn.seen = new Set();
    conn.seenOrder = [];
    conn.duplicates = 0;
    conn.retryDelay = 0;
    devices.clear();
    recent.length = 0;
    el.cards.textContent = '';
    hideNotice();
    connect(null);
    render();
  }

  async function connect(resumeFrom) {
    closeSource();
    const key = apiKey();
    if (!key || !conn.selection) return;
    const gen = ++conn.generation;
    setState(conn.opened ? 'reconnecting' : 'connecting');
    let ticket;
    try {
      ticket = await fetchTicket(conn.selection, key);
    } catch (err) {
      if (gen === conn.generation) refused(gen, err);
      return;
    }
    if (gen !== conn.generation) return;      // the user moved on meanwhile
    const es = new EventSource(streamUrl(conn.selection, ticket, resumeFrom));
    conn.source = es;
    const stream = { opened: false, serverError: false };

    const mine = (fn) => (e) => { if (gen === conn.generation) fn(e, es, stream); };
    es.addEventListener('open', mine(onOpen));
    es.addEventListener('analysis_result', mine(onResult));
    es.addEventListener('reset', mine(onReset));
    // One listener for both kinds of 'error': the server's named `event: error` (a MessageEvent
    // with data: a transient refusal, 429/503, with the back-off in its retry:) and
    // EventSource's own connection error (a plain Event).
    es.addEventListener('error', mine(onError));
  }

  function closeSource() {
    conn.generation++;
    clearTimeout(conn.retryTimer);
    conn.retryTimer = null;
    if (conn.source) conn.source.close();
    conn.source = null;
  }

  function onOpen(e, es, stream) {
    stream.opened = true;
    conn.opened = true;
    setState('open');
    markNoticeResolved();
  }

  function onError(e, es, stream) {
    if (typeof e.data === 'string') {          // the gateway's `event: error`
      let code = 'ERROR', message = e.data;
      try {
        const body = JSON.parse(e.data);
        code = body.error.code;
        message = body.error.message;
      } catch { /* show the raw data */ }
      stream.serverError = true;
      showNotice('error', code, message);
      return;
    }
    // The connection is gone. EventSource would come back with the same URL, whose ticket is
    // spent: close it and reconnect ourselves with a new ticket, resuming with ?lastEventId=.
    es.close();
    const gen = conn.generation;
    if (stream.opened && !stream.serverError) {
      // Lost (instance drained or stopped, network, idle timeout) after streaming: come back
      // soon, with jitter so a drained instance's clients do not all arrive at once.
      conn.retryDelay = 0;
      conn.reconnects++;
      setState('reconnecting');
      render();
      conn.retryTimer = setTimeout(() => {
        if (gen === conn.generation) connect(conn.lastEventId);
      }, 500 + Math.random() * 1500);
      return;
    }
    if (stream.serverError) {
      // A transient refusal (429, 503) said why: back off, then try again.
      backOff(gen);
      return;
    }
    // EventSource gave up without ever opening, which it does on any status but 200 or a wrong
    // Content-Type, and it never tells why. Ask with fetch to find out.
    diagnose(gen);
  }

  // EventSource hides the status of a failed request; fetch shows it. Accept: application/json
  // so the gateway answers 429/503 with their real status instead of the browser-friendly 200.
  // The failed request spent its ticket: this one takes another.
  async function diagnose(gen) {
    setState('reconnecting');
    const key = apiKey();
    const abort = new AbortController();
    let err = new StreamError(0, 'NETWORK_ERROR', 'the stream could not be reached');
    try {
      const ticket = await fetchTicket(conn.selection, key);
      if (gen !== conn.generation) return;
      const res = await fetch(streamUrl(conn.selection, ticket), {
        headers: { Accept: 'application/json' }, cache: 'no-store', signal: abort.signal,
      });
      if (res.ok) {
        err = new StreamError(res.status, 'STREAM_FAILED',
          `the stream answered ${res.headers.get('content-type') || 'without a content type'}`);
      } else {
        err = await errorOf(res);
      }
    } catch (e) {
      if (e instanceof StreamError) err = e;   // the ticket request's own refusal
    }
    abort.abort();                            // a 200 would otherwise stay open as a second stream
    if (gen !== conn.generation) return;      // the user moved on meanwhile
    refused(gen, err);
  }

  // 400/401/403/404 will not heal by retrying: stop and say why. Anything else (5xx, 429, no
  // answer at all) is transient: retry with capped, jittered back-off, resuming where we were.
  function refused(gen, err) {
    const status = err.status;
    const permanent = status >= 400 && status < 500 && status !== 429 && status !== 408;
    showNotice(permanent ? 'error' : 'warn', err.code, err.message);
    if (permanent) {
      setState('closed');
      return;
    }
    backOff(gen);
  }

  function backOff(gen) {
    setState('reconnecting');
    conn.retryDelay = Math.min(30000, conn.retryDelay ? conn.retryDelay * 2 : 3000);
    const delay = conn.retryDelay * (1 + Math.random() * 0.5);
    conn.reconnects++;
    render();
    conn.retryTimer = setTimeout(() => {
      if (gen === conn.generation) connect(conn.lastEventId);
    }, delay);
  }

  function onReset(e) {
    // The gateway could not resume from our Last-Event-ID (trimmed, deleted or unknown). It now
    // sends every entry it still holds; some results between what we had and those are gone.
    let reason = 'unknown';
    try { reason = JSON.parse(e.data).reason; } catch { /* keep 'unknown' */ }
    showNotice('warn', 'RESET',
      reason === 'history_truncated'
        ? 'history truncated: some results were missed while disconnected; re-syncing from the oldest kept'
        : `resume position not known to the server (${reason}); re-syncing`);
    for (const d of devices.values()) d.history.push(null);   // a visible break in every chart
  }

  function onResult(e) {
    const id = e.lastEventId;
    if (conn.received.length >= RECEIVED_MAX) conn.received.splice(0, RECEIVED_MAX / 2);
    conn.received.push(id);
    if (id) {
      if (conn.seen.has(id)) { conn.duplicates++; return; }
      conn.seen.add(id);
      conn.seenOrder.push(id);
      if (conn.seenOrder.length > SEEN_IDS_MAX) conn.seen.delete(conn.seenOrder.shift());
      conn.lastEventId = id;
    }
    let result;
    try { result = JSON.parse(e.data); } catch { return; }
    if (!result || typeof result !== 'object') return;
    const deviceId = String(result.deviceId ?? (conn.selection.deviceId || 'unknown'));

    let d = devices.get(deviceId);
    if (!d) {
      d = { history: [], latest: null, lastAt: 0, el: null };
      devices.set(deviceId, d);
      rememberDevice(deviceId);
    }
    d.latest = result;
    d.lastAt = Date.now();
    d.history.push(queueOf(result));
    if (d.history.length > HISTORY) d.history.splice(0, d.history.length - HISTORY);

    recent.unshift({ at: d.lastAt, id, deviceId, result });
    if (recent.length > RECENT_ROWS) recent.length = RECENT_ROWS;
    scheduleRender();
  }

  // ---- Reading a result -------------------------------------------------------------------------

  // The demo publisher (and our producers) send metrics.queueLength / metrics.avgWaitSeconds.
  // A producer without them still has detections: the people in view are the queue.
  function queueOf(r) {
    const q = r.metrics && Number(r.metrics.queueLength);
    if (Number.isFinite(q)) return q;
    return detectionsOf(r).filter((x) => x.type === 'person').length;
  }
  function waitOf(r) {
    const w = r.metrics && Number(r.metrics.avgWaitSeconds);
    return Number.isFinite(w) ? w : null;
  }
  function detectionsOf(r) { return Array.isArray(r.detections) ? r.detections : []; }

  function formatWait(s) {
    if (s === null || s === undefined) return '—';
    const m = Math.floor(s / 60);
    const sec = Math.round(s % 60);
    return m ? `${m}m ${String(sec).padStart(2, '0')}s` : `${sec}s`;
  }
  function formatClock(ms) {
    return new Date(ms).toLocaleTimeString([], { hour12: false });
  }
  function detectionSummary(r) {
    const counts = new Map();
    for (const det of detectionsOf(r)) {
      const name = det.type === 'object' && det.attributes && det.attributes.label
        ? String(det.attributes.label) : String(det.type ?? 'unknown');
      counts.set(name, (counts.get(name) || 0) + 1);
    }
    if (!counts.size) return 'nothing detected';
    return [...counts].map(([k, n]) => (k === 'person' ? `${n} ${n === 1 ? 'person' : 'people'}` : `${n} ${k}`))
      .join(' · ');
  }
  function averageConfidence(r) {
    const c = detectionsOf(r).map((d) => Number(d.confidence)).filter(Number.isFinite);
    return c.length ? c.reduce((a, b) => a + b, 0) / c.length : null;
  }

  // ---- Rendering --------------------------------------------------------------------------------

  const el = {};
  for (const id of ['sign-in-panel', 'sign-in', 'key', 'dashboard', 'sign-out', 'state', 'state-text',
    'pick-all', 'pick-device-form', 'device-input', 'device-list', 'quick-picks', 'stream-path',
    'last-id', 'events-count', 'reconnects', 'total-queue', 'max-wait', 'notice', 'notice-title',
    'notice-text', 'notice-time', 'cards', 'empty', 'recent-rows']) {
    el[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = document.getElementById(id);
  }

  function setState(s) {
    conn.state = s;
    el.state.dataset.state = s;
    el.stateText.textContent = s;
  }

  let renderPending = false;
  // Many results a second: draw at most once a frame. A hidden tab gets no animation frames,
  // so it falls back to a timer (the model is up to date either way).
  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    const run = () => { renderPending = false; render(); };
    if (document.hidden) setTimeout(run, 250); else requestAnimationFrame(run);
  }

  function render() {
    const sel = conn.selection;
    el.streamPath.textContent = sel ? displayPath(sel) : '—';
    el.streamPath.title = sel ? displayPath(sel) : '';
    el.lastId.textContent = conn.lastEventId || '—';
    el.eventsCount.textContent = String(conn.received.length - conn.duplicates);
    el.reconnects.textContent = String(conn.reconnects);
    el.pickAll.classList.toggle('active', !!sel && sel.kind === 'all');
    el.pickDeviceForm.classList.toggle('active', !!sel && sel.kind === 'device');

    let total = 0, maxWait = null, maxWaitDevice = '';
    for (const [id, d] of devices) {
      if (!d.latest) continue;
      total += queueOf(d.latest);
      const w = waitOf(d.latest);
      if (w !== null && (maxWait === null || w > maxWait)) { maxWait = w; maxWaitDevice = id; }
    }
    el.totalQueue.textContent = devices.size ? `${total} ${total === 1 ? 'person' : 'people'}` : '—';
    el.maxWait.textContent = maxWait === null ? '—' : `${formatWait(maxWait)}`;
    el.maxWait.title = maxWaitDevice;
    el.empty.hidden = devices.size > 0;

    const ordered = [...devices.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    ordered.forEach((id, i) => {
      const d = devices.get(id);
      if (!d.el) d.el = createCard(id);
      if (el.cards.children[i] !== d.el) el.cards.insertBefore(d.el, el.cards.children[i] || null);
      updateCard(id, d);
    });

    renderRecent();
  }

  function make(tag, className, text) {
    const n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function createCard(id) {
    const card = make('article', 'card');
    card.dataset.device = id;
    const head = make('header', 'card-head');
    const name = make('h3', 'device-name', id);
    name.title = id;
    const age = make('span', 'age muted');
    head.append(name, age);

    const metrics = make('div', 'metrics');
    const queue = make('div', 'metric');
    queue.append(make('span', 'label', 'In queue'), make('span', 'big queue-value'), make('span', 'unit', 'people'));
    const wait = make('div', 'metric');
    wait.append(make('span', 'label', 'Waiting time'), make('span', 'big wait-value'), make('span', 'unit', 'average'));
    metrics.append(queue, wait);

    const chart = make('canvas', 'chart');
    chart.setAttribute('role', 'img');
    chart.setAttribute('aria-label', `Queue length of ${id} over the last ${HISTORY} results`);

    const foot = make('div', 'card-foot');
    const scene = make('canvas', 'scene');
    scene.setAttribute('role', 'img');
    scene.setAttribute('aria-label', `Latest detections of ${id}`);
    const det = make('div', 'detections');
    det.append(make('span', 'det-summary'), make('span', 'det-conf muted'), make('span', 'det-time muted mono'));
    foot.append(scene, det);

    card.append(head, metrics, chart, foot);
    if (conn.selection && conn.selection.kind === 'all') {
      card.classList.add('pickable');
      card.title = `Watch only ${id}`;
    }
    return card;
  }

  function updateCard(id, d) {
    const r = d.latest;
    const card = d.el;
    const q = queueOf(r);
    card.querySelector('.queue-value').textContent = String(q);
    card.querySelector('.queue-value').nextSibling.textContent = q === 1 ? 'person' : 'people';
    card.querySelector('.wait-value').textContent = formatWait(waitOf(r));
    card.querySelector('.det-summary').textContent = detectionSummary(r);
    const conf = averageConfidence(r);
    card.querySelector('.det-conf').textContent = conf === null ? '' : `avg confidence ${Math.round(conf * 100)}%`;
    const ts = Date.parse(r.timestamp);
    card.querySelector('.det-time').textContent = Number.isFinite(ts) ? `analysed ${formatClock(ts)}` : '';
    card.classList.toggle('busy', q >= 10);
    updateAge(d);
    drawChart(card.querySelector('.chart'), d.history);
    drawScene(card.querySelector('.scene'), detectionsOf(r));
  }

  function updateAge(d) {
    const s = Math.max(0, Math.round((Date.now() - d.lastAt) / 1000));
    d.el.querySelector('.age').textContent = s < 2 ? 'just now' : `${s}s ago`;
    d.el.classList.toggle('stale', Date.now() - d.lastAt > STALE_MS);
  }

  function renderRecent() {
    const rows = recent.map(({ at, id, deviceId, result }) => {
      const tr = make('tr');
      // The analysis time, not the arrival time: after a reconnect the missed results arrive at once.
      const ts = Date.parse(result.timestamp);
      tr.append(make('td', 'mono', formatClock(Number.isFinite(ts) ? ts : at)), make('td', 'mono', id || '—'),
        make('td', '', deviceId),
        make('td', 'num', String(queueOf(result))), make('td', 'num', formatWait(waitOf(result))),
        make('td', 'muted', detectionSummary(result)));
      return tr;
    });
    el.recentRows.replaceChildren(...rows);
  }

  // Sizes a canvas's backing store to its CSS box times devicePixelRatio, for crisp lines.
  function fitCanvas(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return { ctx, w, h };
  }

  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

  // Queue length over the last HISTORY results: area + line, a few grid lines, the latest value
  // as a dot. null entries (after a reset) break the line.
  function drawChart(canvas, history) {
    const { ctx, w, h } = fitCanvas(canvas);
    if (!w || !h) return;
    const padL = 22, padR = 8, padT = 8, padB = 14;
    const values = history.filter((v) => v !== null);
    const top = Math.max(5, Math.ceil(Math.max(0, ...values) / 5) * 5);
    const x = (i) => padL + (w - padL - padR) * (HISTORY <= 1 ? 0 : i / (HISTORY - 1));
    const y = (v) => padT + (h - padT - padB) * (1 - v / top);
    const offset = HISTORY - history.length;   // newest point on the right edge

    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = css('--muted');
    ctx.strokeStyle = css('--grid');
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of [0, top / 2, top]) {
      ctx.beginPath();
      ctx.moveTo(padL, Math.round(y(v)) + 0.5);
      ctx.lineTo(w - padR, Math.round(y(v)) + 0.5);
      ctx.stroke();
      ctx.fillText(String(v), padL - 5, y(v));
    }
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(`last ${HISTORY} results`, padL, h - 2);

    // Runs of consecutive values, split at nulls.
    const runs = [];
    let run = [];
    history.forEach((v, i) => {
      if (v === null) { if (run.length) runs.push(run); run = []; } else run.push([x(i + offset), y(v)]);
    });
    if (run.length) runs.push(run);

    const accent = css('--accent');
    for (const pts of runs) {
      const grad = ctx.createLinearGradient(0, padT, 0, h - padB);
      grad.addColorStop(0, css('--accent-fill'));
      grad.addColorStop(1, 'rgba(0,0,0,0)');
      ctx.beginPath();
      ctx.moveTo(pts[0][0], y(0));
      for (const [px, py] of pts) ctx.lineTo(px, py);
      ctx.lineTo(pts[pts.length - 1][0], y(0));
      ctx.closePath();
      ctx.fillStyle = grad;
      ctx.fill();

      ctx.beginPath();
      pts.forEach(([px, py], i) => (i ? ctx.lineTo(px, py) : ctx.moveTo(px, py)));
      ctx.strokeStyle = accent;
      ctx.lineWidth = 2;
      ctx.lineJoin = 'round';
      ctx.stroke();
    }
    const last = history[history.length - 1];
    if (last !== null && last !== undefined) {
      ctx.beginPath();
      ctx.arc(x(HISTORY - 1), y(last), 3.5, 0, Math.PI * 2);
      ctx.fillStyle = accent;
      ctx.fill();
    }
  }

  // The latest frame's detections as boxes on a 1920×1080 frame (the demo's and a typical
  // camera's resolution; boxes outside it are clipped).
  function drawScene(canvas, detections) {
    const { ctx, w, h } = fitCanvas(canvas);
    if (!w || !h) return;
    const sx = w / 1920, sy = h / 1080;
    ctx.fillStyle = css('--scene');
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = css('--grid');
    ctx.beginPath();
    ctx.moveTo(0, Math.round(h * 0.62) + 0.5);   // a floor line, for a sense of the scene
    ctx.lineTo(w, Math.round(h * 0.62) + 0.5);
    ctx.stroke();
    for (const det of detections) {
      const b = det.boundingBox;
      if (!b) continue;
      const person = det.type === 'person';
      ctx.strokeStyle = person ? css('--accent') : css('--warn');
      ctx.globalAlpha = 0.35 + 0.65 * (Number(det.confidence) || 0);
      ctx.lineWidth = 1.5;
      ctx.strokeRect(b.x * sx, b.y * sy, b.width * sx, b.height * sy);
    }
    ctx.globalAlpha = 1;
  }

  function showNotice(level, title, text) {
    el.notice.hidden = false;
    el.notice.dataset.level = level;
    el.notice.classList.remove('resolved');
    el.noticeTitle.textContent = title;
    el.noticeText.textContent = text;
    el.noticeTime.textContent = `at ${formatClock(Date.now())}`;
  }
  function markNoticeResolved() {
    if (!el.notice.hidden) el.notice.classList.add('resolved');
  }
  function hideNotice() { el.notice.hidden = true; }

  // ---- Devices seen (quick picks) ----------------------------------------------------------------

  function rememberDevice(id) {
    if (devicesSeen.includes(id)) return;
    devicesSeen = [...devicesSeen, id].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).slice(0, 50);
    sessionStorage.setItem(DEVICES_STORAGE, JSON.stringify(devicesSeen));
    renderQuickPicks();
  }

  function renderQuickPicks() {
    el.deviceList.replaceChildren(...devicesSeen.map((id) => { const o = make('option'); o.value = id; return o; }));
    el.quickPicks.replaceChildren(...devicesSeen.map((id) => {
      const b = make('button', 'chip', id);
      b.type = 'button';
      b.dataset.device = id;
      return b;
    }));
    el.quickPicks.hidden = devicesSeen.length === 0;
  }

  function loadJson(key, fallback) {
    try { return JSON.parse(sessionStorage.getItem(key)) ?? fallback; } catch { return fallback; }
  }

  // ---- Wiring -------------------------------------------------------------------------------------

  function showDashboard(signedIn) {
    el.signInPanel.hidden = signedIn;
    el.dashboard.hidden = !signedIn;
    el.signOut.hidden = !signedIn;
  }

  el.signIn.addEventListener('submit', (e) => {
    e.preventDefault();                       // the key must never become part of a URL
    const key = el.key.value.trim();
    if (!key) return;
    sessionStorage.setItem(KEY_STORAGE, key);
    el.key.value = '';
    showDashboard(true);
    renderQuickPicks();
    select(loadJson(SELECTION_STORAGE, null) || { kind: 'all' });
  });

  el.signOut.addEventListener('click', () => {
    closeSource();
    sessionStorage.removeItem(KEY_STORAGE);
    sessionStorage.removeItem(DEVICES_STORAGE);   // the next key may belong to another user
    devicesSeen = [];
    renderQuickPicks();
    conn.selection = null;
    devices.clear();
    recent.length = 0;
    el.cards.textContent = '';
    hideNotice();
    setState('closed');
    render();
    showDashboard(false);
    el.key.focus();
  });

  el.pickAll.addEventListener('click', () => select({ kind: 'all' }));

  el.pickDeviceForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = el.deviceInput.value.trim();
    if (id) select({ kind: 'device', deviceId: id });
  });

  el.quickPicks.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-device]');
    if (!b) return;
    el.deviceInput.value = b.dataset.device;
    select({ kind: 'device', deviceId: b.dataset.device });
  });

  el.cards.addEventListener('click', (e) => {
    const card = e.target.closest('.card.pickable');
    if (!card) return;
    el.deviceInput.value = card.dataset.device;
    select({ kind: 'device', deviceId: card.dataset.device });
  });

  // "12s ago" labels and stale marks move even when no result arrives.
  setInterval(() => { for (const d of devices.values()) if (d.el) updateAge(d); }, 1000);
  // Canvases are sized from CSS: redraw them when the layout changes.
  window.addEventListener('resize', scheduleRender);

  // Back in a tab that was signed in: carry on where it was.
  if (apiKey()) {
    showDashboard(true);
    renderQuickPicks();
    select(loadJson(SELECTION_STORAGE, null) || { kind: 'all' });
  } else {
    showDashboard(false);
    renderQuickPicks();
  }
})();
