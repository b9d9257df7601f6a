// The wallboard's satisfaction panel: today's or this week's keypad and web
// survey scores per agent, queue and service, and the latest comments and
// low scores with the supervisor's follow-up ticket. From GET
// /surveys/stats; a survey_scored event from the hub reloads it.
import { get } from './api.js';
import { t, getLang, addMessages } from './i18n.js';
import { el, fill, $ } from './dom.js';

addMessages({
  'sv.title': 'Encuestas de satisfacción', 'sv.today': 'Hoy', 'sv.week': 'Esta semana',
  'sv.answers': 'Respuestas', 'sv.mean': 'Promedio', 'sv.low': 'Bajas (1-2)',
  'sv.byAgent': 'Por agente', 'sv.byQueue': 'Por cola', 'sv.byService': 'Por servicio',
  'sv.comments': 'Últimos comentarios y calificaciones bajas', 'sv.none': 'Sin respuestas en este periodo.',
  'sv.noComments': 'Sin comentarios.', 'sv.followUp': 'Seguimiento', 'sv.noFollowUp': 'sin seguimiento',
  'sv.channel.keypad': 'Teclado', 'sv.channel.web': 'Web', 'sv.ticket': 'Ticket', 'sv.noAgent': 'Sin agente',
  'sv.error': 'No se pudieron leer las encuestas: {e}',
}, {
  'sv.title': 'Satisfaction surveys', 'sv.today': 'Today', 'sv.week': 'This week',
  'sv.answers': 'Answers', 'sv.mean': 'Average', 'sv.low': 'Low (1-2)',
  'sv.byAgent': 'By agent', 'sv.byQueue': 'By queue', 'sv.byService': 'By service',
  'sv.comments': 'Latest comments and low scores', 'sv.none': 'No answers in this period.',
  'sv.noComments': 'No comments.', 'sv.followUp': 'Follow-up', 'sv.noFollowUp': 'no follow-up',
  'sv.channel.keypad': 'Keypad', 'sv.channel.web': 'Web', 'sv.ticket': 'Ticket', 'sv.noAgent': 'No agent',
  'sv.error': 'The surveys could not be read: {e}',
});

const num = (v, d = 0) => new Intl.NumberFormat(getLang() === 'en' ? 'en-US' : 'es-MX',
  { minimumFractionDigits: d, maximumFractionDigits: d }).format(v);
const mean = (f) => (f && f.mean !== null && f.mean !== undefined ? num(f.mean, 2) : '—');

export class SurveyPanel {
  // names: { agent(code), queue(code), service(code) } give display names.
  constructor(root, names) {
    this.root = root;
    this.names = names;
    this.period = 'today';
    this.data = null;
    this.timer = null;
    for (const b of root.querySelectorAll('[data-sv-period]')) {
      b.addEventListener('click', () => { this.period = b.dataset.svPeriod; this.render(); });
    }
  }

  async load() {
    try {
      this.data = await get('/surveys/stats');
      this.error = '';
    } catch (e) {
      this.error = (e && e.message) || String(e);
    }
    this.render();
  }

  // event reloads on a survey_scored event (a burst reloads once).
  event(e) {
    if (!e || e.kind !== 'survey_scored') return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), 300);
  }

  render() {
    const r = this.root;
    for (const b of r.querySelectorAll('[data-sv-period]')) b.classList.toggle('primary', b.dataset.svPeriod === this.period);
    const err = $('#sv-error', r);
    err.hidden = !this.error;
    err.textContent = this.error ? t('sv.error', { e: this.error }) : '';
    if (!this.data) return;
    const st = this.period === 'week' ? this.data.this_week : this.data.today;
    const tot = st.total || { count: 0 };
    r.dataset.count = String(tot.count);
    fill($('#sv-total', r),
      el('span', { class: 'sv-fig' }, el('strong', { class: 'sv-count', text: num(tot.count) }), ' ', t('sv.answers')),
      el('span', { class: 'sv-fig' }, el('strong', { class: 'sv-mean', text: mean(tot) }), ' ', t('sv.mean')),
      el('span', { class: 'sv-fig' + (tot.low ? ' warn' : '') }, el('strong', { class: 'sv-low', text: num(tot.low || 0) }), ' ', t('sv.low')));
    $('#sv-empty', r).hidden = tot.count > 0;
    const rows = (list, name, by) => (list || []).map((f) => el('tr', { 'data-by': by, 'data-key': f.key },
      el('td', { text: f.key ? name(f.key) : t('sv.noAgent') }),
      el('td', { class: 'num', text: num(f.count) }),
      el('td', { class: 'num sv-mean', text: mean(f) }),
      el('td', { class: 'num' + (f.low ? ' warn' : ''), text: num(f.low) })));
    fill($('#sv-by-agent', r), rows(st.by_agent, this.names.agent, 'agent'));
    fill($('#sv-by-queue', r), rows(st.by_queue, this.names.queue, 'queue'));
    fill($('#sv-by-service', r), rows(st.by_service, this.names.service, 'service'));
    // Comments: today's list (the week's would repeat it with older ones).
    const comments = this.data.today.comments || [];
    fill($('#sv-comments', r), comments.length ? comments.map((c) => el('li', { class: 'sv-comment' + (c.score <= 2 ? ' low' : ''), 'data-ticket': c.ticket_number },
      el('span', { class: 'sv-score', text: '★ ' + c.score + '/5' }), ' ',
      el('span', { class: 'muted', text: `${t('sv.ticket')} #${c.ticket_number} · ${c.agent ? this.names.agent(c.agent) : t('sv.noAgent')} · ${t('sv.channel.' + c.channel)}` }),
      c.comment ? el('q', { class: 'sv-text', text: c.comment }) : '',
      c.score <= 2 ? el('span', { class: 'sv-follow' + (c.follow_up ? '' : ' warn') },
        c.follow_up ? el('a', { href: '/tickets.html#' + c.follow_up, text: `${t('sv.followUp')}: #${c.follow_up}` }) : t('sv.noFollowUp')) : ''))
      : [el('li', { class: 'muted', text: t('sv.noComments') })]);
  }
}
