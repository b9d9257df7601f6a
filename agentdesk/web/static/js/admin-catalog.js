// Administration, catalog tab: the services the help desk gives, their
// queue (support group), default kind, starting level and checklist. Admins
// edit a service (not its code), add one, or mark one inactive; every save
// names the catalog version it was made on, and the server refuses it (409)
// if someone saved in between. Supervisors see the table and the history.
import { api, get, post, enc } from './api.js';
import { t, tr, getLang, addMessages } from './i18n.js';
import { el, fill, $, show, option } from './dom.js';
import { when } from './format.js';
import { flash, errorText } from './common.js';
import { queueName, serviceLabel, loadNames } from './names.js';

addMessages({
  'cat.new': 'Nuevo servicio', 'cat.editTitle': 'Editar el servicio {s}',
  'cat.group': 'Grupo (cola)', 'cat.codeNote': 'Código y grupo: minúsculas, dígitos y _. El código no cambia después. Un grupo nuevo crea su cola al guardar; dé esa habilidad a sus agentes.',
  'cat.nameES': 'Nombre en español', 'cat.nameEN': 'Nombre en inglés', 'cat.levelStart': 'Nivel inicial',
  'cat.checklistES': 'Lista de verificación en español (un paso por línea)',
  'cat.checklistEN': 'Lista de verificación en inglés (un paso por línea, los mismos pasos)',
  'cat.keywords': 'Palabras clave (separadas por comas)',
  'cat.inactive': 'Inactivo', 'cat.active': 'Activo',
  'cat.inactiveNote': 'Un servicio inactivo no admite tickets nuevos y sale de las listas para elegir; sus tickets siguen igual y la opción del IVR que lo nombra sigue funcionando. Los servicios no se borran.',
  'cat.comment': 'Motivo del cambio (opcional)', 'cat.commentShort': 'Motivo',
  'cat.saved': 'Servicio {s} guardado: versión {v} del catálogo', 'cat.added': 'Servicio {s} agregado: versión {v} del catálogo',
  'cat.unchanged': 'Sin cambios en {s}',
  'cat.conflict': 'La tabla ya muestra el catálogo actual; revise el servicio y guarde de nuevo si aún quiere su cambio.',
  'cat.version': 'Versión {v}: {u}, {at}', 'cat.seed': 'Versión 0: el catálogo inicial, sin cambios',
  'cat.showInactive': 'Mostrar inactivos',
  'cat.history': 'Historial de versiones', 'cat.versionShort': 'Versión', 'cat.when': 'Fecha', 'cat.who': 'Por',
  'cat.changed': 'Servicios', 'cat.seedRow': 'Catálogo inicial (archivo de configuración o predeterminado)',
}, {
  'cat.new': 'New service', 'cat.editTitle': 'Edit service {s}',
  'cat.group': 'Group (queue)', 'cat.codeNote': 'Code and group: lowercase letters, digits and _. The code cannot change later. A new group gets its queue on save; give its agents that skill.',
  'cat.nameES': 'Name in Spanish', 'cat.nameEN': 'Name in English', 'cat.levelStart': 'Starting level',
  'cat.checklistES': 'Checklist in Spanish (one step per line)',
  'cat.checklistEN': 'Checklist in English (one step per line, the same steps)',
  'cat.keywords': 'Keywords (comma-separated)',
  'cat.inactive': 'Inactive', 'cat.active': 'Active',
  'cat.inactiveNote': 'An inactive service takes no new tickets and leaves the pickers; its tickets stay as they are and the IVR option that names it still works. Services are never deleted.',
  'cat.comment': 'Reason for the change (optional)', 'cat.commentShort': 'Reason',
  'cat.saved': 'Service {s} saved: catalog version {v}', 'cat.added': 'Service {s} added: catalog version {v}',
  'cat.unchanged': 'No changes to {s}',
  'cat.conflict': 'The table now shows the current catalog; check the service and save again if you still want your change.',
  'cat.version': 'Version {v}: {u}, {at}', 'cat.seed': 'Version 0: the initial catalog, never edited',
  'cat.showInactive': 'Show inactive',
  'cat.history': 'Version history', 'cat.versionShort': 'Version', 'cat.when': 'When', 'cat.who': 'By',
  'cat.changed': 'Services', 'cat.seedRow': 'Initial catalog (configuration file or default)',
});

const KINDS = ['incident', 'complaint', 'information_request', 'change_request', 'observation'];

let ctx = null;
let editing = null; // the code of the service in the form; '' for a new one; null: closed

const catalog = () => ctx.catalog() || { services: [] };
const services = () => catalog().services || [];
const svcName = (s) => (s.name && (s.name[getLang()] || s.name.es)) || s.code;
const lines = (v) => v.split('\n').map((x) => x.trim()).filter(Boolean);
const words = (v) => v.split(',').map((x) => x.trim()).filter(Boolean);
const form = $('#catalog-form');

function render() {
  const c = catalog();
  const all = services().slice().sort((a, b) => (a.group || '').localeCompare(b.group || '') || a.code.localeCompare(b.code));
  const svcs = $('#catalog-show-inactive').checked ? all : all.filter((s) => !s.inactive || s.code === editing);
  fill($('#catalog-rows'), svcs.map((s) => el('tr', { 'data-service': s.code,
    class: (s.inactive ? 'inactive' : '') + (editing === s.code ? ' selected' : '') || null },
  el('td', { class: 'queue', text: queueName(s.group) || '—' }),
  el('td', { class: 'code', text: s.code }),
  el('td', { class: 'name', text: svcName(s) }),
  el('td', { class: 'kind', text: tr('kind', s.default_kind) }),
  el('td', { class: 'num level', text: String(s.level || 1) }),
  el('td', { class: 'support', i18n: s.support_24x7 ? 'adm.yes' : 'adm.no' }),
  el('td', { class: 'checklist' }, el('ol', {}, ((s.checklist && (s.checklist[getLang()] || s.checklist.es)) || []).map((x) => el('li', { text: x })))),
  el('td', { class: 'status' }, el('span', { class: 'badge ' + (s.inactive ? 'svc-inactive' : 'svc-active'), i18n: s.inactive ? 'cat.inactive' : 'cat.active' })),
  el('td', {}, ctx.isAdmin ? el('button', { type: 'button', class: 'small edit', i18n: 'adm.edit', onclick: () => edit(s.code) }) : null))));
  $('#catalog-version').textContent = c.version
    ? t('cat.version', { v: c.version, u: c.edited_by || '—', at: when(c.edited_at) }) : t('cat.seed');
  fill($('#catalog-groups'), [...new Set(all.map((s) => s.group).filter(Boolean))].sort().map((g) => option(g, queueName(g))));
}

// edit opens the form on a service, on a new one (''), or closes it (null).
function edit(code) {
  const s = code ? services().find((x) => x.code === code) : null;
  editing = code === null || (code && !s) ? null : code;
  show(form, editing !== null);
  render();
  if (editing === null) return;
  form.reset();
  const f = form.elements;
  $('#catalog-form-title').textContent = s ? t('cat.editTitle', { s: s.code }) : t('cat.new');
  f.code.value = s ? s.code : '';
  f.code.readOnly = !!s;
  f.group.value = s ? s.group || '' : '';
  f.name_es.value = (s && s.name && s.name.es) || '';
  f.name_en.value = (s && s.name && s.name.en) || '';
  f.default_kind.value = (s && s.default_kind) || 'incident';
  f.level.value = String((s && s.level) || 1);
  f.checklist_es.value = ((s && s.checklist && s.checklist.es) || []).join('\n');
  f.checklist_en.value = ((s && s.checklist && s.checklist.en) || []).join('\n');
  f.keywords.value = ((s && s.keywords) || []).join(', ');
  f.support_24x7.checked = !!(s && s.support_24x7);
  f.inactive.checked = !!(s && s.inactive);
  (s ? f.name_es : f.code).focus();
}

// serviceFrom builds the service from the form, keeping the names and
// checklists of languages other than es and en that a catalog file gave.
function serviceFrom(f, prev) {
  const name = { ...((prev && prev.name) || {}), es: f.name_es.value.trim(), en: f.name_en.value.trim() };
  const checklist = { ...((prev && prev.checklist) || {}), es: lines(f.checklist_es.value), en: lines(f.checklist_en.value) };
  return {
    code: f.code.value.trim(), group: f.group.value.trim(), default_kind: f.default_kind.value, level: Number(f.level.value),
    name, checklist, keywords: words(f.keywords.value), support_24x7: f.support_24x7.checked, inactive: f.inactive.checked,
  };
}

async function save(ev) {
  ev.preventDefault();
  const f = form.elements;
  const prev = editing ? services().find((x) => x.code === editing) : null;
  const svc = serviceFrom(f, prev);
  const base = catalog().version || 0;
  const body = { version: base, comment: f.comment.value.trim(), service: svc };
  try {
    const next = editing
      ? await api('PUT', '/catalog/services/' + enc(editing), body)
      : await post('/catalog/services', body);
    flash(next.version === base ? t('cat.unchanged', { s: svc.code }) : t(editing ? 'cat.saved' : 'cat.added', { s: svc.code, v: next.version }));
    ctx.catalogChanged(next); // the other tabs redraw their service lists
    edit(null);
    loadHistory();
  } catch (e) {
    if (e.status !== 409) { flash(errorText(e), true); return; }
    // Someone saved first: show their catalog, keep what was typed.
    flash(errorText(e) + ' ' + t('cat.conflict'), true);
    try { ctx.catalogChanged(await get('/catalog')); } catch { /* the message above says enough */ }
    render();
    loadHistory();
  }
}

async function loadHistory() {
  let r;
  try {
    r = await get('/catalog/versions');
  } catch (e) {
    if (e.status !== 404) flash(errorText(e), true); // 404: this server's catalog is read-only
    return;
  }
  show($('#catalog-history-box'), true);
  const items = (r && r.items) || [];
  fill($('#catalog-history'), items.map((v) => el('tr', { 'data-version': v.version },
    el('td', { class: 'num', text: String(v.version) }),
    el('td', { text: when(v.edited_at) }),
    el('td', { class: 'who', text: v.edited_by }),
    el('td', { class: 'changed', text: (v.changed || []).map(serviceLabel).join(', ') }),
    el('td', { class: 'comment', text: v.comment || '' }))),
  el('tr', { 'data-version': 0, class: 'seed' },
    el('td', { class: 'num', text: '0' }), el('td', { text: '—' }), el('td', { text: '—' }),
    el('td', { colspan: 2, class: 'muted', i18n: 'cat.seedRow' })));
}

export function init(c) {
  ctx = c;
  fill(form.elements.default_kind, KINDS.map((k) => option(k, tr('kind', k))));
  show($('#catalog-new'), ctx.isAdmin);
  $('#catalog-new').addEventListener('click', () => edit(''));
  $('#catalog-cancel').addEventListener('click', () => edit(null));
  $('#catalog-show-inactive').addEventListener('change', render);
  form.addEventListener('submit', save);
  render();
  loadNames().then(render).catch(() => {});
  loadHistory();
}
