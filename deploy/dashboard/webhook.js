// The webhook page: sign-in (the key is shared with the live view), the user's webhook settings
// (create with POST, change with PATCH, DELETE), enable/disable and the disabled reason, the test
// send and its result, and the signing secret (reveal, regenerate, the old secret's grace). The
// delivery log is delivery-log.js, its detail view delivery-detail.js.
//
// Plain ES modules, no build step, no third-party code, only this origin (the page's CSP allows
// only 'self'). Server data is only ever put in the page as text.
import { ApiError, EVENT_TYPES, WEBHOOK, apiKey, call, clearApiKey, setApiKey } from './api.js';
import { createDeliveryLog } from './delivery-log.js';
import { byId, disabledReasonText, errorText, formatMs, formatTime, make, say, statusBadge, timeCell } from './ui.js';

const el = {};
for (const id of ['sign-in-panel', 'sign-in', 'key', 'sign-in-message', 'sign-out', 'webhook-view', 'page-message',
  'disabled-banner', 'disabled-text', 'enable-again', 'wh-state', 'no-webhook', 'settings', 'wh-url', 'wh-name',
  'wh-timeout', 'wh-retries', 'event-types', 'events-all', 'events-none', 'wh-devices', 'wh-scenes', 'save',
  'toggle-enabled', 'delete-webhook', 'settings-message', 'wh-facts', 'send-test', 'test-result', 'test-status',
  'test-http', 'test-time', 'test-at', 'test-error', 'test-body-wrap', 'test-body', 'test-message', 'secret-values',
  'secret', 'standard-secret', 'secret-grace', 'reveal-secret', 'regenerate-secret', 'secret-message']) {
  el[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = byId(id);
}

const state = {
  webhook: null,        // the webhook object (docs/WEBHOOKS.md, "The webhook object"), null when there is none
  eventTypes: [],       // the catalogue, in its order
  secretShown: false,
  busy: false,          // a write is running: its buttons stay disabled
  version: 0,           // bumps with every write: an older read arriving later is dropped
};

const log = createDeliveryLog({ onAuthLost: signedOut, onRefreshed: refreshWebhookState });

// ---- Loading ------------------------------------------------------------------------------------

async function load() {
  say(el.pageMessage, 'info', '');
  try {
    const [types, webhook] = await Promise.all([call('GET', EVENT_TYPES), fetchWebhook()]);
    state.eventTypes = types.data.eventTypes;
    renderEventTypes();
    showWebhook(webhook);
    log.start();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signedOut(err);
    say(el.pageMessage, 'error', `Could not load the webhook: ${errorText(err)}`);
  }
}

// The webhook, or null when the user has none (404 NOT_FOUND).
async function fetchWebhook() {
  try {
    return (await call('GET', WEBHOOK)).data;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

// Re-reads the webhook's state (enabled, disabled reason, counters) without touching the form,
// which may hold the user's unsaved edits.
async function refreshWebhookState() {
  if (state.busy || !state.webhook) return;
  const version = state.version;
  let webhook;
  try { webhook = await fetchWebhook(); } catch { return; }   // the log says what is wrong
  if (version !== state.version || state.busy || !state.webhook) return;
  if (!webhook) return showWebhook(null);          // deleted elsewhere
  state.webhook = webhook;
  render();
}

// ---- Settings ---------------------------------------------------------------------------------

function renderEventTypes() {
  el.eventTypes.replaceChildren(...state.eventTypes.map((type) => {
    const label = make('label', 'check');
    const box = make('input');
    box.type = 'checkbox';
    box.name = 'subscribedTypes';
    box.value = type;
    box.checked = true;
    label.append(box, make('span', 'mono', type));
    return label;
  }));
}

function typeBoxes() { return [...el.eventTypes.querySelectorAll('input[type="checkbox"]')]; }

// Puts the webhook (or the defaults of a new one) into the form and the rest of the page.
function showWebhook(webhook) {
  state.webhook = webhook;
  const w = webhook || { url: '', name: null, timeoutMs: 5000, maxRetries: 3, subscribedTypes: state.eventTypes, filter: {} };
  el.whUrl.value = w.url;
  el.whName.value = w.name ?? '';
  el.whTimeout.value = String(w.timeoutMs);
  el.whRetries.value = String(w.maxRetries);
  const subscribed = new Set(w.subscribedTypes);
  for (const box of typeBoxes()) box.checked = subscribed.has(box.value);
  el.whDevices.value = (w.filter.deviceIds || []).join(', ');
  el.whScenes.value = (w.filter.sceneIds || []).join(', ');
  clearFieldErrors();
  render();
}

function render() {
  const w = state.webhook;
  const exists = !!w;
  el.noWebhook.hidden = exists;
  el.save.textContent = exists ? 'Save changes' : 'Create webhook';
  el.toggleEnabled.hidden = !exists;
  el.deleteWebhook.hidden = !exists;
  el.whState.hidden = !exists;
  for (const b of [el.save, el.toggleEnabled, el.deleteWebhook, el.enableAgain]) b.disabled = state.busy;
  el.sendTest.disabled = !exists || state.busy;
  el.revealSecret.disabled = !exists;
  el.regenerateSecret.disabled = !exists || state.busy;

  if (exists) {
    el.whState.textContent = w.enabled ? 'Enabled' : 'Disabled';
    el.whState.dataset.status = w.enabled ? 'success' : 'failed';
    el.toggleEnabled.textContent = w.enabled ? 'Disable' : 'Enable';
  }

  // A disabled webhook says why and since when, with a way back.
  el.disabledBanner.hidden = !exists || w.enabled;
  if (exists && !w.enabled) {
    el.disabledText.textContent = `Since ${formatTime(w.disabledAt)}: ${disabledReasonText(w.disabledReason, w.failCount)}`;
  }

  el.whFacts.hidden = !exists;
  if (exists) {
    const facts = [
      ['Webhook id', make('span', 'mono', w.id)],
      ['Created', timeCell('span', '', w.createdAt)],
      ['Last changed', timeCell('span', '', w.updatedAt)],
      ['Last event sent', timeCell('span', '', w.lastTriggered)],
      ['Last successful delivery', timeCell('span', '', w.lastDeliveryAt)],
      ['Failed since last success', make('span', w.failCount ? 'warn-text' : '', String(w.failCount))],
    ];
    el.whFacts.replaceChildren(...facts.flatMap(([k, v]) => [make('dt', '', k), (() => { const d = make('dd'); d.append(v); return d; })()]));
  }
  renderGrace();
  if (!exists) hideSecret();
}

function ids(text) { return text.split(/[\s,]+/).filter(Boolean); }

// Whole numbers go as numbers; anything else as typed, so the gateway's message names the problem.
function integer(text) { return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text; }

function formValues() {
  const filter = {};
  const devices = ids(el.whDevices.value);
  const scenes = ids(el.whScenes.value);
  if (devices.length) filter.deviceIds = devices;
  if (scenes.length) filter.sceneIds = scenes;
  return {
    url: el.whUrl.value.trim(),
    name: el.whName.value.trim() || null,
    timeoutMs: integer(el.whTimeout.value),
    maxRetries: integer(el.whRetries.value),
    subscribedTypes: typeBoxes().filter((b) => b.checked).map((b) => b.value),
    filter,
  };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function normalFilter(f) {
  const out = {};
  if (f && f.deviceIds && f.deviceIds.length) out.deviceIds = f.deviceIds;
  if (f && f.sceneIds && f.sceneIds.length) out.sceneIds = f.sceneIds;
  return out;
}

async function save(e) {
  e.preventDefault();
  clearFieldErrors();
  const values = formValues();
  const w = state.webhook;
  let method = 'POST', body = values;
  if (w) {
    // PATCH only what changed: updatedAt then moves only for real changes.
    method = 'PATCH';
    body = {};
    for (const k of ['url', 'name', 'timeoutMs', 'maxRetries', 'subscribedTypes']) if (!same(values[k], w[k])) body[k] = values[k];
    if (!same(normalFilter(values.filter), normalFilter(w.filter))) body.filter = Object.keys(values.filter).length ? values.filter : null;
    if (!Object.keys(body).length) return say(el.settingsMessage, 'info', 'Nothing changed.');
  } else if (body.name === null) {
    delete body.name;
  }
  const answer = await write(el.settingsMessage, () => call(method, WEBHOOK, body));
  if (!answer) return;
  const { secret, standardWebhooksSecret, ...webhook } = answer.data;
  showWebhook(webhook);
  if (method === 'POST') {
    say(el.settingsMessage, 'ok', 'Webhook created. Its signing secret is shown under Signing secret; you can reveal it again later.');
    showSecret({ secret, standardWebhooksSecret, previousSecretExpiresAt: null });
    log.refresh();
  } else {
    say(el.settingsMessage, 'ok', `Saved at ${formatTime(webhook.updatedAt)}.`);
  }
}

async function setEnabled(enabled) {
  const answer = await write(el.settingsMessage, () => call('PATCH', WEBHOOK, { enabled }));
  if (!answer) return;
  showWebhook(answer.data);
  say(el.settingsMessage, 'ok', enabled ? 'Webhook enabled: events are delivered again.'
    : 'Webhook disabled: no events are delivered, pending attempts were cancelled.');
  log.clearMessage();   // e.g. a retry refused while it was disabled
  log.refresh();
}

async function deleteWebhook() {
  if (!window.confirm('Delete this webhook? Pending deliveries are cancelled. The delivery log stays.')) return;
  const done = await write(el.settingsMessage, () => call('DELETE', WEBHOOK).then(() => true));
  if (!done) return;
  showWebhook(null);
  say(el.settingsMessage, 'ok', 'Webhook deleted. Its delivery log stays below.');
  log.refresh();
}

// Runs one write with its buttons disabled; a refusal is said in `messageNode` (a 400 also next
// to its field). Resolves with the answer, or null after a refusal.
async function write(messageNode, fn) {
  state.busy = true;
  state.version++;
  render();
  say(messageNode, 'info', 'Working…');
  try {
    const answer = await fn();
    say(messageNode, 'info', '');
    return answer;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { signedOut(err); return null; }
    if ((err instanceof ApiError && err.status === 404 && state.webhook) ||
        (err instanceof ApiError && err.status === 409 && !state.webhook)) {
      // Deleted, or created, elsewhere (another tab, the API): show the webhook as it is now.
      showWebhook(await fetchWebhook().catch(() => null));
    }
    if (err instanceof ApiError && err.field) markField(err.field, err.message);
    say(messageNode, 'error', explain(err));
    return null;
  } finally {
    state.busy = false;
    render();
  }
}

function explain(err) {
  if (err instanceof ApiError && err.status === 403) {
    return `${errorText(err)}. This needs a key with the webhook:write scope.`;
  }
  if (err instanceof ApiError && err.status === 429) return `${errorText(err)}. Try again in a moment.`;
  return errorText(err);
}

function markField(field, message) {
  const slot = el.settings.querySelector(`.field-error[data-for="${CSS.escape(field)}"]`);
  if (!slot) return;
  slot.textContent = message;
  const input = slot.parentElement.querySelector('input');
  if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
}

function clearFieldErrors() {
  for (const s of el.settings.querySelectorAll('.field-error')) s.textContent = '';
  for (const i of el.settings.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
}

// ---- Test send ----------------------------------------------------------------------------------

async function sendTest() {
  el.testResult.hidden = true;
  const answer = await write(el.testMessage, () => call('POST', `${WEBHOOK}/test`));
  if (!answer) return;
  const r = answer.data;
  el.testResult.hidden = false;
  el.testResult.dataset.status = r.status;
  el.testStatus.replaceChildren(statusBadge(r.status));
  el.testHttp.textContent = r.httpStatusCode === null ? 'no HTTP status' : `HTTP ${r.httpStatusCode}`;
  el.testTime.textContent = formatMs(r.responseTimeMs);
  el.testAt.textContent = `at ${formatTime(r.attemptedAt)} to ${r.webhookUrl}`;
  el.testError.hidden = !r.errorMessage;
  el.testError.textContent = r.errorMessage || '';
  el.testBodyWrap.hidden = r.responseBody === null;
  el.testBody.textContent = r.responseBody === '' ? '(empty)' : (r.responseBody ?? '');
  log.refresh();
}

// ---- Secret -------------------------------------------------------------------------------------

function showSecret(s) {
  state.secretShown = true;
  el.secretValues.hidden = false;
  el.secret.textContent = s.secret;
  el.standardSecret.textContent = s.standardWebhooksSecret;
  el.revealSecret.textContent = 'Hide';
  if (state.webhook) state.webhook.previousSecretExpiresAt = s.previousSecretExpiresAt;
  renderGrace();
}

function hideSecret() {
  state.secretShown = false;
  el.secretValues.hidden = true;
  el.secret.textContent = '';
  el.standardSecret.textContent = '';
  el.revealSecret.textContent = 'Reveal';
}

function renderGrace() {
  const w = state.webhook;
  const until = w && w.previousSecretExpiresAt;
  el.secretGrace.hidden = !w;
  if (!w) return;
  if (until && Date.parse(until) > Date.now()) {
    const hours = (Date.parse(until) - Date.now()) / 3600000;
    const left = hours >= 1 ? `about ${Math.round(hours)} h` : `${Math.max(1, Math.round(hours * 60))} min`;
    el.secretGrace.textContent = `The previous secret still signs (webhook-signature only) until ${formatTime(until)}, ${left} from now.`;
  } else {
    el.secretGrace.textContent = 'No previous secret is in use: only the current secret signs.';
  }
}

async function toggleSecret() {
  if (state.secretShown) return hideSecret();
  try {
    showSecret((await call('GET', `${WEBHOOK}/secret`)).data);
    say(el.secretMessage, 'info', '');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signedOut(err);
    say(el.secretMessage, 'error', explain(err));
  }
}

async function regenerateSecret() {
  if (!window.confirm('Make a new signing secret? The current one keeps signing webhook-signature for the grace period; ' +
    'X-SaaS-Signature uses the new one at once.')) return;
  const answer = await write(el.secretMessage, () => call('POST', `${WEBHOOK}/secret/regenerate`, {}));
  if (!answer) return;
  showSecret(answer.data);
  say(el.secretMessage, 'ok', 'New secret made. Update your receiver.');
  const fresh = await fetchWebhook().catch(() => null);
  if (fresh) { state.webhook = fresh; render(); }
}

// ---- Signing in and out ---------------------------------------------------------------------

function showView(signedIn) {
  el.signInPanel.hidden = signedIn;
  el.webhookView.hidden = !signedIn;
  el.signOut.hidden = !signedIn;
}

// Back to the sign-in form; `err` (a 401) says why.
function signedOut(err) {
  log.stop();
  clearApiKey();
  hideSecret();
  state.webhook = null;
  // The next key may be another user's: nothing of this one stays on the page.
  el.testResult.hidden = true;
  for (const m of [el.pageMessage, el.settingsMessage, el.testMessage, el.secretMessage]) say(m, 'info', '');
  if (byId('detail').open) byId('detail').close();
  showView(false);
  say(el.signInMessage, 'error', err ? `${errorText(err)}. Sign in with another key.` : '');
  el.key.focus();
}

el.signIn.addEventListener('submit', (e) => {
  e.preventDefault();                       // the key must never become part of a URL
  const key = el.key.value.trim();
  if (!key) return;
  setApiKey(key);
  el.key.value = '';
  say(el.signInMessage, 'info', '');
  showView(true);
  load();
});
el.signOut.addEventListener('click', () => signedOut(null));
el.settings.addEventListener('submit', save);
el.eventsAll.addEventListener('click', () => { for (const b of typeBoxes()) b.checked = true; });
el.eventsNone.addEventListener('click', () => { for (const b of typeBoxes()) b.checked = false; });
el.toggleEnabled.addEventListener('click', () => setEnabled(!state.webhook.enabled));
el.enableAgain.addEventListener('click', () => setEnabled(true));
el.deleteWebhook.addEventListener('click', deleteWebhook);
el.sendTest.addEventListener('click', sendTest);
el.revealSecret.addEventListener('click', toggleSecret);
el.regenerateSecret.addEventListener('click', regenerateSecret);

// Back in a tab that was signed in (here or in the live view): carry on.
if (apiKey()) { showView(true); load(); } else showView(false);
