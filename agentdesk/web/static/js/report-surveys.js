// The weekly report's satisfaction section: the week's keypad and web
// survey scores per agent, queue and service beside the week before, and
// the week's comments and low scores with their follow-up ticket
// (report.surveys of GET /reports/weekly; weekly-surveys.csv to download).
import { get, q } from './api.js';
import { t, tr, getLang, addMessages } from './i18n.js';
import { el, fill, $ } from './dom.js';
import { loadNames, queueName } from './names.js';

addMessages({
  'rs.title': 'Encuestas de satisfacción', 'rs.csv': 'Descargar CSV de encuestas',
  'rs.by': 'Por', 'rs.name': 'Nombre', 'rs.answers': 'Respuestas', 'rs.mean': 'Promedio', 'rs.low': 'Bajas (1-2)',
  'rs.prevMean': 'Promedio semana anterior', 'rs.agent': 'Agente', 'rs.queue': 'Cola', 'rs.service': 'Servicio',
  'rs.all': 'Todas', 'rs.none': 'Sin respuestas en esta semana.', 'rs.comments': 'Comentarios y calificaciones bajas',
  'rs.followUp': 'Seguimiento', 'rs.noFollowUp': 'sin seguimiento', 'rs.channel.keypad': 'Teclado', 'rs.channel.web': 'Web',
  'rs.noAgent': 'Sin agente',
}, {
  'rs.title': 'Satisfaction surveys', 'rs.csv': 'Download survey CSV',
  'rs.by': 'By', 'rs.name': 'Name', 'rs.answers': 'Answers', 'rs.mean': 'Average', 'rs.low': 'Low (1-2)',
  'rs.prevMean': 'Previous week\'s average', 'rs.agent': 'Agent', 'rs.queue': 'Queue', 'rs.service': 'Service',
  'rs.all': 'All', 'rs.none': 'No answers this week.', 'rs.comments': 'Comments and low scores',
  'rs.followUp': 'Follow-up', 'rs.noFollowUp': 'no follow-up', 'rs.channel.keypad': 'Keypad', 'rs.channel.web': 'Web',
  'rs.noAgent': 'No agent',
});

const num = (v, d = 0) => new Intl.NumberFormat(getLang(), { minimumFractionDigits: d, maximumFractionDigits: d }).format(v);
const mean = (f) => (f && f.mean !== null && f.mean !== undefined ? num(f.mean, 2) : '—');

// Agents are shown by name (GET /agents, read once); a username stands in
// until then, or for someone no longer at the desk.
let agentNames = null;
let agentsLoading = null;
const agentName = (u) => (u ? (agentNames && agentNames.get(u)) || u : t('rs.noAgent'));

let namesLoaded = false; // queue names from the catalog, loaded once

// drawSurveys fills the section from report r; serviceName names services.
export function drawSurveys(r, serviceName) {
  if (!namesLoaded) {
    namesLoaded = true;
    loadNames().then(() => drawSurveys(r, serviceName)).catch(() => {});
  }
  if (!agentNames && !agentsLoading) {
    agentsLoading = get('/agents').then((list) => {
      agentNames = new Map((list || []).map((a) => [a.username, a.name || a.username]));
    }).catch(() => { agentNames = new Map(); }).then(() => drawSurveys(r, serviceName));
  }
  const csv = $('#dl-surveys-csv');
  csv.href = '/api/v1/reports/weekly-surveys.csv' + q({ week: r.week, lang: getLang() });
  csv.setAttribute('download', `atiende-weekly-surveys-${r.week}.csv`);
  const s = r.surveys;
  $('#surveys-section').hidden = !s;
  if (!s) return;
  const find = (list, key) => (list || []).find((f) => f.key === key) || null;
  const name = { agent: agentName, queue: (k) => queueName(k), service: (k) => serviceName(k) };
  const rows = [];
  for (const [by, cur, prev] of [['agent', s.week.by_agent, s.previous.by_agent], ['queue', s.week.by_queue, s.previous.by_queue],
    ['service', s.week.by_service, s.previous.by_service]]) {
    for (const f of cur || []) rows.push([by, name[by](f.key), f, find(prev, f.key)]);
  }
  rows.push(['total', t('rs.all'), s.week.total, s.previous.total]);
  fill($('#survey-rows'), rows.map(([by, label, f, p]) => el('tr', { 'data-by': by, 'data-key': (f && f.key) || '' },
    el('td', { text: by === 'total' ? '' : t('rs.' + by) }),
    el('td', { text: label }),
    el('td', { class: 'num', text: num(f.count) }),
    el('td', { class: 'num rs-mean', text: mean(f) }),
    el('td', { class: 'num' + (f.low ? ' warn' : ''), text: num(f.low) }),
    el('td', { class: 'num', text: mean(p) }))));
  $('#surveys-empty').hidden = s.week.total.count > 0;
  const cs = s.week.comments || [];
  fill($('#survey-comments'), cs.map((c) => el('li', { class: 'sv-comment' + (c.score <= 2 ? ' low' : ''), 'data-ticket': c.ticket_number },
    el('strong', { text: c.score + '/5' }), ' ',
    el('span', { class: 'muted', text: `#${c.ticket_number} · ${agentName(c.agent)} · ${t('rs.channel.' + c.channel)}` }),
    c.comment ? el('q', { class: 'sv-text', text: c.comment }) : '',
    c.score <= 2 ? el('span', { text: ' · ' + (c.follow_up ? `${t('rs.followUp')}: #${c.follow_up}` : t('rs.noFollowUp')) }) : '')));
}
