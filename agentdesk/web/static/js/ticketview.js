// A ticket's details and the actions an agent takes on it: classify,
// prioritise, escalate, note, move through the lifecycle, link to a parent.
// Shared by the console's screen-pop and the tickets page.
import { get, post, patch, enc } from './api.js';
import { t, tr, getLang } from './i18n.js';
import { el, fill, option } from './dom.js';
import { when } from './format.js';
import { ask, flash, errorText } from './common.js';

// Allowed moves, as tickets/state.go (DOMAIN.md): [from, to, reason required].
export const transitions = [
  ['registered', 'in_progress', false], ['in_progress', 'pending_user', true], ['pending_user', 'in_progress', false],
  ['pending_user', 'rejected', true], ['in_progress', 'on_hold', true], ['on_hold', 'in_progress', false],
  ['in_progress', 'rejected', true], ['in_progress', 'resolved', true], ['resolved', 'closed', false],
];
export const states = ['registered', 'in_progress', 'pending_user', 'on_hold', 'resolved', 'closed', 'rejected'];
export const isOpen = (s) => s !== 'resolved' && s !== 'closed' && s !== 'rejected';
const kinds = ['complaint', 'incident', 'information_request', 'change_request', 'observation'];
const levels3 = ['high', 'medium', 'low'];

let catalogP = null;
export function catalog() {
  if (!catalogP) catalogP = get('/catalog').catch((e) => { catalogP = null; throw e; });
  return catalogP;
}

export async function service(code) {
  const c = await catalog();
  return (c.services || []).find((s) => s.code === code);
}

export function serviceName(svc, code) {
  if (!svc) return code || '';
  return (svc.name && (svc.name[getLang()] || svc.name.es)) || svc.code;
}

// field is one "label: value" row; value is text.
const field = (key, value, cls) => el('div', { class: 'field ' + (cls || '') },
  el('span', { class: 'label', i18n: key }), el('span', { class: 'value', text: value ?? '—' }));

// ticketPanel draws ticket number into box with its actions; onChange gets
// the ticket after every change. It returns the ticket.
export async function ticketPanel(box, number, { onChange = () => {} } = {}) {
  fill(box, el('p', { class: 'muted', i18n: 'loading' }));
  let tk;
  try {
    tk = await get('/tickets/' + enc(number));
  } catch (e) {
    fill(box, el('p', { class: 'error', text: errorText(e) }));
    return null;
  }
  const svc = await service(tk.service).catch(() => undefined);
  const redraw = async (fresh) => { onChange(fresh); await ticketPanel(box, number, { onChange }); };
  fill(box,
    el('div', { class: 'ticket-head' },
      el('span', { class: 'ticket-number', text: '#' + tk.number }),
      el('span', { class: 'badge state-' + tk.state, text: tr('ticketState', tk.state) }),
      el('span', { class: 'badge prio-' + tk.priority, text: 'P' + tk.priority }),
      tk.major_incident ? el('span', { class: 'badge major', i18n: 'ticket.major' }) : null),
    el('h3', { class: 'ticket-subject', text: tk.subject || '—' }),
    el('div', { class: 'fields' },
      field('ticket.kind', tr('kind', tk.kind)),
      field('ticket.service', serviceName(svc, tk.service)),
      field('ticket.level', String(tk.level)),
      field('ticket.impact', tr('level3', tk.impact)),
      field('ticket.urgency', tr('level3', tk.urgency)),
      field('ticket.assignee', tk.assignee || '—'),
      field('ticket.parent', tk.parent_number || '—'),
      field('ticket.created', when(tk.created_at)),
      field('ticket.caller', [tk.caller && tk.caller.name, tk.caller && (tk.caller.phone || tk.caller.extension)].filter(Boolean).join(' · ') || '—')),
    tk.description ? el('p', { class: 'ticket-description', text: tk.description }) : null,
    actions(tk, redraw));
  return tk;
}

function actions(tk, redraw) {
  const run = async (fn) => {
    try {
      const fresh = await fn();
      flash(t('act.saved'));
      await redraw(fresh);
    } catch (e) {
      flash(errorText(e), true);
      // A conflict: the ticket changed meanwhile (Atiende assigns it to the
      // agent who answers, for one). Show the current version, so that the
      // next try is made on it.
      if (e.status === 409) await redraw(null);
    }
  };
  const moves = transitions.filter(([from]) => from === tk.state).map(([, to, needs]) =>
    el('button', {
      type: 'button', class: 'move', 'data-to': to, text: t('act.moveTo', { s: tr('ticketState', to) }),
      onclick: async () => {
        let reason = '';
        if (needs) {
          reason = await ask(t('act.moveTo', { s: tr('ticketState', to) }), { required: true });
          if (reason === null) return;
        }
        run(() => post(`/tickets/${enc(tk.number)}/transition`, { to, reason, version: tk.version }));
      },
    }));

  const kind = el('select', { name: 'kind' }, kinds.map((k) => option(k, tr('kind', k), k === tk.kind)));
  const svcSel = el('select', { name: 'service' }, option(tk.service, tk.service, true));
  catalog().then((c) => fill(svcSel, (c.services || []).map((s) => option(s.code, serviceName(s), s.code === tk.service)))).catch(() => {});
  const impact = el('select', { name: 'impact' }, levels3.map((l) => option(l, tr('level3', l), l === tk.impact)));
  const urgency = el('select', { name: 'urgency' }, levels3.map((l) => option(l, tr('level3', l), l === tk.urgency)));
  const prio = el('select', { name: 'priority' }, option('', t('act.priorityAuto'), true),
    [1, 2, 3, 4].map((p) => option(String(p), 'P' + p)));
  const level = el('select', { name: 'level' }, [1, 2, 3, 4].map((l) => option(String(l), String(l), l === tk.level)));
  const note = el('textarea', { rows: 2, maxlength: 20000, name: 'note' });
  const internal = el('input', { type: 'checkbox', name: 'internal' });
  const parent = el('input', { name: 'parent', inputmode: 'numeric', pattern: '[0-9]*', maxlength: 20, value: tk.parent_number || '' });
  const form = (cls, titleKey, onsubmit, ...inputs) => el('form', {
    class: 'action ' + cls,
    onsubmit: (ev) => { ev.preventDefault(); onsubmit(); },
  }, el('h4', { i18n: titleKey }), ...inputs);
  const url = `/tickets/${enc(tk.number)}`;

  return el('div', { class: 'actions' },
    moves.length ? el('div', { class: 'action moves' }, el('h4', { i18n: 'act.transition' }), moves) : null,
    form('classify', 'act.classify', () => run(() => patch(url, { version: tk.version, kind: kind.value, service: svcSel.value })),
      el('label', {}, el('span', { i18n: 'ticket.kind' }), kind),
      el('label', {}, el('span', { i18n: 'ticket.service' }), svcSel),
      el('button', { type: 'submit', i18n: 'act.apply' })),
    form('prioritise', 'act.prioritise', () => {
      const body = { version: tk.version, impact: impact.value, urgency: urgency.value };
      if (prio.value) body.priority = Number(prio.value);
      run(() => patch(url, body));
    },
    el('label', {}, el('span', { i18n: 'ticket.impact' }), impact),
    el('label', {}, el('span', { i18n: 'ticket.urgency' }), urgency),
    el('label', {}, el('span', { i18n: 'ticket.priority' }), prio),
    el('button', { type: 'submit', i18n: 'act.apply' })),
    form('escalate', 'act.escalate', async () => {
      const reason = await ask(t('act.escalate'), {});
      if (reason === null) return;
      run(() => patch(url, { version: tk.version, level: Number(level.value), reason }));
    },
    el('label', {}, el('span', { i18n: 'ticket.level' }), level),
    el('button', { type: 'submit', i18n: 'act.apply' })),
    form('note', 'act.note', () => {
      if (!note.value.trim()) return;
      run(async () => { await post(`${url}/notes`, { body: note.value, internal: internal.checked }); note.value = ''; return tk; });
    },
    note, el('label', { class: 'check' }, internal, el('span', { i18n: 'act.internal' })),
    el('button', { type: 'submit', i18n: 'act.addNote' })),
    form('link', 'act.link', () => {
      if (!parent.value.trim()) return;
      run(() => post(`${url}/link`, { parent: parent.value.trim(), version: tk.version }));
    },
    el('label', {}, el('span', { i18n: 'act.parentNumber' }), parent),
    el('button', { type: 'submit', i18n: 'act.apply' })));
}
