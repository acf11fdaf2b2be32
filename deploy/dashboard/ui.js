// Small DOM and formatting helpers of the webhook page. Everything from the server goes into the
// page as text (textContent, attributes), never as HTML.

export function make(tag, className, text) {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (text !== undefined && text !== null) n.textContent = String(text);
  return n;
}

export function byId(id) { return document.getElementById(id); }

const pad = (n, w = 2) => String(n).padStart(w, '0');

// "2026-01-29 18:30:05" in the browser's time zone; '—' for null. The exact UTC time goes in the
// element's title (see timeCell).
export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function timeCell(tag, className, iso) {
  const n = make(tag, className, formatTime(iso));
  if (iso) n.title = String(iso);
  return n;
}

export function formatMs(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms} ms`;
}

// A delivery status as a coloured label: success, failed, pending.
export function statusBadge(status) {
  const b = make('span', 'badge', status);
  b.dataset.status = String(status);
  return b;
}

// Plain words for why a webhook is disabled (its disabledReason and failCount).
export function disabledReasonText(reason, failCount) {
  switch (reason) {
    case 'manual': return 'it was disabled by hand (on this page or through the API).';
    case 'consecutive_failures':
      return failCount > 0
        ? `it was disabled automatically after ${failCount} failed ${failCount === 1 ? 'delivery' : 'deliveries'} in a row.`
        : 'it was disabled automatically after too many failed deliveries in a row.';
    case 'continuous_failure':
      return 'it was disabled automatically: deliveries kept failing for too long without a success.';
    default: return reason ? `reason: ${reason}.` : 'no reason was given.';
  }
}

// A message line (#id) that says what happened: level ok | error | info.
export function say(node, level, text) {
  node.hidden = !text;
  node.dataset.level = level;
  node.textContent = text || '';
}

export function errorText(err) {
  return err && err.code ? `${err.code}: ${err.message}` : String(err && err.message ? err.message : err);
}
