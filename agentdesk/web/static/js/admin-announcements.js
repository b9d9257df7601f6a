// Administration, IVR announcements tab: recordings that replace one of the
// IVR's prompts in one language (the help desk's own welcome), and notices
// played right after the welcome ("we know email is down"), each with an
// optional window and a switch. The <audio> players read the recordings from
// this same site, which "default-src 'self'" allows.
import { api, get, q, enc } from './api.js';
import { t, getLang, addMessages } from './i18n.js';
import { el, fill, $, option, show } from './dom.js';
import { when } from './format.js';
import { flash, errorText, ask } from './common.js';

addMessages({
  'ann.title': 'Anuncios del IVR',
  'ann.help': 'Grabaciones propias de la mesa de servicio: sustituyen un mensaje del IVR en un idioma (por ejemplo, la bienvenida con su propia voz), o son un aviso que se oye justo después de la bienvenida («sabemos que el correo no funciona»). De un mensaje suena la grabación activa más reciente; los avisos activos suenan todos, uno tras otro, en el orden en que empezaron.',
  'ann.engineCannot': 'Atiende usa Asterisk: Asterisk reproduce los mensajes de su propio disco, así que estas grabaciones se guardan pero no suenan en las llamadas (ni los avisos).',
  'ann.language': 'Idioma', 'ann.prompt': 'Mensaje', 'ann.name': 'Título', 'ann.window': 'Vigencia', 'ann.status': 'Estado',
  'ann.by': 'Subida por', 'ann.listen': 'Escuchar', 'ann.upload': 'Subir una grabación', 'ann.file': 'Archivo WAV',
  'ann.start': 'Desde', 'ann.end': 'Hasta', 'ann.enabledNow': 'Activarla al subirla',
  'ann.format': 'WAV PCM de 16 bits, mono, 8000 Hz, de hasta {mb} MiB (unos 5 minutos). Para convertir otro archivo:',
  'ann.uploadButton': 'Subir', 'ann.uploading': 'Subiendo…',
  'ann.empty': 'No hay grabaciones: los llamantes oyen los mensajes del producto.',
  'ann.lang.es': 'Español', 'ann.lang.en': 'Inglés',
  'ann.notice': 'Aviso tras la bienvenida', 'ann.p.other': 'Otro mensaje del sistema', 'ann.p.welcome': 'Bienvenida', 'ann.p.main-menu': 'Menú principal',
  'ann.p.goodbye': 'Despedida', 'ann.p.moh': 'Música en espera', 'ann.p.transfer': 'Antes de la cola',
  'ann.p.maintenance': 'Mantenimiento programado', 'ann.p.incident': 'Incidente mayor',
  'ann.always': 'Siempre', 'ann.from': 'Desde {s}', 'ann.until': 'Hasta {e}', 'ann.between': '{s} – {e}',
  'ann.playing': 'Suena ahora', 'ann.active': 'Activa', 'ann.overridden': 'Activa; suena otra más reciente',
  'ann.scheduled': 'Programada', 'ann.over': 'Vencida', 'ann.off': 'Desactivada',
  'ann.enable': 'Activar', 'ann.disable': 'Desactivar', 'ann.delete': 'Eliminar',
  'ann.confirmDelete': '¿Eliminar la grabación «{t}»? No se puede deshacer.',
  'ann.uploaded': 'Grabación subida', 'ann.saved': 'Grabación «{t}» {s}', 'ann.deleted': 'Grabación eliminada',
  'ann.nowOn': 'activada', 'ann.nowOff': 'desactivada', 'ann.seconds': '{n} s', 'ann.changedBy': 'Último cambio: {u}, {w}',
  'ann.tooBig': 'El archivo pesa {got} MiB; el límite es {mb} MiB (unos 5 minutos a 8000 Hz).',
}, {
  'ann.title': 'IVR announcements',
  'ann.help': "The help desk's own recordings: they replace one of the IVR's messages in one language (say, the welcome in your own voice), or are a notice heard right after the welcome (\"we know email is down\"). For a message, the newest active recording plays; every active notice plays, one after the other, in the order they began.",
  'ann.engineCannot': 'Atiende runs on Asterisk: Asterisk plays the messages from its own disk, so these recordings are kept but not heard on calls (notices neither).',
  'ann.language': 'Language', 'ann.prompt': 'Message', 'ann.name': 'Title', 'ann.window': 'When', 'ann.status': 'Status',
  'ann.by': 'Uploaded by', 'ann.listen': 'Listen', 'ann.upload': 'Upload a recording', 'ann.file': 'WAV file',
  'ann.start': 'From', 'ann.end': 'Until', 'ann.enabledNow': 'Switch it on when uploaded',
  'ann.format': '16-bit PCM WAV, mono, 8000 Hz, up to {mb} MiB (about 5 minutes). To convert another file:',
  'ann.uploadButton': 'Upload', 'ann.uploading': 'Uploading…',
  'ann.empty': "No recordings: callers hear the product's messages.",
  'ann.lang.es': 'Spanish', 'ann.lang.en': 'English',
  'ann.notice': 'Notice after the welcome', 'ann.p.other': 'Another system message', 'ann.p.welcome': 'Welcome', 'ann.p.main-menu': 'Main menu',
  'ann.p.goodbye': 'Goodbye', 'ann.p.moh': 'Hold music', 'ann.p.transfer': 'Before the queue',
  'ann.p.maintenance': 'Planned maintenance', 'ann.p.incident': 'Major incident',
  'ann.always': 'Always', 'ann.from': 'From {s}', 'ann.until': 'Until {e}', 'ann.between': '{s} – {e}',
  'ann.playing': 'Playing now', 'ann.active': 'Active', 'ann.overridden': 'Active; a newer one plays',
  'ann.scheduled': 'Scheduled', 'ann.over': 'Ended', 'ann.off': 'Switched off',
  'ann.enable': 'Switch on', 'ann.disable': 'Switch off', 'ann.delete': 'Delete',
  'ann.confirmDelete': 'Delete the recording "{t}"? This cannot be undone.',
  'ann.uploaded': 'Recording uploaded', 'ann.saved': 'Recording "{t}" {s}', 'ann.deleted': 'Recording deleted',
  'ann.nowOn': 'switched on', 'ann.nowOff': 'switched off', 'ann.seconds': '{n} s', 'ann.changedBy': 'Last changed by {u}, {w}',
  'ann.tooBig': 'The file is {got} MiB; the limit is {mb} MiB (about 5 minutes at 8000 Hz).',
});

const NOTICE = 'notice';
const FAMILIAR = ['welcome', 'main-menu', 'goodbye', 'moh', 'transfer', 'maintenance', 'incident'];
let state = { items: [], playing: [], prompts: { es: [], en: [] }, engine_plays: true, max_bytes: 5 << 20 };

// promptLabel names a prompt by what it is (the familiar ones) and by what
// it says (prompt_texts, in the page's language: the recording's own
// language is in its column), never by its file name.
function promptLabel(p) {
  if (p === NOTICE) return t('ann.notice');
  const texts = (state.prompt_texts || {})[getLang()] || {};
  let said = texts[p] || '';
  if (said.length > 90) said = said.slice(0, 88).trimEnd() + '…';
  const quoted = said ? '«' + said + '»' : '';
  if (FAMILIAR.includes(p)) return quoted ? t('ann.p.' + p) + ': ' + quoted : t('ann.p.' + p);
  return quoted || t('ann.p.other');
}

const nameOf = (a) => a.title || promptLabel(a.prompt);

function windowText(a) {
  if (a.start && a.end) return t('ann.between', { s: when(a.start), e: when(a.end) });
  if (a.start) return t('ann.from', { s: when(a.start) });
  if (a.end) return t('ann.until', { e: when(a.end) });
  return t('ann.always');
}

function status(a) {
  const now = Date.now();
  if (!a.enabled) return 'off';
  if (a.end && new Date(a.end).getTime() <= now) return 'over';
  if (a.start && new Date(a.start).getTime() > now) return 'scheduled';
  if (state.playing.includes(a.id)) return 'playing';
  return state.engine_plays ? 'overridden' : 'active';
}

function render() {
  show($('#ann-engine'), !state.engine_plays);
  if (!state.items.length) {
    fill($('#ann-rows'), el('tr', {}, el('td', { colspan: 6, class: 'muted', i18n: 'ann.empty' })));
    return;
  }
  const items = state.items.slice().sort((a, b) => (a.prompt === NOTICE ? 0 : 1) - (b.prompt === NOTICE ? 0 : 1) ||
    a.language.localeCompare(b.language) || a.prompt.localeCompare(b.prompt) || b.id - a.id);
  fill($('#ann-rows'), items.map((a) => {
    const st = status(a);
    return el('tr', { 'data-announcement': a.id, class: a.enabled ? null : 'disabled' },
      el('td', {}, el('span', { class: 'prompt', text: promptLabel(a.prompt) }),
        el('span', { class: 'lang muted', i18n: 'ann.lang.' + a.language })),
      el('td', { class: 'title' }, el('span', { text: a.title || '—' }),
        el('span', { class: 'ann-duration muted', text: t('ann.seconds', { n: (a.duration_ms / 1000).toFixed(1) }) })),
      el('td', { class: 'window', text: windowText(a) }),
      el('td', {}, el('span', { class: 'badge ann-' + st, 'data-status': st, i18n: 'ann.' + st })),
      el('td', { class: 'by', title: a.updated_at !== a.created_at ? t('ann.changedBy', { u: a.updated_by, w: when(a.updated_at) }) : null },
        el('span', { text: a.created_by }), el('span', { class: 'muted ann-when', text: when(a.created_at) })),
      el('td', { class: 'listen' },
        el('audio', { controls: true, preload: 'none', src: '/api/v1/announcements/' + enc(a.id) + '/audio' }),
        el('div', { class: 'ann-actions' },
          el('button', { type: 'button', class: 'small toggle', i18n: a.enabled ? 'ann.disable' : 'ann.enable', onclick: () => toggle(a) }),
          el('button', { type: 'button', class: 'small delete', i18n: 'ann.delete', onclick: () => remove(a) }))));
  }));
}

function fillPrompts() {
  const f = $('#ann-form').elements;
  const names = (state.prompts[f.language.value] || []).slice().sort((a, b) =>
    (b === NOTICE) - (a === NOTICE) || (b === 'welcome') - (a === 'welcome') || a.localeCompare(b));
  const keep = f.prompt.value || NOTICE;
  fill(f.prompt, names.map((p) => option(p, promptLabel(p), p === keep)));
}

async function load() {
  try {
    state = await get('/announcements');
    $('#ann-form .ann-format span').textContent = t('ann.format', { mb: state.max_bytes / (1 << 20) });
    fillPrompts();
    render();
  } catch (e) {
    if (e.status === 404) show($('#tab-announcements'), false); // no announcements configured
    else flash(errorText(e), true);
  }
}

async function toggle(a) {
  try {
    const r = await api('PUT', '/announcements/' + enc(a.id), { title: a.title, start: a.start || null, end: a.end || null, enabled: !a.enabled });
    flash(t('ann.saved', { t: nameOf(r), s: t(r.enabled ? 'ann.nowOn' : 'ann.nowOff') }));
    await load();
  } catch (e) { flash(errorText(e), true); }
}

async function remove(a) {
  if (await ask(t('ann.confirmDelete', { t: nameOf(a) }), {}) === null) return;
  try {
    await api('DELETE', '/announcements/' + enc(a.id));
    flash(t('ann.deleted'));
    await load();
  } catch (e) { flash(errorText(e), true); }
}

// upload sends the file itself as the body (the API takes audio/wav, not a
// form); api.js only speaks JSON, so this one request is made here, with the
// session's CSRF token as api.js keeps it.
async function upload(ev) {
  ev.preventDefault();
  const f = ev.target.elements;
  const file = f.file.files[0];
  if (!file) return;
  const mib = (n) => (n / (1 << 20)).toFixed(1);
  if (file.size > state.max_bytes) {
    flash(t('ann.tooBig', { got: mib(file.size), mb: state.max_bytes / (1 << 20) }), true);
    return;
  }
  const iso = (v) => (v ? new Date(v).toISOString() : ''); // datetime-local is the browser's local time
  const query = q({ language: f.language.value, prompt: f.prompt.value, title: f.title.value.trim(),
    start: iso(f.start.value), end: iso(f.end.value), enabled: f.enabled.checked ? 'true' : 'false' });
  const button = $('#ann-submit');
  button.disabled = true;
  button.textContent = t('ann.uploading');
  try {
    const res = await fetch('/api/v1/announcements' + query, {
      method: 'POST', credentials: 'same-origin', cache: 'no-store', body: file,
      headers: { 'Content-Type': 'audio/wav', Accept: 'application/json', 'X-CSRF-Token': sessionStorage.getItem('atiende_csrf') || '' },
    });
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new Error((data && data.error && data.error.message) || res.statusText);
    flash(t('ann.uploaded'));
    ev.target.reset();
    await load();
  } catch (e) {
    flash(errorText(e), true);
  } finally {
    button.disabled = false;
    button.textContent = t('ann.uploadButton');
  }
}

export function init() {
  const form = $('#ann-form');
  form.addEventListener('submit', upload);
  form.elements.language.addEventListener('change', fillPrompts);
  form.addEventListener('reset', () => setTimeout(fillPrompts, 0));
  load();
}
