// Administration, queues tab: the agents and their extensions.
import { get } from './api.js';
import { tr, addMessages } from './i18n.js';
import { el, fill, $, show } from './dom.js';
import { flash, errorText } from './common.js';

addMessages({}, {});

async function loadAgents() {
  try {
    const as = (await get('/agents')) || [];
    as.sort((a, b) => (a.name || a.username).localeCompare(b.name || b.username));
    fill($('#agent-rows'), as.map((a) => el('tr', { 'data-agent': a.username },
      el('td', { text: a.name || a.username }),
      el('td', { class: 'ext', text: a.extension || '—' }),
      el('td', {}, el('span', { class: 'badge agent-' + a.state, text: tr('state', a.state) })),
      el('td', { text: (a.queues || []).join(', ') }))));
    show($('#agents-card'), true);
  } catch (e) {
    if (e.status !== 404) flash(errorText(e), true); // 404: no agent desk
  }
}

export function init() {
  loadAgents();
}
