// Page boot: the session's user, language, header and navigation.
import { get, post, setCSRF } from './api.js';
import { setLang, t, applyI18n, getLang } from './i18n.js';
import { el, fill } from './dom.js';

const LANG_KEY = 'atiende_lang';

export function homeFor(role) {
  switch (role) {
    case 'supervisor': case 'admin': return '/wallboard.html';
    case 'network': return '/network.html';
    default: return '/agent.html';
  }
}

const pages = [
  { href: '/agent.html', key: 'nav.console', roles: ['agent', 'technician', 'supervisor', 'admin'] },
  { href: '/wallboard.html', key: 'nav.wallboard', roles: ['supervisor', 'admin'] },
  { href: '/report.html', key: 'nav.report', roles: ['supervisor', 'admin'] },
  { href: '/network.html', key: 'nav.network', roles: ['network', 'supervisor', 'admin'] },
  { href: '/tickets.html', key: 'nav.tickets', roles: ['agent', 'technician', 'supervisor', 'network', 'admin'] },
  { href: '/admin.html', key: 'nav.admin', roles: ['supervisor', 'admin'] },
];

export function initLang(userLang) {
  setLang(localStorage.getItem(LANG_KEY) || userLang || 'es');
}

// boot loads the user, refuses pages the role may not see (the server
// refuses their data anyway), and draws the header.
export async function boot(roles) {
  const me = await get('/me');
  setCSRF(me.csrf_token);
  const user = me.user;
  initLang(user.language);
  if (roles && !roles.includes(user.role)) {
    location.replace(homeFor(user.role));
    throw new Error('page not allowed for role ' + user.role);
  }
  drawHeader(user);
  applyI18n(document);
  return user;
}

function drawHeader(user) {
  const top = document.getElementById('top');
  if (!top) return;
  const nav = el('nav', {}, pages.filter((p) => p.roles.includes(user.role)).map((p) =>
    el('a', { href: p.href, class: location.pathname === p.href ? 'current' : null, i18n: p.key })));
  fill(top,
    el('span', { class: 'brand', text: 'Atiende' }),
    nav,
    el('span', { class: 'who' }, el('span', { class: 'user-name', text: user.name || user.username }), ' · ',
      el('span', { i18n: 'role.' + user.role })),
    el('span', { id: 'ws-status', class: 'ws-status' }),
    el('button', { type: 'button', class: 'link', onclick: toggleLang, i18n: 'nav.lang' }),
    el('button', { type: 'button', class: 'link', onclick: logout, i18n: 'nav.logout' }));
}

function toggleLang() {
  localStorage.setItem(LANG_KEY, getLang() === 'es' ? 'en' : 'es');
  location.reload();
}

async function logout() {
  try { await post('/logout'); } finally { location.assign('/'); }
}

export function wsStatus(s) {
  const n = document.getElementById('ws-status');
  if (!n) return;
  n.textContent = t(s === 'online' ? 'ws.online' : 'ws.offline');
  n.className = 'ws-status ' + s;
}

// flash shows a short message (text) in #flash.
export function flash(msg, isError) {
  const n = document.getElementById('flash');
  if (!n) return;
  n.textContent = msg;
  n.className = isError ? 'flash error' : 'flash';
  n.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => { n.hidden = true; }, isError ? 8000 : 3000);
}

export function errorText(e) { return (e && e.message) || t('err.generic'); }

// ask shows a modal <dialog> with a text area and resolves to the text, or
// null when cancelled. required refuses an empty answer.
export function ask(title, { required = false, label = t('act.reason'), options = null } = {}) {
  return new Promise((resolve) => {
    const area = el('textarea', { rows: 3, maxlength: 200 });
    const sel = options ? el('select', {}, options.map(([v, l]) => el('option', { value: v }, l))) : null;
    const err = el('p', { class: 'error', hidden: true, i18n: 'act.reasonRequired' });
    const dlg = el('dialog', { class: 'ask' },
      el('form', { method: 'dialog' },
        el('h3', { text: title }),
        sel ? el('label', {}, el('span', { text: label }), sel) : null,
        el('label', {}, el('span', { text: sel ? t('reason.other') : label }), area),
        err,
        el('div', { class: 'buttons' },
          el('button', { type: 'button', value: 'cancel', i18n: 'cancel', onclick: () => done(null) }),
          el('button', { type: 'submit', value: 'ok', class: 'primary', i18n: 'confirm' }))));
    function done(v) { dlg.close(); dlg.remove(); resolve(v); }
    dlg.querySelector('form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      let v = area.value.trim();
      if (!v && sel && sel.value !== 'other') v = sel.value;
      if (required && !v) { err.hidden = false; return; }
      done(v);
    });
    dlg.addEventListener('cancel', (ev) => { ev.preventDefault(); done(null); });
    document.body.append(dlg);
    dlg.showModal();
    (sel || area).focus();
  });
}
