// The detail view of one delivery attempt (GET …/webhook/deliveries/{id}) in a modal dialog: its
// fields, the request headers we sent rebuilt from the record (docs/WEBHOOKS.md, "What your server receives"; signatures
// are not stored), the payload, the receiver's response body, and "Retry now".
import { ApiError, WEBHOOK, call } from './api.js';
import { byId, errorText, formatMs, make, say, statusBadge, timeCell } from './ui.js';

const el = {};
for (const id of ['detail', 'detail-title', 'detail-close', 'detail-facts', 'detail-retry', 'detail-message',
  'detail-headers', 'detail-payload', 'detail-response']) {
  el[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = byId(id);
}

let current = null;    // { record, actions }
let generation = 0;

// The headers of 4.1 as this attempt sent them. Host: the URL's host and port as given;
// timestamps: the attempt's start in unix seconds; the body: the payload's exact bytes
// (JSON.stringify of the parsed payload reproduces them, 4.2).
export function requestHeaders(r) {
  const body = JSON.stringify(r.payload);
  const host = (() => {
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(r.webhookUrl || '');
    return m ? m[1] : '—';
  })();
  const started = r.attemptedAt ? String(Math.floor(Date.parse(r.attemptedAt) / 1000)) : 'set when sent';
  return [
    ['Host', host],
    ['User-Agent', 'sse-webhooks/1'],
    ['Content-Type', 'application/json'],
    ['Content-Length', String(new TextEncoder().encode(body).length)],
    ['X-SaaS-Event', r.notificationType],
    ['X-SaaS-Delivery-Id', r.deliveryId],
    ['X-SaaS-Timestamp', started],
    ['X-SaaS-Signature', 'sha256=… (not stored)'],
    ['webhook-id', r.notificationId],
    ['webhook-timestamp', started],
    ['webhook-signature', 'v1,… (not stored)'],
  ];
}

// Opens the dialog on record `id`; `actions.retry(id)` schedules a retry (delivery-log.js).
export async function openDetail(id, actions) {
  const gen = ++generation;
  current = null;
  el.detailTitle.textContent = 'Delivery attempt';
  el.detailFacts.replaceChildren(make('dd', 'muted', 'Loading…'));
  el.detailHeaders.replaceChildren();
  el.detailPayload.textContent = '';
  el.detailResponse.textContent = '';
  el.detailRetry.hidden = true;
  say(el.detailMessage, 'info', '');
  if (!el.detail.open) el.detail.showModal();
  try {
    const answer = await call('GET', `${WEBHOOK}/deliveries/${encodeURIComponent(id)}`);
    if (gen !== generation) return;
    current = { record: answer.data, actions };
    render(answer.data);
  } catch (err) {
    if (gen !== generation) return;
    if (err instanceof ApiError && err.status === 401) { el.detail.close(); actions.onAuthLost(err); return; }
    el.detailFacts.replaceChildren();
    say(el.detailMessage, 'error', `Could not load this record: ${errorText(err)}`);
  }
}

function render(r) {
  el.detail.dataset.status = r.status;
  el.detailTitle.textContent = `${r.notificationType} · attempt ${r.attemptNumber} of ${r.maxAttempts}`;
  const status = make('span');
  status.append(statusBadge(r.status));
  const facts = [
    ['Status', status],
    ['HTTP status', make('span', 'mono', r.httpStatusCode ?? '—')],
    ['Response time', make('span', 'mono', formatMs(r.responseTimeMs))],
    ['Error', make('span', r.errorMessage ? 'error-text' : 'muted', r.errorMessage || 'none')],
    ['Trigger', make('span', '', r.trigger)],
    ['Sent to', make('span', 'mono', r.webhookUrl)],
    ['Scheduled', timeCell('span', 'mono', r.scheduledAt)],
    ['Started', timeCell('span', 'mono', r.attemptedAt)],
    ['Record id', make('span', 'mono', r.id)],
    ['Delivery id', make('span', 'mono', r.deliveryId)],
    ['Event id', make('span', 'mono', r.notificationId)],
    ['Device', make('span', 'mono', r.deviceId ?? '—')],
    ['Scene', make('span', 'mono', r.sceneId ?? '—')],
  ];
  if (r.alertEventId !== null || r.severity !== null) {
    facts.push(['Alert event', make('span', 'mono', r.alertEventId ?? '—')], ['Severity', make('span', '', r.severity ?? '—')]);
  }
  el.detailFacts.replaceChildren(...facts.flatMap(([k, v]) => {
    const dd = make('dd');
    dd.append(v);
    return [make('dt', '', k), dd];
  }));

  el.detailHeaders.replaceChildren(...requestHeaders(r).map(([name, value]) => {
    const tr = make('tr');
    tr.dataset.header = name.toLowerCase();
    tr.append(make('th', 'mono', name), make('td', 'mono', value));
    return tr;
  }));
  el.detailPayload.textContent = JSON.stringify(r.payload, null, 2);
  el.detailResponse.textContent = r.responseBody === null ? '(no response)' : (r.responseBody === '' ? '(empty)' : r.responseBody);
  // A test is never retried; a pending attempt is still on its way.
  el.detailRetry.hidden = r.trigger === 'test' || r.status === 'pending';
  el.detailRetry.textContent = r.status === 'failed' ? 'Retry now' : 'Send again';
  el.detailRetry.disabled = false;
}

el.detailRetry.addEventListener('click', async () => {
  if (!current) return;
  const { record, actions } = current;
  el.detailRetry.disabled = true;
  try {
    const pending = await actions.retry(record.id);
    if (pending) say(el.detailMessage, 'ok', `Retry scheduled as attempt ${pending.attemptNumber} (record ${pending.id}).`);
  } catch (err) {
    say(el.detailMessage, 'error', `Retry refused: ${errorText(err)}`);
    el.detailRetry.disabled = false;
  }
});
el.detailClose.addEventListener('click', () => el.detail.close());
// A click on the backdrop (outside the dialog's box) closes it too.
el.detail.addEventListener('click', (e) => {
  if (e.target !== el.detail) return;
  const b = el.detail.getBoundingClientRect();
  if (e.clientX < b.left || e.clientX > b.right || e.clientY < b.top || e.clientY > b.bottom) el.detail.close();
});
el.detail.addEventListener('close', () => { generation++; current = null; });
