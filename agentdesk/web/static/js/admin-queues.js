// Administration, queues tab: each queue's tuning (strategy, ring timeout,
// wrap-up, wait before the callback offer, announcements, service level),
// where it comes from and how the queue is doing, with a form to change it
// or go back to the configuration file's values; then the agents and their
// extensions. The server checks every value; the form's limits only help.
import { api, get, enc } from './api.js';
import { t, tr, getLang, addMessages } from './i18n.js';
import { el, fill, $, show, option } from './dom.js';
import { when } from './format.js';
import { flash, errorText } from './common.js';
import { loadNames, queueName, agentPresence } from './names.js';

addMessages({
  'aq.title': 'Ajustes de las colas',
  'aq.note': 'Los cambios se aplican al momento a las llamadas que entran a la cola (las que ya esperan siguen con los ajustes con los que entraron) y se conservan al reiniciar.',
  'aq.strategy': 'Estrategia',
  'aq.strategy.longest_idle': 'Más tiempo sin llamada', 'aq.strategy.ring_all': 'Timbrar a todos',
  'aq.strategy.round_robin': 'Por turnos', 'aq.strategy.fewest_calls': 'Menos llamadas atendidas',
  'aq.ringShort': 'Timbrado', 'aq.wrapUpShort': 'Post-llamada', 'aq.maxWaitShort': 'Espera máx.', 'aq.announceShort': 'Avisos',
  'aq.slShort': 'Nivel de servicio', 'aq.autoPauseShort': 'Pausa auto.', 'aq.source': 'Origen', 'aq.live': 'Ahora',
  'aq.ring': 'Timbrado por agente (s)', 'aq.wrapUp': 'Post-llamada (s; 0: sin)',
  'aq.maxWait': 'Espera antes de ofrecer devolución (s)', 'aq.announce': 'Avisos de posición cada (s; 0: sin)',
  'aq.sl': 'Umbral del nivel de servicio (s)', 'aq.autoPause': 'Pausar al agente que no contesta',
  'aq.reset': 'Volver a la configuración', 'aq.resetConfirm': 'Confirmar: volver a la configuración',
  'aq.seconds': '{n} s', 'aq.none': 'Sin', 'aq.off': 'Sin avisos',
  'aq.fromConfig': 'Archivo de configuración', 'aq.fromAdmin': 'Cambiada por {u} el {at}',
  'aq.revertedBy': 'Archivo de configuración (restablecida por {u} el {at})',
  'aq.liveText': '{w} en espera · {a} de {s} agentes disponibles', 'aq.notApplied': 'La cola aún usa «{s}»',
  'aq.configWas': 'En la configuración: {v}', 'aq.editTitle': 'Ajustar la cola {q}',
  'aq.configValues': 'Valores de la configuración: {v}', 'aq.onConfig': 'La cola usa los valores del archivo de configuración.',
  'aq.saved': 'Cola {q} guardada y aplicada', 'aq.reverted': 'La cola {q} volvió a la configuración', 'aq.empty': 'No hay colas',
  'aq.noAgentsShort': 'Sin agentes', 'aq.noAgents': 'Si no hay ningún agente conectado',
  'aq.noAgents.callback': 'Devolver la llamada (conserva su lugar)', 'aq.noAgents.wait': 'Esperar en la fila',
  'aq.noAgents.overflow': 'Pasar a otra cola', 'aq.overflowTo': 'Pasar a {q}', 'aq.overflow': 'Cola de desborde',
}, {
  'aq.title': 'Queue settings',
  'aq.note': 'Changes apply at once to calls that join the queue (calls already waiting keep the settings they joined with) and are kept across restarts.',
  'aq.strategy': 'Strategy',
  'aq.strategy.longest_idle': 'Longest idle', 'aq.strategy.ring_all': 'Ring all',
  'aq.strategy.round_robin': 'Round robin', 'aq.strategy.fewest_calls': 'Fewest calls',
  'aq.ringShort': 'Ring', 'aq.wrapUpShort': 'Wrap-up', 'aq.maxWaitShort': 'Max wait', 'aq.announceShort': 'Announcements',
  'aq.slShort': 'Service level', 'aq.autoPauseShort': 'Auto-pause', 'aq.source': 'Source', 'aq.live': 'Now',
  'aq.ring': 'Ring each agent for (s)', 'aq.wrapUp': 'Wrap-up (s; 0: none)',
  'aq.maxWait': 'Wait before the callback offer (s)', 'aq.announce': 'Position announcements every (s; 0: none)',
  'aq.sl': 'Service level threshold (s)', 'aq.autoPause': 'Pause an agent who does not answer',
  'aq.reset': 'Back to the configuration', 'aq.resetConfirm': 'Confirm: back to the configuration',
  'aq.seconds': '{n} s', 'aq.none': 'None', 'aq.off': 'No announcements',
  'aq.fromConfig': 'Configuration file', 'aq.fromAdmin': 'Changed by {u} on {at}',
  'aq.revertedBy': 'Configuration file (restored by {u} on {at})',
  'aq.liveText': '{w} waiting · {a} of {s} agents available', 'aq.notApplied': 'The queue still uses “{s}”',
  'aq.configWas': 'In the configuration: {v}', 'aq.editTitle': 'Tune queue {q}',
  'aq.configValues': 'Configuration values: {v}', 'aq.onConfig': 'The queue uses the configuration file’s values.',
  'aq.saved': 'Queue {q} saved and applied', 'aq.reverted': 'Queue {q} is back on its configuration', 'aq.empty': 'No queues',
  'aq.noAgentsShort': 'No agent', 'aq.noAgents': 'When no agent is logged in',
  'aq.noAgents.callback': 'Call back (keeps their place)', 'aq.noAgents.wait': 'Wait in line',
  'aq.noAgents.overflow': 'Go to another queue', 'aq.overflowTo': 'Go to {q}', 'aq.overflow': 'Overflow queue',
});

const STRATEGIES = ['longest_idle', 'ring_all', 'round_robin', 'fewest_calls'];
const NO_AGENTS = ['callback', 'wait', 'overflow'];
// The settings' fields in table order, and how each is shown.
const FIELDS = ['strategy', 'ring_timeout_s', 'wrap_up_s', 'max_wait_s', 'announce_interval_s', 'service_level_s', 'auto_pause'];
const REFRESH_MS = 15000;

let queues = [];
let editing = null; // the name of the queue in the form

const num = (v) => new Intl.NumberFormat(getLang(), { maximumFractionDigits: 3 }).format(v);

function shown(field, v) {
  switch (field) {
    case 'strategy': return tr('aq.strategy', v);
    case 'auto_pause': return t(v ? 'adm.yes' : 'adm.no');
    case 'wrap_up_s': if (v === 0) return t('aq.none'); break;
    case 'announce_interval_s': if (v === 0) return t('aq.off'); break;
  }
  return t('aq.seconds', { n: num(v) });
}

// noAgentsText says what a caller gets when nobody is logged in.
function noAgentsText(vals) {
  const v = vals.no_agents || 'callback';
  return v === 'overflow' ? t('aq.overflowTo', { q: vals.overflow || '' }) : tr('aq.noAgents', v);
}

const summary = (vals) => FIELDS.map((f) => shown(f, vals[f])).concat(noAgentsText(vals)).join(' · ');

function sourceText(q) {
  const who = { u: q.updated_by || '', at: when(q.updated_at) };
  if (q.source === 'admin') return t('aq.fromAdmin', who);
  return q.reverted ? t('aq.revertedBy', who) : t('aq.fromConfig');
}

function row(q) {
  const s = q.settings, c = q.config;
  const cell = (f, cls) => {
    const changed = s[f] !== c[f];
    return el('td', { class: cls + (changed ? ' changed' : ''), title: changed ? t('aq.configWas', { v: shown(f, c[f]) }) : null, text: shown(f, s[f]) });
  };
  const live = q.live || {};
  return el('tr', { 'data-queue': q.name, 'data-source': q.source, class: editing === q.name ? 'selected' : null },
    el('td', { class: 'name', text: queueName(q.name) }),
    cell('strategy', 'strategy'),
    cell('ring_timeout_s', 'num ring'),
    cell('wrap_up_s', 'num wrap-up'),
    cell('max_wait_s', 'num max-wait'),
    cell('announce_interval_s', 'num announce'),
    cell('service_level_s', 'num sl'),
    cell('auto_pause', 'auto-pause'),
    el('td', { class: 'no-agents' + (noAgentsText(s) !== noAgentsText(c) ? ' changed' : ''),
      title: noAgentsText(s) !== noAgentsText(c) ? t('aq.configWas', { v: noAgentsText(c) }) : null, text: noAgentsText(s) }),
    el('td', { class: 'source', text: sourceText(q) }),
    el('td', { class: 'live' },
      el('span', { text: t('aq.liveText', { w: live.waiting || 0, a: live.agents_available || 0, s: live.agents_staffed || 0 }) }),
      live.strategy && live.strategy !== s.strategy
        ? el('span', { class: 'badge not-applied', text: t('aq.notApplied', { s: tr('aq.strategy', live.strategy) }) }) : null),
    el('td', {}, el('button', { type: 'button', class: 'small edit', i18n: 'adm.edit', onclick: () => edit(q.name) })));
}

function render() {
  if (!queues.length) {
    fill($('#queue-rows'), el('tr', {}, el('td', { colspan: 12, class: 'muted', i18n: 'aq.empty' })));
    return;
  }
  fill($('#queue-rows'), queues.map(row));
}

const form = $('#queue-form');
const resetBtn = $('#queue-reset');
const current = () => queues.find((q) => q.name === editing) || null;

function disarmReset() {
  delete resetBtn.dataset.armed;
  resetBtn.textContent = t('aq.reset');
}

// edit opens the form on a queue's values in force, or closes it (null).
function edit(name) {
  editing = name;
  const q = current();
  editing = q ? q.name : null;
  disarmReset();
  show(form, !!q);
  render();
  if (!q) return;
  const f = form.elements, s = q.settings;
  $('#queue-form-title').textContent = t('aq.editTitle', { q: queueName(q.name) });
  f.strategy.value = s.strategy;
  for (const k of FIELDS.slice(1, -1)) f[k].value = String(s[k]);
  f.auto_pause.checked = !!s.auto_pause;
  f.no_agents.value = s.no_agents || 'callback';
  fill(f.overflow, queues.filter((o) => o.name !== q.name).map((o) => option(o.name, o.name)));
  f.overflow.value = s.overflow || '';
  showOverflow();
  let note = t('aq.onConfig');
  if (q.source === 'admin') note = sourceText(q) + '. ' + t('aq.configValues', { v: summary(q.config) });
  else if (q.reverted) note = sourceText(q) + '.';
  $('#queue-form-source').textContent = note;
  show(resetBtn, q.source === 'admin');
  f.strategy.focus();
}

async function load() {
  try {
    const r = await get('/queues');
    queues = (r && r.items) || [];
    show($('#queues-box'), true);
    render();
  } catch (e) {
    if (e.status !== 404) flash(errorText(e), true); // 404: this server has no queue settings
  }
}

// The strategy names are filled in init: at import the page's language
// is not set yet (they showed in Spanish on the English page).

// The overflow queue is asked for only when the caller goes to another queue.
function showOverflow() {
  const on = form.elements.no_agents.value === 'overflow';
  show($('#queue-overflow'), on);
  form.elements.overflow.required = on;
}
form.elements.no_agents.addEventListener('change', showOverflow);

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = current();
  if (!q) return;
  const f = form.elements;
  const body = { version: q.version, strategy: f.strategy.value, auto_pause: f.auto_pause.checked };
  for (const k of FIELDS.slice(1, -1)) body[k] = Number(f[k].value);
  body.no_agents = f.no_agents.value;
  if (body.no_agents === 'overflow') body.overflow = f.overflow.value;
  try {
    await api('PUT', '/queues/' + enc(q.name), body);
    flash(t('aq.saved', { q: queueName(q.name) }));
    edit(null);
    await load();
  } catch (e) {
    flash(errorText(e), true);
    const field = /^(\w+): /.exec(e.message || '');
    if ((e.status === 400 || e.status === 422) && field && f[field[1]]) f[field[1]].focus();
    if (e.status === 409) await load(); // the next save is based on the newer version; the form keeps what was typed
  }
});

resetBtn.addEventListener('click', async () => {
  const q = current();
  if (!q) return;
  if (!resetBtn.dataset.armed) { // a second click confirms
    resetBtn.dataset.armed = '1';
    resetBtn.textContent = t('aq.resetConfirm');
    return;
  }
  disarmReset();
  try {
    await api('DELETE', '/queues/' + enc(q.name) + '/settings?version=' + enc(q.version));
    flash(t('aq.reverted', { q: queueName(q.name) }));
    edit(null);
  } catch (e) {
    flash(errorText(e), true);
  }
  await load();
});
$('#queue-cancel').addEventListener('click', () => edit(null));

// The live figures are refreshed while the tab is in view.
setInterval(() => {
  if (document.visibilityState === 'visible' && !$('#panel-queues').hidden) load();
}, REFRESH_MS);

async function loadAgents() {
  try {
    const as = (await get('/agents')) || [];
    as.sort((a, b) => (a.name || a.username).localeCompare(b.name || b.username));
    fill($('#agent-rows'), as.map((a) => el('tr', { 'data-agent': a.username },
      el('td', { text: a.name || a.username }),
      el('td', { class: 'ext', text: a.extension || '—' }),
      el('td', {}, el('span', { class: 'badge ' + agentPresence(a).cls, text: agentPresence(a).text })),
      el('td', { text: (a.queues || []).map(queueName).join(', ') }))));
    show($('#agents-card'), true);
  } catch (e) {
    if (e.status !== 404) flash(errorText(e), true); // 404: no agent desk
  }
}

export function init() {
  fill(form.elements.strategy, STRATEGIES.map((s) => option(s, tr('aq.strategy', s))));
  fill(form.elements.no_agents, NO_AGENTS.map((v) => option(v, tr('aq.noAgents', v))));
  loadNames().catch(() => {}).finally(() => { load(); loadAgents(); });
}

// A support group added to the catalog becomes a queue: list it.
export function catalogChanged() {
  load();
}
