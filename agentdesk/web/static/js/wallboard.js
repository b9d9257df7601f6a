// Supervisor wallboard: queues and agents, live from the hub; supervisors
// pause or log out agents.
import { post, enc } from './api.js';
import { t, tr } from './i18n.js';
import { el, fill, $ } from './dom.js';
import { dur, nsDur, pct, since } from './format.js';
import { boot, wsStatus, flash, errorText, ask } from './common.js';
import { connectDesk } from './ws.js';

await boot(['supervisor', 'admin']);
const PAUSE_REASONS = ['lunch', 'break', 'training', 'meeting', 'other'];

let queues = []; // QueueSnapshot from the last snapshot (stats)
const waiting = new Map(); // queue -> Map(call_id -> {entered, callback})
const agents = new Map(); // username -> Agent

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
  } else if (msg.type === 'event') {
    apply(msg.event);
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
  const names = [...new Set([...queues.map((x) => x.name), ...waiting.keys()])].sort();
  fill($('#queue-rows'), names.map((name) => {
    const calls = [...(waiting.get(name) || new Map()).values()];
    const longest = calls.reduce((m, c) => Math.max(m, now - new Date(c.entered).getTime()), 0);
    const s = stat(name);
    const n = (s.answered || 0) + (s.abandoned || 0) - (s.short_abandoned || 0);
    const sl = n > 0 ? (s.answered_in_sl || 0) / n : 1;
    const fin = (s.answered || 0) + (s.abandoned || 0);
    return el('tr', { 'data-queue': name },
      el('td', { class: 'name', text: name }),
      el('td', { class: 'waiting num', text: String(calls.length) }),
      el('td', { class: 'longest num' + (longest > 60000 ? ' warn' : ''), text: calls.length ? dur(longest) : '—' }),
      el('td', { class: 'sl num' + (sl < 0.8 ? ' warn' : ''), text: pct(sl) }),
      el('td', { class: 'asa num', text: s.answered ? nsDur(s.total_answer_wait_ns / s.answered) : '—' }),
      el('td', { class: 'abandoned num', text: fin ? pct((s.abandoned || 0) / fin) : '—' }),
      el('td', { class: 'callbacks num', text: String(calls.filter((c) => c.callback).length) }),
      el('td', { class: 'answered num', text: String(s.answered || 0) }));
  }));
  const list = [...agents.values()].sort((a, b) => (a.name || a.username).localeCompare(b.name || b.username));
  fill($('#agent-rows'), list.map((a) => el('tr', { 'data-agent': a.username },
    el('td', { class: 'name', text: a.name || a.username }),
    el('td', { class: 'ext', text: a.extension || '—' }),
    el('td', {}, el('span', { class: 'badge agent-' + a.state, text: tr('state', a.state) })),
    el('td', { class: 'num time', text: dur(since(a.state_since)) }),
    el('td', { class: 'reason', text: tr('reason', a.pause_reason) }),
    el('td', { class: 'agent-actions' },
      a.state !== 'paused' && a.state !== 'logged_out'
        ? el('button', { type: 'button', class: 'small pause', i18n: 'wb.pause', onclick: () => pause(a) }) : null,
      a.state !== 'logged_out'
        ? el('button', { type: 'button', class: 'small logout', i18n: 'wb.logout', onclick: () => logout(a) }) : null))));
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
    if (a) row.querySelector('.time').textContent = dur(since(a.state_since));
  }
}
setInterval(tick, 1000);
connectDesk(onMessage, wsStatus);
