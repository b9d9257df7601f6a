// JSON API client. State-changing requests carry the session's CSRF token
// (from login or /me) in X-CSRF-Token.
const CSRF_KEY = 'atiende_csrf';

export function setCSRF(token) { sessionStorage.setItem(CSRF_KEY, token || ''); }

export class APIError extends Error {
  // data is the whole error body, for the members beside "error".
  constructor(status, code, message, data) { super(message); this.status = status; this.code = code; this.data = data || {}; }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = sessionStorage.getItem(CSRF_KEY) || '';
  const res = await fetch('/api/v1' + path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && path !== '/login' && location.pathname !== '/' && location.pathname !== '/index.html') {
      location.assign('/');
    }
    const e = data && data.error;
    throw new APIError(res.status, e ? e.code : 'http_' + res.status, e ? e.message : res.statusText, data);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});
export const patch = (path, body) => api('PATCH', path, body);

// q builds a query string from an object; arrays repeat the key.
export function q(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    for (const x of Array.isArray(v) ? v : [v]) u.append(k, String(x));
  }
  const s = u.toString();
  return s ? '?' + s : '';
}

export const enc = encodeURIComponent;
