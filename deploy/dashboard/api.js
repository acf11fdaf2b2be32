// The management API client of the webhook page: the user's key (shared with the live view) and
// one `call` that sends a request through nginx on this origin, with the key in the
// Authorization header only (never in a URL), and turns every refusal into an ApiError carrying
// the gateway's code, message and, for a 400, the field it names (docs/WEBHOOKS.md, "Errors").

export const KEY_STORAGE = 'ssegw.apiKey';   // sessionStorage: this tab only, as the live view

export const WEBHOOK = '/api/v1/users/me/webhook';
export const EVENT_TYPES = '/api/v1/webhook/event-types';

export function apiKey() { return sessionStorage.getItem(KEY_STORAGE); }
export function setApiKey(key) { sessionStorage.setItem(KEY_STORAGE, key); }
export function clearApiKey() { sessionStorage.removeItem(KEY_STORAGE); }

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;   // HTTP status; 0 when nothing answered
    this.code = code;
    this.field = field ?? null;
  }
}

// method, path (with its query already encoded), optional JSON body. Resolves with the parsed
// answer (null for 204); rejects with an ApiError.
export async function call(method, path, body) {
  const init = {
    method,
    headers: { Authorization: `Bearer ${apiKey() || ''}`, Accept: 'application/json' },
    cache: 'no-store',
    credentials: 'omit',
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', 'the gateway could not be reached');
  }
  if (res.status === 204) return null;
  let answer = null;
  try { answer = await res.json(); } catch { /* not JSON: handled below */ }
  if (res.ok && answer) return answer;
  const err = answer && answer.error;
  if (err && typeof err.code === 'string') throw new ApiError(res.status, err.code, String(err.message ?? ''), err.field);
  throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText || 'unexpected answer from the gateway');
}

// A query string from the members that are set (empty strings and null left out).
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
