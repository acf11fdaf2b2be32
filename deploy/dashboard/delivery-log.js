// The delivery log of the webhook page: one page of records (GET …/webhook/deliveries, newest
// first) with the filters of docs/WEBHOOKS.md, "The delivery log", pagination, "Retry" on failed deliveries, and
// the detail view (delivery-detail.js) of a clicked record. It refreshes itself: every second
// while a record on screen is pending, else every 5 s, and only while the tab is visible; after
// each load it calls onRefreshed (the page then re-reads the webhook: it may have been disabled
// by failures meanwhile).
import { ApiError, WEBHOOK, call, query } from './api.js';
import { openDetail } from './delivery-detail.js';
import { byId, errorText, formatMs, make, say, statusBadge, timeCell } from './ui.js';

const LIMIT = 20;
const IDLE_REFRESH_MS = 5000;
const PENDING_REFRESH_MS = 1000;

export function createDeliveryLog({ onAuthLost, onRefreshed }) {
  const el = {};
  for (const id of ['log-rows', 'log-empty', 'log-message', 'log-refresh', 'log-auto', 'log-filters', 'f-status',
    'f-device', 'f-scene', 'f-start', 'f-end', 'page-prev', 'page-next', 'page-info']) {
    el[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = byId(id);
  }
  const s = {
    running: false,
    page: 1,
    filters: {},
    records: [],
    pagination: null,
    timer: null,
    generation: 0,    // bumps per request: an older answer arriving late is dropped
  };

  function filtersFromForm() {
    return {
      status: el.fStatus.value,
      deviceId: el.fDevice.value.trim(),
      sceneId: el.fScene.value.trim(),
      startDate: el.fStart.value,
      endDate: el.fEnd.value,
    };
  }

  async function refresh() {
    if (!s.running) return;
    clearTimeout(s.timer);
    const gen = ++s.generation;
    try {
      const answer = await call('GET', `${WEBHOOK}/deliveries${query({ page: s.page, limit: LIMIT, ...s.filters })}`);
      if (gen !== s.generation || !s.running) return;
      s.records = Array.isArray(answer.data) ? answer.data : [];
      s.pagination = answer.pagination || null;
      if (el.logMessage.dataset.level === 'error' && el.logMessage.dataset.kind === 'load') say(el.logMessage, 'info', '');
      render();
      if (onRefreshed) onRefreshed();
    } catch (err) {
      if (gen !== s.generation || !s.running) return;
      if (err instanceof ApiError && err.status === 401) return onAuthLost(err);
      say(el.logMessage, 'error', `Could not load the delivery log: ${errorText(err)}`);
      el.logMessage.dataset.kind = 'load';
    }
    schedule();
  }

  function schedule() {
    clearTimeout(s.timer);
    if (!s.running || !el.logAuto.checked) return;
    const pending = s.records.some((r) => r.status === 'pending');
    s.timer = setTimeout(() => { if (!document.hidden) refresh(); else schedule(); },
      pending ? PENDING_REFRESH_MS : IDLE_REFRESH_MS);
  }

  function render() {
    el.logRows.replaceChildren(...s.records.map(row));
    const p = s.pagination;
    const filtered = Object.values(s.filters).some(Boolean);
    el.logEmpty.hidden = s.records.length > 0;
    el.logEmpty.textContent = filtered ? 'No deliveries match these filters.'
      : (p && p.totalRecords > 0 ? 'Nothing on this page.' : 'No deliveries yet.');
    el.pageInfo.textContent = p && p.totalPages
      ? `Page ${p.currentPage} of ${p.totalPages} · ${p.totalRecords} ${p.totalRecords === 1 ? 'record' : 'records'}`
      : '';
    el.pagePrev.disabled = !p || p.previousPage === null;
    el.pageNext.disabled = !p || p.nextPage === null;
  }

  function row(r) {
    const tr = make('tr', 'record');
    tr.dataset.id = r.id;
    tr.dataset.status = r.status;
    tr.dataset.trigger = r.trigger;
    tr.dataset.type = r.notificationType;
    tr.tabIndex = 0;
    tr.title = 'Show the details';
    const sent = r.attemptedAt ? timeCell('td', 'mono', r.attemptedAt) : timeCell('td', 'mono muted', r.scheduledAt);
    if (!r.attemptedAt) sent.textContent = `due ${sent.textContent}`;
    const status = make('td', 'status');
    status.append(statusBadge(r.status));
    const error = make('td', 'error-cell', r.errorMessage || '');
    if (r.errorMessage) error.title = r.errorMessage;
    const actions = make('td', 'actions-cell');
    if (r.status === 'failed' && r.trigger !== 'test') {
      const retry = make('button', 'retry small', 'Retry');
      retry.type = 'button';
      retry.dataset.retry = r.id;
      actions.append(retry);
    }
    tr.append(sent, make('td', 'mono', r.notificationType), status,
      make('td', 'num mono http', r.httpStatusCode ?? '—'), make('td', 'num mono', formatMs(r.responseTimeMs)),
      make('td', 'mono', `${r.attemptNumber} of ${r.maxAttempts}`), make('td', 'trigger', r.trigger), error, actions);
    return tr;
  }

  async function retry(id, button) {
    if (button) button.disabled = true;
    try {
      const answer = await call('POST', `${WEBHOOK}/deliveries/${encodeURIComponent(id)}/retry`, {});
      say(el.logMessage, 'ok', `Retry scheduled: attempt ${answer.data.attemptNumber} is on its way.`);
      el.logMessage.dataset.kind = 'retry';
      await refresh();
      return answer.data;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) { onAuthLost(err); return null; }
      say(el.logMessage, 'error', `Retry refused: ${errorText(err)}`);
      el.logMessage.dataset.kind = 'retry';
      if (button) button.disabled = false;
      throw err;
    }
  }

  el.logRows.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-retry]');
    if (b) { retry(b.dataset.retry, b).catch(() => {}); return; }
    const tr = e.target.closest('tr.record');
    if (tr) openDetail(tr.dataset.id, { retry, onAuthLost });
  });
  el.logRows.addEventListener('keydown', (e) => {
    const tr = e.target.closest('tr.record');
    if (tr && e.target === tr && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      openDetail(tr.dataset.id, { retry, onAuthLost });
    }
  });
  el.logFilters.addEventListener('submit', (e) => {
    e.preventDefault();
    s.filters = filtersFromForm();
    s.page = 1;
    refresh();
  });
  el.logFilters.addEventListener('reset', () => {
    s.filters = {};
    s.page = 1;
    setTimeout(refresh);   // after the form has cleared its inputs
  });
  el.logRefresh.addEventListener('click', () => refresh());
  el.logAuto.addEventListener('change', () => (el.logAuto.checked ? refresh() : clearTimeout(s.timer)));
  el.pagePrev.addEventListener('click', () => { if (s.pagination && s.pagination.previousPage) { s.page = s.pagination.previousPage; refresh(); } });
  el.pageNext.addEventListener('click', () => { if (s.pagination && s.pagination.nextPage) { s.page = s.pagination.nextPage; refresh(); } });
  document.addEventListener('visibilitychange', () => { if (!document.hidden && s.running) refresh(); });

  return {
    start() { s.running = true; s.page = 1; refresh(); },
    stop() {
      s.running = false;
      s.generation++;
      clearTimeout(s.timer);
      s.records = [];
      s.pagination = null;
      el.logRows.replaceChildren();
      say(el.logMessage, 'info', '');
    },
    refresh,
    clearMessage() { say(el.logMessage, 'info', ''); },
  };
}
