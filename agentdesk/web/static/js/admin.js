// Administration: users (admins), queues and agents, the catalog, IVR
// announcements, maintenance windows (supervisors and admins). Each tab but
// users and maintenance is its own module (admin-*.js) with an init(ctx)
// and its own strings. The server authorises every call; the page only hides
// what the role cannot use.
import { api, get, post, q, enc } from './api.js';
import * as queues from './admin-queues.js';
import * as catalogTab from './admin-catalog.js';
import * as announcements from './admin-announcements.js';
import { t, tr, getLang, addMessages } from './i18n.js';
import { el, fill, $, $$, option, show } from './dom.js';
import { when } from './format.js';
import { boot, flash, errorText, ask } from './common.js';
import { loadNames, queueName, serviceLabel } from './names.js';

addMessages({
  'adm.keepTokens': 'Al cambiar la contraseña, conservar sus tokens de API (sus sesiones se cierran igual)',
}, {
  'adm.keepTokens': 'When changing the password, keep their API tokens (their sessions end anyway)',
});

const user = await boot(['supervisor', 'admin']);
const isAdmin = user.role === 'admin';
const ROLES = ['agent', 'technician', 'supervisor', 'network', 'admin'];
const TABS = ['users', 'queues', 'catalog', 'announcements', 'maintenance'];
let catalog = { services: [] };
let users = [];
let editing = null; // the user being edited, or null for a new one

// Tabs.
function showTab(name) {
  for (const b of $$('.tabs button')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const p of TABS) show($('#panel-' + p), p === name);
  history.replaceState(null, '', '#' + name);
}
show($('#tab-users'), isAdmin);
for (const b of $$('.tabs button')) b.addEventListener('click', () => showTab(b.dataset.tab));

const svcName = (s) => (s.name && (s.name[getLang()] || s.name.es)) || s.code;
const list = (v) => (v || '').split(',').map((x) => x.trim()).filter(Boolean);

// Users.
function renderUsers() {
  fill($('#user-rows'), users.map((u) => el('tr', { 'data-user': u.username, class: (u.disabled ? 'disabled' : '') + (editing && editing.username === u.username ? ' selected' : '') },
    el('td', { class: 'username', text: u.username }),
    el('td', { class: 'name', text: u.name || '' }),
    el('td', {}, el('span', { class: 'badge', i18n: 'role.' + u.role })),
    el('td', { class: 'ext', text: u.extension || '—' }),
    el('td', { class: 'skills', text: (u.skills || []).map(queueName).join(', ') }),
    el('td', { class: 'num', text: String(u.level || 1) }),
    el('td', { class: 'status', i18n: u.disabled ? 'adm.disabled' : 'adm.active' }),
    el('td', {}, el('button', { type: 'button', class: 'small edit', i18n: 'adm.edit', onclick: () => editUser(u) })))));
}

async function loadUsers() {
  try {
    users = (await get('/users')) || [];
    users.sort((a, b) => a.username.localeCompare(b.username));
    renderUsers();
  } catch (e) { flash(errorText(e), true); }
}

const form = $('#user-form');
fill(form.elements.role, ROLES.map((r) => option(r, t('role.' + r), r === 'agent')));

function editUser(u) {
  editing = u;
  form.reset();
  const f = form.elements;
  $('#user-form-title').textContent = u ? t('adm.editUser', { u: u.username }) : t('adm.newUser');
  $('#user-save').textContent = u ? t('save') : t('adm.create');
  $('#user-password-label').textContent = u ? t('adm.passwordReset') : t('adm.password');
  f.username.value = u ? u.username : '';
  f.username.readOnly = !!u;
  f.name.value = u ? u.name || '' : '';
  f.email.value = u ? u.email || '' : '';
  f.role.value = u ? u.role : 'agent';
  f.language.value = u ? u.language || 'es' : 'es';
  f.extension.value = u ? u.extension || '' : '';
  f.skills.value = u ? (u.skills || []).join(', ') : '';
  f.level.value = String(u ? u.level || 1 : 1);
  f.disabled.checked = !!(u && u.disabled);
  show($('#user-disabled-box'), !!u);
  show($('#user-keep-tokens-box'), !!u);
  f.password.required = !u;
  renderUsers();
  (u ? f.name : f.username).focus();
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = form.elements;
  const body = {
    name: f.name.value.trim(), email: f.email.value.trim(), role: f.role.value, language: f.language.value,
    extension: f.extension.value.trim(), skills: list(f.skills.value), level: Number(f.level.value),
  };
  try {
    if (editing) {
      body.version = editing.version;
      body.disabled = f.disabled.checked;
      if (f.password.value) {
        body.password = f.password.value;
        if (f.keep_tokens.checked) body.keep_tokens = true;
      }
      await api('PUT', '/users/' + enc(editing.username), body);
      flash(t('adm.saved', { u: editing.username }));
    } else {
      body.username = f.username.value.trim();
      body.password = f.password.value;
      await post('/users', body);
      flash(t('adm.created', { u: body.username }));
    }
    editing = null;
    editUser(null);
    await loadUsers();
  } catch (e) { flash(errorText(e), true); }
});
$('#user-new').addEventListener('click', () => editUser(null));
$('#user-cancel').addEventListener('click', () => editUser(null));

// Maintenance windows.
function renderMaintenance(items) {
  if (!items.length) {
    fill($('#m-rows'), el('tr', {}, el('td', { colspan: 8, class: 'muted', i18n: 'adm.mEmpty' })));
    return;
  }
  fill($('#m-rows'), items.map((m) => el('tr', { 'data-maintenance': m.id, class: m.cancelled ? 'disabled' : null },
    el('td', { class: 'num', text: String(m.id) }),
    el('td', { text: when(m.start) }),
    el('td', { text: when(m.end) }),
    el('td', { class: 'services', text: (m.services || []).map(serviceLabel).join(', ') }),
    el('td', { text: (m.areas || []).length ? m.areas.join(', ') : t('adm.allAreas') }),
    el('td', { class: 'summary', text: (getLang() === 'en' && m.summary_en) || m.summary_es || '' }),
    el('td', { class: 'status', i18n: m.cancelled ? 'adm.mCancelled' : m.notified_at ? 'adm.mNotified' : 'adm.mPending' }),
    el('td', {}, m.cancelled ? null : el('button', { type: 'button', class: 'small cancel', i18n: 'adm.mCancel', onclick: () => cancelMaintenance(m) })))));
}

async function loadMaintenance() {
  try {
    const r = await get('/maintenance' + q({ past: $('#m-past').checked ? 'true' : '', cancelled: 'true' }));
    renderMaintenance(r.items || []);
  } catch (e) {
    if (e.status === 404) show($('#tab-maintenance'), false); // no maintenance desk configured
    else flash(errorText(e), true);
  }
}
$('#m-past').addEventListener('change', loadMaintenance);

async function cancelMaintenance(m) {
  if (await ask(t('adm.mConfirmCancel', { id: m.id }), {}) === null) return;
  try {
    await post('/maintenance/' + enc(m.id) + '/cancel');
    await loadMaintenance();
  } catch (e) { flash(errorText(e), true); }
}

$('#m-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = ev.target.elements;
  const iso = (v) => new Date(v).toISOString(); // datetime-local is the browser's local time
  const picked = new Set(Array.from(f.services.selectedOptions).map((o) => o.value));
  const body = {
    // In catalog order (the picker groups them by queue).
    services: (catalog.services || []).map((s) => s.code).filter((c) => picked.has(c)), areas: list(f.areas.value),
    start: iso(f.start.value), end: iso(f.end.value), summary_es: f.summary_es.value.trim(), summary_en: f.summary_en.value.trim(),
  };
  try {
    await post('/maintenance', body);
    flash(t('adm.mScheduled'));
    ev.target.reset();
    await loadMaintenance();
  } catch (e) {
    const early = e.data && e.data.earliest_start;
    if (!early) { flash(errorText(e), true); return; }
    // A start too soon: say so in the user's language, with the earliest
    // allowed start in local time (kept as ISO in data-earliest).
    flash(t('adm.mTooSoon', { h: e.data.notice_business_hours, when: when(early) }), true);
    $('#flash').dataset.earliest = early;
  }
});

// The maintenance form lists the catalog's services.
function renderServices() {
  // Grouped by queue, each under its name; services by name.
  const groups = new Map();
  for (const s of (catalog.services || []).filter((x) => !x.inactive)) {
    if (!groups.has(s.group)) groups.set(s.group, []);
    groups.get(s.group).push(s);
  }
  fill($('#m-form').elements.services, [...groups.entries()].sort(([a], [b]) => queueName(a).localeCompare(queueName(b)))
    .map(([g, list]) => el('optgroup', { label: queueName(g) },
      list.sort((a, b) => svcName(a).localeCompare(svcName(b))).map((s) => option(s.code, svcName(s))))));
}

try { catalog = await get('/catalog'); await loadNames(); } catch (e) { flash(errorText(e), true); }
renderServices();
editUser(null);
const start = location.hash.slice(1);
showTab(TABS.includes(start) && (start !== 'users' || isAdmin) ? start : isAdmin ? 'users' : 'maintenance');
if (isAdmin) loadUsers();
loadMaintenance();
// ctx is what every tab module gets: the user, the catalog as loaded, and
// catalogChanged() for a module that edits it (the others redraw).
const ctx = {
  user, isAdmin, catalog: () => catalog,
  catalogChanged(c) { catalog = c; renderServices(); for (const m of [queues, announcements]) m.catalogChanged?.(c); },
};
for (const m of [queues, catalogTab, announcements]) m.init(ctx);
