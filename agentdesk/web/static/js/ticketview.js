// A ticket's details and the actions an agent takes on it: classify,
// prioritise, escalate, note, move through the lifecycle, link to a parent.
// Shared by the console's screen-pop and the tickets page.
import { get, post, patch, enc } from './api.js';
import { t, tr, getLang, addMessages } from './i18n.js';
import { el, fill, option } from './dom.js';
import { when } from './format.js';
import { ask, flash, errorText } from './common.js';
import { loadNames, ivrPath } from './names.js';

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

addMessages({
  'act.details': 'Datos del ticket', 'act.saveChanges': 'Guardar cambios', 'act.noChanges': 'No hay cambios que guardar',
  'act.changed': '{n} cambios sin guardar', 'act.escalateReason': 'Motivo del cambio de nivel',
}, {
  'act.details': 'Ticket details', 'act.saveChanges': 'Save changes', 'act.noChanges': 'Nothing to save',
  'act.changed': '{n} unsaved changes', 'act.escalateReason': 'Reason for the level change',
});

// field is one "label: value" row; value is text.
const field = (key, value, cls) => el('div', { class: 'field ' + (cls || '') },
  el('span', { class: 'label', i18n: key }), el('span', { class: 'value', text: value ?? '—' }));

// panels: box -> {number, opts, gen, tk}, the ticket each box shows and the
// newest draw started in it.
const panels = new WeakMap();

// ticketPanel draws ticket number into box with its actions; onChange gets
// the ticket after every change. It returns the ticket. Drawn again over the
// same ticket (after a change, or refreshTicketPanel), it keeps what the
// user is typing or picking in the action forms, and the newest draw wins.
// me (the user's username), when given, lets an action refused as stale
// (409) be sent again on the current version when the only change meanwhile
// was Atiende assigning the ticket to me (it does so when me answers its
// call); any other conflict shows pop.conflict and the current ticket.
export async function ticketPanel(box, number, opts = {}) {
  const { onChange = () => {} } = opts;
  let st = panels.get(box);
  const again = st && st.number === number && st.tk && box.querySelector('.ticket-head');
  if (!again) {
    st = { number, gen: 0, tk: null };
    panels.set(box, st);
    fill(box, el('p', { class: 'muted', i18n: 'loading' }));
  }
  st.opts = opts;
  const gen = ++st.gen;
  let tk;
  try {
    tk = await get('/tickets/' + enc(number));
  } catch (e) {
    if (gen === st.gen && !again) fill(box, el('p', { class: 'error', text: errorText(e) }));
    return null;
  }
  const svc = await service(tk.service).catch(() => undefined);
  await loadNames().catch(() => {});
  if (gen !== st.gen || panels.get(box) !== st) return tk; // a newer draw is on its way
  st.tk = tk;
  const redraw = async (fresh) => { onChange(fresh); await ticketPanel(box, number, opts); };
  const kept = again ? typed(box) : null;
  fill(box,
    el('div', { class: 'ticket-head', 'data-number': tk.number },
      // In the screen-pop the number is already in the pop's title.
      opts.inPop ? null : el('span', { class: 'ticket-number', text: '#' + tk.number }),
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
      field('ticket.assignee', tk.assignee || '—', 'assignee'),
      field('ticket.parent', tk.parent_number || '—'),
      field('ticket.created', when(tk.created_at)),
      tk.ivr_path && tk.ivr_path.length && !opts.inPop ? field('pop.ivrPath', ivrPath(tk.ivr_path), 'ivr') : null, // the pop has it above
      callerField(tk.caller)),
    tk.description ? el('p', { class: 'ticket-description', text: tk.description }) : null,
    actions(tk, redraw, opts.me || ''));
  for (const f of box.querySelectorAll('form.action [name]')) f.dataset.initial = valueOf(f);
  if (kept) keep(box, kept);
  return tk;
}

// callerField shows the caller's name and number; the number never breaks
// across lines.
function callerField(c) {
  const name = c && c.name;
  const tel = c && (c.phone || c.extension);
  return el('div', { class: 'field caller' },
    el('span', { class: 'label', i18n: 'ticket.caller' }),
    el('span', { class: 'value' },
      name ? el('span', { class: 'caller-name', text: name }) : null,
      name && tel ? ' · ' : null,
      tel ? el('a', { class: 'tel', href: 'tel:' + tel, text: tel }) : null,
      !name && !tel ? '—' : null));
}

// refreshTicketPanel draws box again with ticket number as it is now, if
// box shows that ticket at a version older than version (at any version
// when version is not given); it keeps what the user is typing.
export async function refreshTicketPanel(box, number, version) {
  const st = panels.get(box);
  if (!st || st.number !== number) return null;
  if (version && st.tk && st.tk.version >= version) return st.tk;
  return ticketPanel(box, number, st.opts);
}

const valueOf = (f) => (f.type === 'checkbox' ? String(f.checked) : f.value);
const keyOf = (f) => (f.form ? f.form.className : '') + '|' + f.name;

// typed returns the action fields the user changed since they were drawn,
// and the one with the focus.
function typed(box) {
  const out = { fields: [], focus: null };
  for (const f of box.querySelectorAll('form.action [name]')) {
    const focused = f === document.activeElement;
    if (focused) out.focus = { key: keyOf(f), start: f.selectionStart, end: f.selectionEnd };
    if (valueOf(f) !== f.dataset.initial) out.fields.push({ key: keyOf(f), value: valueOf(f) });
  }
  return out;
}

// keep puts kept (from typed) into the fields drawn again. A select keeps
// the user's choice once its options are there (the services come later).
function keep(box, kept) {
  const byKey = new Map([...box.querySelectorAll('form.action [name]')].map((f) => [keyOf(f), f]));
  const put = (f, v) => {
    if (f.type === 'checkbox') f.checked = v === 'true';
    else f.value = v;
  };
  for (const { key, value } of kept.fields) {
    const f = byKey.get(key);
    if (!f) continue;
    if (f.tagName !== 'SELECT' || [...f.options].some((o) => o.value === value)) put(f, value);
    else catalog().then(() => { if (f.value === f.dataset.initial) put(f, value); }).catch(() => {});
  }
  const f = kept.focus && byKey.get(kept.focus.key);
  if (f) {
    f.focus();
    if (kept.focus.start !== null && typeof f.setSelectionRange === 'function') {
      try { f.setSelectionRange(kept.focus.start, kept.focus.end); } catch { /* not a text field */ }
    }
  }
}

// assignedToMe reports whether the only change from was to fresh is the
// ticket, unassigned, being assigned to me.
function assignedToMe(was, fresh, me) {
  if (!me || was.assignee || fresh.assignee !== me) return false;
  const skip = ['version', 'updated_at', 'assignee'];
  const rest = (x) => JSON.stringify(Object.keys(x).filter((k) => !skip.includes(k)).sort().map((k) => [k, x[k]]));
  return rest(was) === rest(fresh);
}

function actions(tk, redraw, me) {
  // run sends fn's change, made on the version of the ticket drawn (fn
  // gets the version to send). form is the form it came from: once saved,
  // its fields are no longer kept over the redraw.
  const run = async (fn, form) => {
    try {
      let fresh;
      try {
        fresh = await fn(tk.version);
      } catch (e) {
        if (e.status !== 409 || !me) throw e;
        // Stale: if Atiende only assigned the ticket to me meanwhile (the
        // call was answered), send the same change on the current version.
        const now = await get('/tickets/' + enc(tk.number)).catch(() => null);
        if (!now || !assignedToMe(tk, now, me)) throw e;
        fresh = await fn(now.version);
      }
      flash(t('act.saved'));
      if (form) for (const f of form.querySelectorAll('[name]')) f.dataset.initial = valueOf(f);
      await redraw(fresh);
    } catch (e) {
      // A conflict: someone else changed the ticket meanwhile. Say so and
      // show the current version, so that the next try is made on it.
      flash(e.status === 409 ? t('pop.conflict') : errorText(e), true);
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
        run((version) => post(`/tickets/${enc(tk.number)}/transition`, { to, reason, version }));
      },
    }));

  const kind = el('select', { name: 'kind' }, kinds.map((k) => option(k, tr('kind', k), k === tk.kind)));
  const svcSel = el('select', { name: 'service' }, option(tk.service, '…', true)); // named once the catalog is here
  catalog().then((c) => fill(svcSel, (c.services || []).filter((s) => !s.inactive || s.code === tk.service) // no new work on an inactive service
    .map((s) => option(s.code, serviceName(s), s.code === tk.service)))).catch(() => {});
  const impact = el('select', { name: 'impact' }, levels3.map((l) => option(l, tr('level3', l), l === tk.impact)));
  const urgency = el('select', { name: 'urgency' }, levels3.map((l) => option(l, tr('level3', l), l === tk.urgency)));
  const prio = el('select', { name: 'priority' }, option('', t('act.priorityAuto'), true),
    [1, 2, 3, 4].map((p) => option(String(p), 'P' + p)));
  const level = el('select', { name: 'level' }, [1, 2, 3, 4].map((l) => option(String(l), String(l), l === tk.level)));
  const note = el('textarea', { rows: 2, maxlength: 20000, name: 'note' });
  const internal = el('input', { type: 'checkbox', name: 'internal' });
  const parent = el('input', { name: 'parent', inputmode: 'numeric', pattern: '[0-9]*', maxlength: 20, value: tk.parent_number || '' });
  const url = `/tickets/${enc(tk.number)}`;
  const labeled = (key, input) => el('label', {}, el('span', { i18n: key }), input);

  // One form for the ticket's data, one save: only what changed is sent,
  // in one PATCH (a level change asks for its reason), then the link.
  const changes = () => {
    const body = {};
    if (kind.value !== tk.kind) body.kind = kind.value;
    if (svcSel.value && svcSel.value !== tk.service) body.service = svcSel.value;
    if (impact.value !== tk.impact) body.impact = impact.value;
    if (urgency.value !== tk.urgency) body.urgency = urgency.value;
    if (prio.value && Number(prio.value) !== tk.priority) body.priority = Number(prio.value);
    if (Number(level.value) !== tk.level) body.level = Number(level.value);
    const link = parent.value.trim() !== (tk.parent_number || '') && parent.value.trim() !== '' ? parent.value.trim() : '';
    return { body, link, n: Object.keys(body).length + (link ? 1 : 0) };
  };
  const pending = el('span', { class: 'muted pending', 'aria-live': 'polite' });
  const details = el('form', {
    class: 'action details',
    oninput: () => { const { n } = changes(); pending.textContent = n ? t('act.changed', { n }) : ''; },
    onchange: () => { const { n } = changes(); pending.textContent = n ? t('act.changed', { n }) : ''; },
    onsubmit: async (ev) => {
      ev.preventDefault();
      const f = ev.currentTarget;
      const { body, link, n } = changes();
      if (!n) { flash(t('act.noChanges')); return; }
      if ('level' in body) {
        const reason = await ask(t('act.escalateReason'), {});
        if (reason === null) return;
        body.reason = reason;
      }
      run(async (version) => {
        let fresh = null;
        if (Object.keys(body).length) fresh = await patch(url, { ...body, version });
        if (link) fresh = await post(`${url}/link`, { parent: link, version: fresh ? fresh.version : version });
        return fresh;
      }, f);
    },
  },
  el('h4', { i18n: 'act.details' }),
  el('div', { class: 'details-grid' },
    labeled('ticket.kind', kind), labeled('ticket.service', svcSel),
    labeled('ticket.impact', impact), labeled('ticket.urgency', urgency), labeled('ticket.priority', prio),
    labeled('ticket.level', level), labeled('act.parentNumber', parent)),
  el('div', { class: 'buttons' }, el('button', { type: 'submit', class: 'primary save', i18n: 'act.saveChanges' }), pending));

  const noteForm = el('form', {
    class: 'action note',
    onsubmit: (ev) => {
      ev.preventDefault();
      if (!note.value.trim()) return;
      run(async () => { await post(`${url}/notes`, { body: note.value, internal: internal.checked }); note.value = ''; return tk; }, ev.currentTarget);
    },
  }, el('h4', { i18n: 'act.note' }), note,
  el('div', { class: 'buttons' }, el('label', { class: 'check' }, internal, el('span', { i18n: 'act.internal' })),
    el('button', { type: 'submit', i18n: 'act.addNote' })));

  return el('div', { class: 'actions' },
    moves.length ? el('div', { class: 'action moves' }, el('h4', { i18n: 'act.transition' }), moves) : null,
    details, noteForm);
}
