// Supervisor wallboard: queues and agents, live from the hub; supervisors
// pause or log out agents. Open tickets by state, priority and level and the
// tickets near or past their SLA come from GET /tickets/stats every 30 s;
// the day chart starts from GET /wallboard/day and adds the hub's events
// (js/daychart.js).
import { get, post, enc, q } from './api.js';
import { t, tr, getLang, addMessages } from './i18n.js';
import { el, fill, $ } from './dom.js';
import { dur, nsDur, pct, since } from './format.js';
import { boot, wsStatus, flash, errorText, ask } from './common.js';
import { connectDesk } from './ws.js';
import { DayChart, drawChart } from './daychart.js';
import { SurveyPanel } from './surveys-panel.js';
import { loadNames, queueName, agentPresence } from './names.js';

addMessages({
  'wb.chartDay': 'Día {date}, hora de {zone}: del registro de llamadas y en vivo.',
  'wb.chartNoHistory': 'No se pudo leer el historial del día ({e}): el gráfico cuenta desde que se abrió la página.',
  'wb.engineDown': 'La telefonía no está disponible: las llamadas nuevas no entran.',
}, {
  'wb.chartDay': 'Day {date}, {zone} time: from the call records and live.',
  'wb.chartNoHistory': 'The day\'s history could not be read ({e}): the chart counts from when this page opened.',
  'wb.engineDown': 'The telephone system is down: new calls are not coming in.',
});

await boot(['supervisor', 'admin']);
const PAUSE_REASONS = ['lunch', 'break', 'training', 'meeting', 'other'];

let queues = []; // QueueSnapshot from the last snapshot (stats)
const waiting = new Map(); // queue -> Map(call_id -> {entered, callback})
const agents = new Map(); // username -> Agent
const day = new DayChart();
const STATS_EVERY_MS = 30000;
const ENGINE_EVERY_MS = 5000;
// A call's record is written up to about 20 s after its last event (the
// intake's writes are bounded by 10 s each): the day is read again this
// long after a load, for the calls that ended just before the page opened.
const DAY_SETTLE_MS = 30000;
const DAY_RETRY_MS = 60000;
let seq = null; // the last Seq seen: a snapshot past it means events were missed
let dayError = '';

function onMessage(msg) {
  if (msg.type === 'snapshot') {
    const s = msg.snapshot;
    queues = s.queues || [];
    waiting.clear();
    for (const qs of queues) {
      waiting.set(qs.name, new Map((qs.calls || []).map((c) => [c.call_id, { entered: c.entered_queue_at, callback: !!c.callback }])));
    }
    agents.clear();
    for (const a of s.agents || []) agents.set(a.username, a);
    const missed = seq === null || (s.seq || 0) !== seq; // the first one, or a gap
    seq = s.seq || 0;
    day.snapshot(s, msg.offers);
    if (missed) loadDay(true);
  } else if (msg.type === 'event') {
    if (msg.event.kind === 'survey_scored') { surveys.event(msg.event); return; }
    if (msg.event.seq) seq = msg.event.seq;
    apply(msg.event);
    day.event(msg.event);
  } else {
    return;
  }
  render();
}

function apply(e) {
  if (e.queue && !waiting.has(e.queue)) waiting.set(e.queue, new Map());
  const calls = e.queue ? waiting.get(e.queue) : null;
  switch (e.kind) {
    case 'call_queued': calls.set(e.call_id, { entered: e.entered_queue_at || e.at, callback: !!e.callback }); break;
    case 'callback_requested': calls.set(e.call_id, { entered: e.entered_queue_at || e.at, callback: true }); break;
    case 'call_answered': case 'call_abandoned': case 'call_ended': if (calls) calls.delete(e.call_id); break;
    case 'agent_state': {
      const a = agents.get(e.agent) || { username: e.agent, name: e.agent_name, extension: e.extension };
      a.state = e.state;
      a.pause_reason = e.pause_reason || '';
      a.state_since = e.at;
      a.internal_call = e.internal_call || null;
      if (e.extension) a.extension = e.extension;
      agents.set(e.agent, a);
      break;
    }
    case 'agent_internal_call': { // the state stays; the phone's calls change
      const a = agents.get(e.agent) || { username: e.agent, name: e.agent_name, extension: e.extension, state: e.state, state_since: e.at };
      a.internal_call = e.internal_call || null;
      if (e.extension) a.extension = e.extension;
      agents.set(e.agent, a);
      break;
    }
  }
}

function stat(name) {
  const qs = queues.find((x) => x.name === name);
  return qs ? qs.stats || {} : {};
}

function render() {
  const now = Date.now();
  const names = [...new Set([...queues.map((x) => x.name), ...waiting.keys()])].sort((a, b) => queueName(a).localeCompare(queueName(b)));
  fill($('#queue-rows'), names.map((name) => {
    const calls = [...(waiting.get(name) || new Map()).values()];
    const longest = calls.reduce((m, c) => Math.max(m, now - new Date(c.entered).getTime()), 0);
    const s = stat(name);
    const n = (s.answered || 0) + (s.abandoned || 0) - (s.short_abandoned || 0);
    const sl = n > 0 ? (s.answered_in_sl || 0) / n : 1;
    const fin = (s.answered || 0) + (s.abandoned || 0);
    return el('tr', { 'data-queue': name },
      el('td', { class: 'name', text: queueName(name) }),
      el('td', { class: 'waiting num', text: String(calls.length) }),
      el('td', { class: 'longest num' + (longest > 60000 ? ' warn' : ''), text: calls.length ? dur(longest) : '—' }),
      el('td', { class: 'sl num' + (sl < 0.8 ? ' warn' : ''), text: pct(sl) }),
      el('td', { class: 'asa num', text: s.answered ? nsDur(s.total_answer_wait_ns / s.answered) : '—' }),
      el('td', { class: 'abandoned num', text: fin ? pct((s.abandoned || 0) / fin) : '—' }),
      el('td', { class: 'callbacks num', text: String(calls.filter((c) => c.callback).length) }),
      el('td', { class: 'answered num', text: String(s.answered || 0) }));
  }));
  const list = [...agents.values()].sort((a, b) => (a.name || a.username).localeCompare(b.name || b.username));
  fill($('#agent-rows'), list.map((a) => { const p = agentPresence(a); return el('tr', { 'data-agent': a.username },
    el('td', { class: 'name', text: a.name || a.username }),
    el('td', { class: 'ext', text: a.extension || '—' }),
    el('td', {}, el('span', { class: 'badge ' + p.cls, text: p.text })),
    el('td', { class: 'num time', text: dur(since(p.since)) }),
    el('td', { class: 'reason', text: [tr('reason', a.pause_reason), p.extra].filter(Boolean).join(' · ') }),
    el('td', { class: 'agent-actions' },
      a.state !== 'paused' && a.state !== 'logged_out'
        ? el('button', { type: 'button', class: 'small pause', i18n: 'wb.pause', onclick: () => pause(a) }) : null,
      a.state !== 'logged_out'
        ? el('button', { type: 'button', class: 'small logout', i18n: 'wb.logout', onclick: () => logout(a) }) : null)); }));
  renderChart();
}

function renderChart() {
  day.tick();
  drawChart($('#chart'), day, { title: t('wb.chart'), fmtPct: pct });
  const b = day.before;
  let note = '';
  if (day.server) note = t('wb.chartDay', { date: day.date, zone: day.zone });
  else if (dayError) note = t('wb.chartNoHistory', { e: dayError });
  if (!day.server && b.entered) note = (note ? note + ' ' : '') + t('wb.chartBefore', { n: b.entered });
  $('#chart-note').textContent = note;
}

// loadDay reads the day's history (again), once at a time; settle reads it
// once more DAY_SETTLE_MS later. A server without it (404) leaves the chart
// to the page's own counts.
let dayLoading = false, dayAgain = false, dayRetry = null;
async function loadDay(settle = false) {
  if (dayLoading) { dayAgain = true; return; }
  dayLoading = true;
  clearTimeout(dayRetry);
  try {
    do {
      dayAgain = false;
      try {
        const d = await get('/wallboard/day' + q({ date: day.server ? day.date : '', calls_since: day.callsSince() }));
        day.load(d, Date.now());
        dayError = '';
        clearTimeout(dayRetry);
        if (settle) setTimeout(() => loadDay(false), DAY_SETTLE_MS);
        settle = false;
      } catch (e) {
        if (e.status === 404) return;
        dayError = errorText(e);
        dayRetry = setTimeout(() => loadDay(settle), DAY_RETRY_MS);
      }
    } while (dayAgain);
  } finally {
    dayLoading = false;
    renderChart();
  }
}
day.onNewDay = () => loadDay(false);
// A screen that was hidden (a sleeping display, a background tab) may have
// missed midnight or events while its timers were held back.
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') loadDay(false); });

// Ticket counts and SLA lists. Ticket subjects come from callers: text only.
const hhmm = (iso) => new Intl.DateTimeFormat(getLang(), { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));

function countRows(entries) {
  return entries.map(([label, n, cls]) => el('tr', { class: cls },
    el('td', { text: label }), el('td', { class: 'num', text: String(n) })));
}

function slaItems(list, total, past) {
  if (!list.length) return [el('li', { class: 'empty', i18n: 'none' })];
  const items = list.map((x) => el('li', { 'data-ticket': x.number },
    el('a', { href: '/tickets.html#' + enc(x.number), class: 'number', text: x.number }),
    el('span', { class: 'subject', text: x.subject || '—', title: x.subject || '' }),
    el('span', { class: 'badge prio-' + x.priority, text: 'P' + x.priority }),
    el('span', { class: 'due', text: past ? hhmm(x.resolution_due) : pct(x.elapsed), title: t('wb.due') + ' ' + hhmm(x.resolution_due) })));
  if (total > list.length) items.push(el('li', { class: 'more', text: t('wb.more', { n: total - list.length }) }));
  return items;
}

function renderStats(st) {
  $('#tk-open').textContent = t('wb.ticketsOpen', { n: st.open });
  const states = ['registered', 'in_progress', 'pending_user', 'on_hold'];
  const by = st.by_state || {};
  for (const k of Object.keys(by)) if (!states.includes(k)) states.push(k);
  fill($('#tk-by-state'), countRows(states.map((k) => [tr('ticketState', k), by[k] || 0, 'st-row-' + k])));
  fill($('#tk-by-priority'), countRows([1, 2, 3, 4].map((p) => [t('wb.priorityN', { n: p }), (st.by_priority || {})[p] || 0, 'prio-row-' + p])));
  fill($('#tk-by-level'), countRows([1, 2, 3, 4].map((l) => [t('wb.levelN', { n: l }), (st.by_level || {})[l] || 0, 'level-row-' + l])));
  $('#sla-past-title').textContent = t('wb.slaPast', { n: st.past_total });
  $('#sla-near-title').textContent = t('wb.slaNear', { n: st.near_total });
  const past = $('#sla-past'), near = $('#sla-near');
  past.className = 'sla-list past';
  fill(past, slaItems(st.past_sla || [], st.past_total || 0, true));
  fill(near, slaItems(st.near_sla || [], st.near_total || 0, false));
  $('#tk-updated').textContent = t('wb.updated', { t: new Date(st.at || Date.now()).toLocaleTimeString(getLang()) });
}

async function loadStats() {
  try {
    renderStats(await get('/tickets/stats?limit=10'));
  } catch (e) {
    $('#tk-updated').textContent = t('wb.statsError') + ': ' + errorText(e);
  }
}

async function pause(a) {
  const r = await ask(t('wb.pauseTitle', { a: a.name || a.username }), {
    required: true, label: t('console.pauseReason'), options: PAUSE_REASONS.map((c) => [c, tr('reason', c)]),
  });
  if (r) setState(a, 'paused', r);
}

async function logout(a) {
  const r = await ask(t('wb.confirmLogout', { a: a.name || a.username }), {});
  if (r !== null) setState(a, 'logged_out', r);
}

async function setState(a, state, reason) {
  try {
    await post(`/agents/${enc(a.username)}/state`, reason ? { state, reason } : { state });
  } catch (e) {
    flash(errorText(e), true);
  }
}

const fsBtn = $('#fullscreen');
fsBtn.addEventListener('click', () => {
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen().catch(() => document.body.classList.toggle('tv'));
});
document.addEventListener('fullscreenchange', () => {
  const on = !!document.fullscreenElement;
  document.body.classList.toggle('tv', on);
  fsBtn.dataset.i18n = on ? 'wb.exitFullscreen' : 'wb.fullscreen';
  fsBtn.textContent = t(fsBtn.dataset.i18n);
});

// tick refreshes only the clocks, so buttons are not redrawn under the pointer.
function tick() {
  const now = Date.now();
  for (const row of document.querySelectorAll('#queue-rows tr')) {
    const calls = [...(waiting.get(row.dataset.queue) || new Map()).values()];
    const longest = calls.reduce((m, c) => Math.max(m, now - new Date(c.entered).getTime()), 0);
    const cell = row.querySelector('.longest');
    cell.textContent = calls.length ? dur(longest) : '—';
    cell.classList.toggle('warn', longest > 60000);
  }
  for (const row of document.querySelectorAll('#agent-rows tr')) {
    const a = agents.get(row.dataset.agent);
    if (a) row.querySelector('.time').textContent = dur(since(agentPresence(a).since));
  }
}
setInterval(tick, 1000);
setInterval(renderChart, 60000); // the current bucket moves on without events
// The satisfaction panel names agents as the agents table does, and
// services as the catalog does.
const svcNames = new Map();
get('/catalog').then((c) => {
  for (const x of c.services || []) svcNames.set(x.code, (x.name && (x.name[getLang()] || x.name.es)) || x.code);
  surveys.render();
}).catch(() => {});
const surveys = new SurveyPanel($('#surveys-card'), {
  agent: (u) => (agents.get(u) && agents.get(u).name) || u,
  queue: (code) => queueName(code),
  service: (code) => svcNames.get(code) || code,
});
surveys.load();
setInterval(() => surveys.load(), 60000);
connectDesk(onMessage, wsStatus);
loadStats();
setInterval(loadStats, STATS_EVERY_MS);
checkEngine();
setInterval(checkEngine, ENGINE_EVERY_MS);

// checkEngine shows a banner while /readyz says the telephony engine is
// down (Asterisk stopped, or its ARI unreachable). If the server itself
// does not answer, the connection status already says so.
async function checkEngine() {
  let down = false;
  try {
    const r = await fetch('/readyz', { cache: 'no-store' });
    const body = await r.json();
    down = !!(body.checks && body.checks.engine === 'down');
  } catch { /* server unreachable: shown by the websocket status */ }
  $('#engine-down').hidden = !down;
}
loadNames().then(() => { render(); surveys.render(); }).catch(() => {}); // queue names from the catalog
