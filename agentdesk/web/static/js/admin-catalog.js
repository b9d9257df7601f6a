// Administration, catalog tab: the services the help desk gives, their
// queue (support group), default kind, starting level and checklist.
import { t, tr, getLang, addMessages } from './i18n.js';
import { el, fill, $ } from './dom.js';

addMessages({}, {});

const svcName = (s) => (s.name && (s.name[getLang()] || s.name.es)) || s.code;

function render(catalog) {
  const svcs = (catalog.services || []).slice().sort((a, b) => (a.group || '').localeCompare(b.group || '') || a.code.localeCompare(b.code));
  fill($('#catalog-rows'), svcs.map((s) => el('tr', { 'data-service': s.code },
    el('td', { class: 'queue', text: s.group || '—' }),
    el('td', { class: 'code', text: s.code }),
    el('td', { class: 'name', text: svcName(s) }),
    el('td', { text: tr('kind', s.default_kind) }),
    el('td', { class: 'num', text: String(s.level || 1) }),
    el('td', { i18n: s.support_24x7 ? 'adm.yes' : 'adm.no' }),
    el('td', { class: 'checklist' }, el('ol', {}, ((s.checklist && (s.checklist[getLang()] || s.checklist.es)) || []).map((x) => el('li', { text: x })))))));
}

export function init(ctx) {
  render(ctx.catalog());
}
