// Tickets: list, search, detail with notes and history.
import { get, q, enc } from './api.js';
import { t, tr } from './i18n.js';
import { el, fill, setText, show, option, $ } from './dom.js';
import { when } from './format.js';
import { boot, flash, errorText } from './common.js';
import { ticketPanel, states } from './ticketview.js';
import { loadNames, actorName, fieldLabel, historyValue, historyReason } from './names.js';

await boot();
for (const s of states) $('#state').append(option(s, tr('ticketState', s)));

async function list() {
  const text = $('#q').value.trim();
  const state = $('#state').value;
  try {
    // A query that is all digits is a ticket number or a phone.
    let r;
    if (/^\+?[0-9 ]{4,}$/.test(text) && !state) {
      const digits = text.replace(/ /g, '');
      r = await get('/tickets' + q({ caller_phone: digits, limit: 100 })).catch(() => ({ items: [], total: 0 }));
      const one = await get('/tickets/' + enc(digits)).catch(() => null);
      if (one && !r.items.some((x) => x.number === one.number)) r.items.unshift(one);
    } else if (text) {
      r = await get('/tickets/search' + q({ q: text, limit: 100 }));
      if (state) r.items = r.items.filter((x) => x.state === state);
    } else {
      r = await get('/tickets' + q({ state, limit: 100 }));
    }
    setText('count', t('tickets.results', { n: r.items.length }));
    fill($('#rows'), r.items.length ? r.items.map((x) => el('tr', { 'data-number': x.number },
      el('td', {}, el('a', { href: '#' + encodeURIComponent(x.number), text: '#' + x.number })),
      el('td', {}, el('span', { class: 'badge state-' + x.state, text: tr('ticketState', x.state) })),
      el('td', { text: 'P' + x.priority }),
      el('td', { text: String(x.level) }),
      el('td', { class: 'subject', text: x.subject || '' }),
      el('td', { text: (x.caller && (x.caller.name || x.caller.phone || x.caller.extension)) || '' }),
      el('td', { text: when(x.created_at) }))) : el('tr', {}, el('td', { colspan: 7, class: 'muted', i18n: 'tickets.empty' })));
  } catch (e) {
    flash(errorText(e), true);
  }
}

async function detail(number) {
  await ticketPanel($('#detail'), number, { onChange: () => extras(number) });
  await extras(number);
}

async function extras(number) {
  const [notes, hist] = await Promise.all([
    get(`/tickets/${enc(number)}/notes`).catch(() => []),
    get(`/tickets/${enc(number)}/history`).catch(() => []),
    loadNames().catch(() => null),
  ]);
  fill($('#notes'), notes.length ? notes.map((n) => el('li', { class: n.internal ? 'internal' : '' },
    el('div', { class: 'muted' }, el('span', { text: n.author }), ' · ', el('span', { text: when(n.created_at) }),
      n.internal ? el('span', { class: 'badge', i18n: 'act.internal' }) : null),
    el('p', { class: 'note-body', text: n.body }))) : el('li', { class: 'muted', i18n: 'tickets.noNotes' }));
  fill($('#history'), hist.map((h) => el('tr', {},
    el('td', { text: when(h.at) }), el('td', { class: 'actor', text: actorName(h.actor) }),
    el('td', { class: 'hist-field', text: fieldLabel(h.field) }),
    el('td', { text: historyValue(h.field, h.from) }),
    el('td', { text: historyValue(h.field, h.to) }),
    el('td', { text: historyReason(h.reason) }))));
}

function route() {
  const n = decodeURIComponent(location.hash.slice(1));
  const isDetail = /^[0-9]{1,20}$/.test(n);
  show($('#list-view'), !isDetail);
  show($('#detail-view'), isDetail);
  if (isDetail) detail(n);
  else list();
}

$('#search').addEventListener('submit', (ev) => { ev.preventDefault(); if (location.hash) location.hash = ''; else list(); });
$('#back').addEventListener('click', (ev) => { ev.preventDefault(); location.hash = ''; });
window.addEventListener('hashchange', route);
route();
