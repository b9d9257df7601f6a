// The weekly fault report for supervisors (seed 004): GET
// /reports/weekly?week=2026-W47 (default: the current week to date; the
// previous one is a click away) shown as
// totals, a table per service and category with the week before and the
// difference, repeated faults, and two charts drawn as inline SVG from DOM
// elements (styled by css/report.css: no inline style, no markup from
// strings). The week is kept in ?week= so the page can be bookmarked; CSV
// and JSON download links follow it.
import { get, q } from './api.js';
import { t, tr, getLang, addMessages } from './i18n.js';
import { el, fill, $ } from './dom.js';
import { boot, flash, errorText } from './common.js';
import { drawSurveys } from './report-surveys.js';

addMessages({
  'rep.periodToDate': 'Semana en curso: del {from} a hoy ({zone}); se compara con la semana {prev} completa.',
  'rep.current': 'Semana en curso',
}, {
  'rep.periodToDate': 'Current week: {from} to today ({zone}); compared with the whole week {prev}.',
  'rep.current': 'Current week',
});

await boot(['supervisor', 'admin']);

const SVG = 'http://www.w3.org/2000/svg';
const WEEK_RE = /^(\d{4})-[Ww](\d{2})$/;
let names = new Map(); // service code -> name in the page's language

// ---- ISO weeks ----

function weekMonday(year, week) {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86400000);
  return new Date(monday.getTime() + (week - 1) * 7 * 86400000);
}

function isoWeekOf(d) {
  const x = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  x.setUTCDate(x.getUTCDate() + 3 - ((x.getUTCDay() + 6) % 7)); // the week's Thursday
  const year = x.getUTCFullYear();
  const week = 1 + Math.round((x.getTime() - weekMonday(year, 1).getTime() - 3 * 86400000) / (7 * 86400000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

// shiftWeek moves an ISO week string by n weeks.
export function shiftWeek(s, n) {
  const m = WEEK_RE.exec(s);
  if (!m) return s;
  return isoWeekOf(new Date(weekMonday(+m[1], +m[2]).getTime() + n * 7 * 86400000));
}

// ---- formatting ----

const nf = (opts) => new Intl.NumberFormat(getLang(), opts);
const dash = '—';

// hm writes seconds as hours and minutes, rounded to the minute: 27h 05m.
function hm(sec) {
  if (sec === null || sec === undefined) return dash;
  const neg = sec < 0;
  const m = Math.round(Math.abs(sec) / 60);
  return (neg ? '-' : '') + `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function signedHM(sec) {
  if (sec === null || sec === undefined) return dash;
  return (sec > 0 ? '+' : '') + hm(sec);
}

function signedInt(n) { return (n > 0 ? '+' : '') + nf({}).format(n); }

function pctText(p) {
  return p === null || p === undefined ? dash : nf({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(p) + ' %';
}

function pts(p) {
  if (p === null || p === undefined) return dash;
  const s = nf({ minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(p);
  return t('rep.points', { n: s });
}

// trend classes a difference: up is good for resolved and SLA, bad for
// opened, resolution times and repeats.
function trend(d, upIsGood) {
  if (d === null || d === undefined || d === 0 || Math.abs(d) < 1e-9) return 'delta same';
  return 'delta ' + ((d > 0) === upIsGood ? 'good' : 'bad');
}

// columns: what each figure cell shows.
const COLUMNS = [
  { id: 'opened', key: 'rep.opened', cur: (f) => f.opened, fmt: (v) => nf({}).format(v), delta: (d) => d.opened, dfmt: signedInt, up: false },
  { id: 'resolved', key: 'rep.resolved', cur: (f) => f.resolved, fmt: (v) => nf({}).format(v), delta: (d) => d.resolved, dfmt: signedInt, up: true },
  { id: 'mean', key: 'rep.mean', cur: (f) => f.mean_resolution_seconds, fmt: hm, delta: (d) => d.mean_resolution_seconds, dfmt: signedHM, up: false },
  { id: 'p90', key: 'rep.p90', cur: (f) => f.p90_resolution_seconds, fmt: hm, delta: (d) => d.p90_resolution_seconds, dfmt: signedHM, up: false },
  { id: 'rsla', key: 'rep.rsla', cur: (f) => f.resolution_sla, fmt: slaText, delta: (d) => d.resolution_sla_points, dfmt: pts, up: true },
  { id: 'fsla', key: 'rep.fsla', cur: (f) => f.response_sla, fmt: slaText, delta: (d) => d.response_sla_points, dfmt: pts, up: true },
  { id: 'repeated', key: 'rep.repeated', cur: (f) => f.repeated, fmt: (v) => nf({}).format(v), delta: (d) => d.repeated, dfmt: signedInt, up: false },
];

function slaText(s) {
  if (!s || s.percent === null || s.percent === undefined) return dash;
  return `${pctText(s.percent)} (${s.met}/${s.total})`;
}

function figureCell(col, g) {
  const d = col.delta(g.delta);
  return el('td', { class: 'num fig', 'data-col': col.id },
    el('span', { class: 'cur', text: col.fmt(col.cur(g.week)) }),
    el('span', { class: 'prev', title: t('rep.previous'), text: col.fmt(col.cur(g.previous)) }),
    el('span', { class: trend(d, col.up), title: t('rep.delta'), text: col.dfmt(d) }));
}

const serviceName = (code) => (code ? names.get(code) || code : t('rep.all'));
const kindName = (k) => (k ? tr('kind', k) : t('rep.all'));

// ---- drawing ----

function drawTotals(r) {
  const g = r.total;
  fill($('#totals'), COLUMNS.map((col) => {
    const d = col.delta(g.delta);
    return el('div', { class: 'tile', 'data-col': col.id },
      el('div', { class: 'tile-label', i18n: col.key }),
      el('div', { class: 'tile-value', text: col.fmt(col.cur(g.week)) }),
      el('div', { class: 'tile-prev' },
        el('span', { text: t('rep.prevWeekValue', { w: r.previous_week, v: col.fmt(col.cur(g.previous)) }) }), ' ',
        el('span', { class: trend(d, col.up), text: col.dfmt(d) })));
  }));
}

function row(g, cls) {
  return el('tr', { class: cls, 'data-service': g.service || '', 'data-kind': g.kind || '' },
    el('td', { class: 'svc', text: serviceName(g.service) }),
    el('td', { class: 'kind', text: kindName(g.kind) }),
    COLUMNS.map((c) => figureCell(c, g)));
}

// drawTable lists each service's subtotal followed by its categories, then
// the subtotal of each category over every service, then the total.
function drawTable(r) {
  const rows = [];
  for (const s of r.by_service) {
    rows.push(row(s, 'subtotal service'));
    for (const g of r.groups.filter((x) => x.service === s.service)) rows.push(row(g, 'group'));
  }
  for (const k of r.by_kind) rows.push(row(k, 'subtotal kind'));
  rows.push(row(r.total, 'total'));
  fill($('#rep-rows'), rows);
}

function drawRepeats(r) {
  $('#repeat-note').textContent = t('rep.repeatNote', { n: r.repeat_window_days });
  const list = r.repeated_faults || [];
  if (!list.length) {
    fill($('#repeat-rows'), el('tr', {}, el('td', { colspan: 5, class: 'muted', i18n: 'rep.noRepeats' })));
    return;
  }
  fill($('#repeat-rows'), list.map((f) => el('tr', { 'data-by': f.by },
    el('td', { text: t('rep.by.' + f.by) }),
    el('td', { class: 'value', text: f.value }),
    el('td', { class: 'tickets' }, f.tickets.map((n, i) => [i ? ', ' : '', el('a', { href: '/tickets.html#' + encodeURIComponent(n), text: n })])),
    el('td', { class: 'num', text: f.in_week }),
    el('td', { text: (f.services || []).map(serviceName).join(', ') }))));
}

function svg(tag, attrs, ...children) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
  for (const c of children) if (c) n.append(c);
  return n;
}

function svgText(x, y, text, attrs = {}) {
  const n = svg('text', { x, y, 'text-anchor': 'middle', ...attrs });
  n.textContent = text;
  return n;
}

function niceStep(max) {
  const raw = Math.max(max, 1) / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

// barChart draws one group of bars per service: series are {cls, key,
// value(g), fmt}. Missing values (null) draw no bar.
function barChart(box, groups, series, { title, unit = (v) => String(v) }) {
  const W = 640, H = 260, L = 48, R = 12, T = 14, B = 54;
  const pw = W - L - R, ph = H - T - B;
  const vals = groups.flatMap((g) => series.map((s) => s.value(g))).filter((v) => v !== null && v !== undefined);
  const step = niceStep(Math.max(0, ...vals));
  const top = step * 4;
  const y = (v) => T + ph - (v / top) * ph;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'bar-chart' });
  const tt = svg('title');
  tt.textContent = title;
  root.append(tt);
  for (let k = 0; k <= 4; k++) {
    const gy = y(k * step);
    root.append(svg('line', { class: 'gridline', x1: L, x2: L + pw, y1: gy, y2: gy }));
    root.append(svgText(L - 6, gy + 4, unit(k * step), { 'text-anchor': 'end' }));
  }
  const gw = pw / Math.max(groups.length, 1);
  const bw = Math.min(36, (gw * 0.7) / series.length);
  groups.forEach((g, i) => {
    const x0 = L + i * gw + (gw - bw * series.length) / 2;
    const grp = svg('g', { class: 'bar-group', 'data-service': g.service });
    series.forEach((s, j) => {
      const v = s.value(g);
      if (v === null || v === undefined) return;
      const r = svg('rect', { class: 'bar ' + s.cls, x: (x0 + j * bw).toFixed(1), y: y(v).toFixed(1),
        width: (bw - 2).toFixed(1), height: Math.max(0, T + ph - y(v)).toFixed(1), 'data-series': s.cls, 'data-value': v });
      const rt = svg('title');
      rt.textContent = `${serviceName(g.service)} · ${t(s.key)}: ${s.fmt(v)}`;
      r.append(rt);
      grp.append(r);
    });
    const label = serviceName(g.service), fit = Math.max(4, Math.floor(gw / 7)); // about 7 px per character at 12px
    grp.append(svgText(L + (i + 0.5) * gw, T + ph + 16, label.length > fit ? label.slice(0, fit - 1) + '…' : label, { class: 'label' }));
    root.append(grp);
  });
  root.append(svg('line', { class: 'axis', x1: L, x2: L + pw, y1: T + ph, y2: T + ph }));
  box.replaceChildren(root);
}

function drawCharts(r) {
  const services = r.by_service;
  barChart($('#chart-volume'), services, [
    { cls: 'opened', key: 'rep.opened', value: (g) => g.week.opened, fmt: String },
    { cls: 'resolved', key: 'rep.resolved', value: (g) => g.week.resolved, fmt: String },
  ], { title: t('rep.chartVolume') });
  const hours = (s) => (s === null || s === undefined ? null : s / 3600);
  barChart($('#chart-times'), services, [
    { cls: 'mean', key: 'rep.mean', value: (g) => hours(g.week.mean_resolution_seconds), fmt: (v) => hm(v * 3600) },
    { cls: 'p90', key: 'rep.p90', value: (g) => hours(g.week.p90_resolution_seconds), fmt: (v) => hm(v * 3600) },
  ], { title: t('rep.chartTimes'), unit: (v) => nf({ maximumFractionDigits: 1 }).format(v) + ' h' });
}

function periodText(r) {
  // from/to carry the report zone's offset: read the date part as written.
  const day = (s) => {
    const [y, m, dd] = s.slice(0, 10).split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, dd));
  };
  const fmt = (d) => new Intl.DateTimeFormat(getLang(), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
  const last = new Date(day(r.to).getTime() - 86400000);
  const tail = t(r.resolution_time === 'business' ? 'rep.business' : 'rep.wallClock');
  if (isCurrent(r)) return t('rep.periodToDate', { from: fmt(day(r.from)), zone: r.time_zone, prev: r.previous_week }) + ' ' + tail;
  return t('rep.period', { from: fmt(day(r.from)), to: fmt(last), zone: r.time_zone, prev: r.previous_week }) + ' ' +
    t(r.resolution_time === 'business' ? 'rep.business' : 'rep.wallClock');
}

// isCurrent reports whether r is the week in progress (shown to date).
const isCurrent = (r) => new Date(r.from).getTime() <= Date.now() && Date.now() < new Date(r.to).getTime();

function setLinks(week) {
  $('#dl-csv').href = '/api/v1/reports/weekly.csv' + q({ week, lang: getLang() });
  $('#dl-csv').setAttribute('download', `atiende-weekly-${week}.csv`);
  $('#dl-json').href = '/api/v1/reports/weekly' + q({ week });
  $('#dl-json').setAttribute('download', `atiende-weekly-${week}.json`);
}

function render(r) {
  $('#week').value = r.week;
  setLinks(r.week);
  $('#period').textContent = periodText(r);
  $('#next-week').disabled = isCurrent(r); // no report of the future
  document.body.dataset.current = isCurrent(r) ? 'true' : '';
  const tot = r.total;
  const empty = !tot.week.opened && !tot.week.resolved && !tot.previous.opened && !tot.previous.resolved;
  $('#empty').hidden = !empty;
  drawTotals(r);
  drawTable(r);
  drawRepeats(r);
  drawCharts(r);
  drawSurveys(r, serviceName);
  document.body.dataset.week = r.week; // tests wait on it
}

async function load(week) {
  document.body.dataset.week = '';
  try {
    render(await get('/reports/weekly' + q({ week })));
  } catch (e) {
    flash(errorText(e), true);
  }
}

function go(week) {
  const u = new URL(location.href);
  if (week) u.searchParams.set('week', week); else u.searchParams.delete('week');
  history.replaceState(null, '', u);
  load(week);
}

$('#week-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const w = $('#week').value.trim();
  if (!WEEK_RE.test(w)) { flash(t('rep.badWeek'), true); return; }
  go(w.toUpperCase());
});
$('#prev-week').addEventListener('click', () => { if ($('#week').value) go(shiftWeek($('#week').value, -1)); });
$('#next-week').addEventListener('click', () => { if ($('#week').value) go(shiftWeek($('#week').value, 1)); });

try {
  const cat = await get('/catalog');
  names = new Map((cat.services || []).map((s) => [s.code, (s.name && (s.name[getLang()] || s.name.es)) || s.code]));
} catch { /* codes are shown instead of names */ }
load(new URLSearchParams(location.search).get('week') || '');
