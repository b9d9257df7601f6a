// Agent console: presence, queue counts and the screen-pop.
import { get, post, q, enc } from './api.js';
import { t, tr, getLang } from './i18n.js';
import { el, fill, setText, show, $ } from './dom.js';
import { dur, since } from './format.js';
import { boot, wsStatus, flash, errorText, ask } from './common.js';
import { connectDesk } from './ws.js';
import { ticketPanel, refreshTicketPanel, service, isOpen } from './ticketview.js';
import { loadNames, queueName, ivrPath, agentPresence } from './names.js';

// The queue's wrap-up is not in the agent_state event: it comes from the
// snapshot's queue (wrap_up_ns) when the hub sends it, else the ACD's
// default of 10 s. A negative wrap-up means none.
const WRAP_UP_MS = 10000;
const wrapByQueue = new Map(); // queue -> ms
let lastQueue = ''; // the queue of the last call offered to this agent
const PAUSE_REASONS = ['lunch', 'break', 'training', 'meeting', 'other'];

const user = await boot(['agent', 'technician', 'supervisor', 'admin']);
const me = { state: 'logged_out', reason: '', since: null, internal: null };
const queues = new Map(); // queue -> Map(call_id -> {callback})
let pop = null; // {callId, phase, offeredAt, answeredAt, endedAt, number, ticket}
let wrapUntil = 0;

let myExt = user.extension || '';
setText('my-ext', myExt || t('console.noExtension'));
$('#ext-pick').value = myExt;
setMe('logged_out', '', null);

// setState sends the new presence. When logging in (from logged_out), the
// extension picked for this session goes with it if it is not the one the
// desk already has.
async function setState(state, reason) {
  const body = reason ? { state, reason } : { state };
  const picked = $('#ext-pick').value.trim();
  if (me.state === 'logged_out' && state !== 'logged_out' && picked && picked !== myExt) body.extension = picked;
  try {
    await post(`/agents/${enc(user.username)}/state`, body);
    if (body.extension) {
      myExt = body.extension;
      setText('my-ext', myExt);
      flash(t('console.extensionSet', { e: myExt }));
    }
  } catch (e) {
    flash(errorText(e), true);
  }
}

function wrapUpMs() {
  const ms = wrapByQueue.has(lastQueue) ? wrapByQueue.get(lastQueue) : WRAP_UP_MS;
  return Math.max(0, ms);
}
$('#btn-available').addEventListener('click', () => setState('available'));
$('#btn-wrapup').addEventListener('click', () => setState('wrap_up'));
$('#btn-logout').addEventListener('click', () => setState('logged_out'));
$('#btn-pause').addEventListener('click', async () => {
  const r = await ask(t('console.pauseReason'), {
    required: true, label: t('console.pauseReason'), options: PAUSE_REASONS.map((c) => [c, tr('reason', c)]),
  });
  if (r) setState('paused', r);
});
$('#pop-dismiss').addEventListener('click', hidePop);

// setMe shows the agent's state; internal is the phone's internal calls
// (Agent.internal_call), undefined to keep the ones shown.
function setMe(state, reason, at, internal) {
  if (state === 'wrap_up' && me.state !== 'wrap_up') wrapUntil = new Date(at || Date.now()).getTime() + wrapUpMs();
  me.state = state;
  me.reason = reason || '';
  me.since = at || new Date().toISOString();
  if (internal !== undefined) me.internal = internal || null;
  drawMe();
}

// drawMe draws the state badge: an available agent on an internal call
// gets no queue call, and reads as on that call.
function drawMe() {
  const p = agentPresence({ state: me.state, state_since: me.since, internal_call: me.internal });
  const b = setText('my-state', p.text);
  b.className = 'badge ' + p.cls;
  const why = [me.reason ? tr('reason', me.reason) : '', p.extra].filter(Boolean).join(' · ');
  setText('my-reason', why ? '(' + why + ')' : '');
  show($('#wrapup'), me.state === 'wrap_up');
  show($('#ext-pick-box'), me.state === 'logged_out'); // the extension is picked at login
  tick();
}

function tick() {
  setText('my-state-time', dur(since(agentPresence({ state: me.state, state_since: me.since, internal_call: me.internal }).since)));
  if (me.state === 'wrap_up') {
    const left = wrapUntil - Date.now();
    setText('wrapup-countdown', left > 0 ? t('console.wrapUpLeft', { s: dur(left + 999) }) : t('console.wrapUpDone'));
  }
  if (pop) {
    const start = pop.answeredAt || pop.offeredAt;
    const end = pop.endedAt ? new Date(pop.endedAt).getTime() : Date.now();
    setText('pop-timer', dur(end - new Date(start).getTime()));
  }
}
setInterval(tick, 1000);

function renderQueues() {
  fill($('#queue-counts'), [...queues.entries()].sort(([a], [b]) => queueName(a).localeCompare(queueName(b))).map(([name, calls]) =>
    el('li', { 'data-queue': name }, el('span', { class: 'queue-name', text: queueName(name) }), ' ',
      el('span', { class: 'waiting', text: t('console.waiting', { n: calls.size }) }))));
}

function queueMove(e) {
  if (!e.queue) return;
  if (!queues.has(e.queue)) queues.set(e.queue, new Map());
  const calls = queues.get(e.queue);
  switch (e.kind) {
    case 'call_queued': calls.set(e.call_id, { callback: !!e.callback }); break;
    case 'callback_requested': calls.set(e.call_id, { callback: true }); break;
    case 'call_answered': case 'call_abandoned': case 'call_ended': calls.delete(e.call_id); break;
    default: return;
  }
  renderQueues();
}

function onMessage(msg) {
  if (msg.type === 'snapshot') {
    const s = msg.snapshot;
    queues.clear();
    for (const qs of s.queues || []) {
      queues.set(qs.name, new Map((qs.calls || []).map((c) => [c.call_id, { callback: !!c.callback }])));
      if (typeof qs.wrap_up_ns === 'number') wrapByQueue.set(qs.name, qs.wrap_up_ns / 1e6);
    }
    renderQueues();
    const a = (s.agents || []).find((x) => x.username === user.username);
    if (a && a.extension && a.extension !== myExt) { myExt = a.extension; setText('my-ext', myExt); }
    if (a) setMe(a.state, a.pause_reason, a.state_since, a.internal_call || null);
    const o = (msg.offers || []).find((x) => x.agent === user.username);
    if (o) {
      if (!pop || pop.callId !== o.call_id) showPop(o);
      if (o.kind === 'call_answered') talking(o);
    } else if (pop && pop.phase === 'ringing') {
      hidePop(); // the offer ended while we were away
    }
    return;
  }
  if (msg.type !== 'event') return;
  const e = msg.event;
  queueMove(e);
  if (e.agent !== user.username) return;
  const same = pop && pop.callId === e.call_id;
  switch (e.kind) {
    case 'call_offered': showPop(e); break;
    case 'call_answered': if (!same) showPop(e); talking(e); break;
    case 'call_offer_ended': if (same && pop.phase === 'ringing') hidePop(); break;
    case 'call_abandoned': if (same) phase('abandoned', e.ended_at || e.at); break;
    case 'call_ended': if (same) phase('ended', e.ended_at || e.at); break;
    case 'ticket_changed': if (pop && pop.ticket && pop.ticket === e.ticket_number) refreshPopTicket(e.ticket_version); break;
    case 'agent_state':
      if (e.extension && e.extension !== myExt) { myExt = e.extension; setText('my-ext', myExt); }
      setMe(e.state, e.pause_reason, e.at, e.internal_call || null);
      break;
    case 'agent_internal_call':
      me.internal = e.internal_call || null;
      drawMe();
      break;
  }
}

function phase(p, endedAt) {
  pop.phase = p;
  if (endedAt) pop.endedAt = endedAt;
  const n = setText('pop-phase', t({ ringing: 'pop.incoming', talking: 'pop.talking', ended: 'pop.ended', abandoned: 'pop.abandoned' }[p]));
  n.className = 'pop-phase phase-' + p;
  tick();
}

function talking(e) {
  pop.answeredAt = e.answered_at || e.at;
  phase('talking');
}

// refreshPopTicket draws the pop's ticket again as it is now (with version,
// only if the pop shows an older one), keeping what the agent is typing.
// When the agent answers, Atiende assigns the call's ticket to them and the
// hub sends ticket_changed (ticket number and new version) to their console:
// redrawn, the ticket shows them as assignee and the next action carries
// the current version, so it is not refused as stale (409).
function refreshPopTicket(version) {
  if (!pop || !pop.ticket) return;
  refreshTicketPanel($('#pop-ticket'), pop.ticket, version).catch((err) => flash(errorText(err), true));
}

function hidePop() {
  pop = null;
  show($('#pop'), false);
  show($('#idle'), true);
}

// showPop draws the card at once from the event, then completes it from the
// API: ticket, contact, the caller's other tickets, major incidents and the
// service's checklist.
function showPop(e) {
  if (e.queue) lastQueue = e.queue;
  pop = { callId: e.call_id, offeredAt: e.offered_at || e.at, number: e.caller_number || '', ticket: e.ticket_number || '' };
  const mine = pop;
  phase('ringing');
  for (const id of ['pop-name', 'pop-department', 'pop-email']) setText(id, '…');
  setText('pop-display-name', e.caller_name || '—');
  setText('pop-number', e.caller_number || '—');
  setText('pop-queue', queueName(e.queue) || '—');
  setText('pop-ivr', ivrPath(e.ivr_path) || '—');
  setText('pop-ticket-number', e.ticket_number ? '#' + e.ticket_number : '');
  show($('#pop-unknown'), false);
  show($('#pop-contact-form'), false);
  show($('#pop-major'), false);
  fill($('#pop-ticket'));
  fill($('#pop-open-list'));
  fill($('#pop-last-list'));
  fill($('#pop-checklist'));
  show($('#idle'), false);
  show($('#pop'), true);
  const current = () => pop === mine;
  (async () => {
    let tk = null;
    if (e.ticket_number) tk = await ticketPanel($('#pop-ticket'), e.ticket_number, { me: user.username, inPop: true });
    if (!current()) return;
    await caller(tk, e, current);
    if (current()) popped(e.call_id);
    if (tk) await Promise.all([related(tk, e, current), majors(tk, current), checklist(tk, current)]);
  })().catch((err) => flash(errorText(err), true));
}

// popped tells the hub, once per call, that the pop (caller, ticket) is on
// the screen: a task queued from an animation frame runs after that frame
// is painted. The hub measures atiende_screenpop_seconds from the offer.
const poppedCalls = new Set();
function popped(callId) {
  if (!callId || poppedCalls.has(callId)) return;
  poppedCalls.add(callId);
  requestAnimationFrame(() => setTimeout(() => desk && desk.send({ type: 'popped', call_id: callId }), 0));
}

async function caller(tk, e, current) {
  let c = tk && tk.caller && tk.caller.contact_id ? tk.caller : null;
  if (!c && e.caller_number) {
    try {
      const ct = await get('/contacts/lookup' + q({ phone: e.caller_number }));
      c = { name: ct.name, department: ct.department, email: ct.email };
    } catch (err) {
      if (err.status !== 404 && err.status !== 400) throw err;
    }
  }
  if (!current()) return;
  setText('pop-name', c ? c.name : t('pop.unknown'));
  setText('pop-department', (c && c.department) || '—');
  setText('pop-email', (c && c.email) || '—');
  show($('#pop-unknown'), !c);
}

$('#pop-create').addEventListener('click', () => {
  const f = $('#pop-contact-form');
  f.elements.name.value = '';
  show(f, true);
  f.elements.name.focus();
});
$('#pop-contact-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  try {
    const ct = await post('/contacts', {
      name: f.elements.name.value.trim(), department: f.elements.department.value.trim(),
      email: f.elements.email.value.trim(), phones: pop && pop.number ? [pop.number] : [],
    });
    flash(t('pop.contactCreated'));
    show(f, false);
    show($('#pop-unknown'), false);
    setText('pop-name', ct.name);
    setText('pop-department', ct.department || '—');
    setText('pop-email', ct.email || '—');
  } catch (err) {
    flash(errorText(err), true);
  }
});

const ticketItem = (x) => el('li', {},
  el('a', { href: '/tickets.html#' + encodeURIComponent(x.number), target: '_blank', rel: 'noopener', text: '#' + x.number }), ' ',
  el('span', { class: 'badge state-' + x.state, text: tr('ticketState', x.state) }), ' ',
  el('span', { text: x.subject || '' }));

async function related(tk, e, current) {
  const phone = (tk.caller && tk.caller.phone) || e.caller_number;
  if (!phone) return;
  let list;
  try { list = await get('/tickets' + q({ caller_phone: phone, limit: 50 })); } catch { return; }
  if (!current()) return;
  const others = (list.items || []).filter((x) => x.number !== tk.number);
  const open = others.filter((x) => isOpen(x.state));
  fill($('#pop-open-list'), open.length ? open.map(ticketItem) : el('li', { class: 'muted', i18n: 'pop.noTickets' }));
  const last = others.slice().sort((a, b) => (b.created_at || '').localeCompare(a.created_at || '')).slice(0, 5);
  fill($('#pop-last-list'), last.length ? last.map(ticketItem) : el('li', { class: 'muted', i18n: 'pop.noTickets' }));
}

async function majors(tk, current) {
  let list;
  try {
    list = await get('/tickets' + q({ service: tk.service, state: ['registered', 'in_progress', 'on_hold', 'pending_user'], limit: 100 }));
  } catch { return; }
  if (!current()) return;
  const m = (list.items || []).filter((x) => x.major_incident && x.number !== tk.number);
  const box = $('#pop-major');
  fill(box, m.length ? [el('strong', { i18n: 'pop.majorIncident' }), ': ', m.map((x) => el('span', { class: 'major-item', text: '#' + x.number + ' ' + (x.subject || '') }))] : []);
  show(box, m.length > 0);
}

async function checklist(tk, current) {
  const svc = await service(tk.service).catch(() => undefined);
  if (!current() || !svc || !svc.checklist) return;
  const steps = svc.checklist[getLang()] || svc.checklist.es || [];
  fill($('#pop-checklist'), steps.map((s, i) => el('li', {},
    el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'chk-' + i }), el('span', { text: s })))));
}

// Queue names come from the catalog: draw the counts again once it is here.
loadNames().then(renderQueues).catch(() => {});

// ticket_changed is not replayed on reconnect: after being away, draw the
// pop's ticket again in case it changed meanwhile.
let connected = false;
const desk = connectDesk(onMessage, (s) => {
  wsStatus(s);
  if (s === 'online' && connected) refreshPopTicket();
  if (s === 'online') connected = true;
});
