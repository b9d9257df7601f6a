import { getLang } from './i18n.js';

// dur formats milliseconds as m:ss or h:mm:ss.
export function dur(ms) {
  if (!(ms >= 0)) ms = 0;
  const s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const p = (x) => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${p(m)}:${p(r)}` : `${m}:${p(r)}`;
}

// nsDur formats a Go duration in nanoseconds.
export const nsDur = (ns) => dur((ns || 0) / 1e6);

export function pct(x) {
  if (x === null || x === undefined || isNaN(x)) return '—';
  return new Intl.NumberFormat(getLang(), { style: 'percent', maximumFractionDigits: 1 }).format(x);
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d)) return '—';
  return new Intl.DateTimeFormat(getLang(), { dateStyle: 'short', timeStyle: 'medium' }).format(d);
}

export const since = (iso) => (iso ? Date.now() - new Date(iso).getTime() : 0);
