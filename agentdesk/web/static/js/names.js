// Display names for the codes the API keeps: queues and services (from the
// catalog, in both languages), history fields, actors and reasons, the
// IVR path and extension reasons. A person never reads a code.
import { get } from './api.js';
import { t, getLang, addMessages } from './i18n.js';

addMessages({
  'ivrNode.main': 'Menú principal', 'ivrNode.failures': 'Fallas', 'ivrNode.requests': 'Solicitudes',
  'ivrNode.status': 'Consulta de ticket', 'ivrNode.existing_ticket': 'Ticket abierto del llamante',
  'ivrNode.announce_area_incident': 'Incidente en su zona', 'ivrNode.announce_service_incident': 'Incidente en el servicio',
  'ivrNode.survey': 'Encuesta', 'ivr.step': '{node}: tecla {key}', 'ivr.stepTo': '{node}: tecla {key} ({to})',
  'ivr.unknownNode': 'Menú', 'ivr.agent': 'Hablar con un agente', 'ivr.english': 'English',
  'actor.ivr': 'Sistema telefónico', 'actor.atiende': 'Atiende (automático)', 'actor.monitor': 'Monitor de extensiones',
  'actor.demo': 'Datos de demostración', 'actor.none': 'Atiende (automático)',
  'histField.created': 'Creación', 'histField.note': 'Nota', 'histField.link': 'Incidente padre', 'histField.call': 'Llamada',
  'histField.queue': 'Cola', 'histField.major_incident': 'Incidente mayor', 'histField.caller_contact_id': 'Contacto del llamante',
  'histField.caller_name': 'Nombre del llamante', 'histField.caller_department': 'Departamento del llamante',
  'histField.caller_email': 'Correo del llamante', 'histField.caller_phone': 'Teléfono del llamante',
  'histField.caller_extension': 'Extensión del llamante',
  'hist.callIn': 'Llamada recibida', 'hist.noteInternal': 'Interna', 'hist.notePublic': 'Pública', 'hist.yes': 'Sí', 'hist.no': 'No',
  'histReason.answered_call': 'Atendió la llamada',
  'extReason.registered': 'Se registró', 'extReason.unregistered': 'Se dio de baja', 'extReason.expired': 'Registro vencido',
  'extReason.qualify ok': 'Responde', 'extReason.qualify timeout': 'No responde',
  'extReason.restored': 'Registro recuperado al reiniciar', 'extReason.unknown': 'Estado desconocido',
  'internal.with': 'En llamada interna con {peer}', 'internal.desk': 'En llamada interna con la mesa de ayuda',
  'internal.many': 'En {n} llamadas internas: {peers}', 'internal.deskShort': 'mesa de ayuda',
}, {
  'ivrNode.main': 'Main menu', 'ivrNode.failures': 'Failures', 'ivrNode.requests': 'Requests',
  'ivrNode.status': 'Ticket status', 'ivrNode.existing_ticket': "Caller's open ticket",
  'ivrNode.announce_area_incident': 'Incident in the area', 'ivrNode.announce_service_incident': 'Incident on the service',
  'ivrNode.survey': 'Survey', 'ivr.step': '{node}: key {key}', 'ivr.stepTo': '{node}: key {key} ({to})',
  'ivr.unknownNode': 'Menu', 'ivr.agent': 'Talk to an agent', 'ivr.english': 'English',
  'actor.ivr': 'Phone system', 'actor.atiende': 'Atiende (automatic)', 'actor.monitor': 'Extension monitor',
  'actor.demo': 'Demo data', 'actor.none': 'Atiende (automatic)',
  'histField.created': 'Created', 'histField.note': 'Note', 'histField.link': 'Parent incident', 'histField.call': 'Call',
  'histField.queue': 'Queue', 'histField.major_incident': 'Major incident', 'histField.caller_contact_id': "Caller's contact",
  'histField.caller_name': "Caller's name", 'histField.caller_department': "Caller's department",
  'histField.caller_email': "Caller's email", 'histField.caller_phone': "Caller's phone",
  'histField.caller_extension': "Caller's extension",
  'hist.callIn': 'Call received', 'hist.noteInternal': 'Internal', 'hist.notePublic': 'Public', 'hist.yes': 'Yes', 'hist.no': 'No',
  'histReason.answered_call': 'Answered the call',
  'extReason.registered': 'Registered', 'extReason.unregistered': 'Unregistered itself', 'extReason.expired': 'Registration expired',
  'extReason.qualify ok': 'Answering', 'extReason.qualify timeout': 'Not answering',
  'extReason.restored': 'Registration kept through a restart', 'extReason.unknown': 'State unknown',
  'internal.with': 'On an internal call with {peer}', 'internal.desk': 'On an internal call with the help desk',
  'internal.many': 'On {n} internal calls: {peers}', 'internal.deskShort': 'help desk',
});

let catP = null;
let cat = { services: [], queues: [] };

// loadNames fetches the catalog once (services and queue names); the
// sync functions below use it once it is there.
export function loadNames() {
  if (!catP) {
    catP = get('/catalog').then((c) => { cat = c || cat; return cat; }).catch((e) => { catP = null; throw e; });
  }
  return catP;
}

const inLang = (names, fallback) => (names && (names[getLang()] || names.es)) || fallback;

// queueName is the queue's display name. A queue the catalog does not name
// shows as a generic label with its code, never the bare code.
export function queueName(code) {
  if (!code) return '';
  const q = (cat.queues || []).find((x) => x.code === code);
  return q ? inLang(q.name, code) : code;
}

export function serviceLabel(code) {
  if (!code) return '';
  const s = (cat.services || []).find((x) => x.code === code);
  return s ? inLang(s.name, code) : code;
}

// ivrPath turns ["main:1", "failures:1"] into the menus and keys the
// caller went through, with where each key led when the next step says so.
export function ivrPath(path) {
  // A step is "node:key" (ivr/flow_session.go); anything else is shown as
  // it came.
  const steps = (path || []).map((p) => {
    const m = /^([a-z][a-z0-9_]*):([0-9*#])$/.exec(p);
    return m ? { node: m[1], key: m[2] } : { text: p };
  });
  const label = (node) => {
    const k = 'ivrNode.' + node;
    const l = t(k);
    return l === k ? t('ivr.unknownNode') : l;
  };
  return steps.map((s, i) => {
    if (s.text !== undefined) return s.text;
    const next = steps[i + 1];
    if (next && next.node && t('ivrNode.' + next.node) !== 'ivrNode.' + next.node) {
      return t('ivr.stepTo', { node: label(s.node), key: s.key, to: label(next.node) });
    }
    return t('ivr.step', { node: label(s.node), key: s.key });
  }).join(' › ');
}

// actorName names who made a history entry: a person's username as is,
// Atiende's own parts by what they are.
export function actorName(actor) {
  if (!actor) return t('actor.none');
  const k = 'actor.' + actor;
  const l = t(k);
  return l === k ? actor : l;
}

// fieldLabel names a history field.
export function fieldLabel(f) {
  for (const k of ['histField.' + f, 'ticket.' + f]) {
    const l = t(k);
    if (l !== k) return l;
  }
  return f;
}

const tr = (prefix, code) => {
  const k = prefix + '.' + code;
  const l = t(k);
  return l === k ? code : l;
};

// historyValue shows a history entry's from or to value in words.
export function historyValue(field, v) {
  if (v === '' || v === null || v === undefined) return '';
  switch (field) {
    case 'state': case 'created': return tr('ticketState', v);
    case 'kind': return tr('kind', v);
    case 'impact': case 'urgency': return tr('level3', v);
    case 'service': return serviceLabel(v);
    case 'queue': return queueName(v);
    case 'priority': return /^[0-9]$/.test(v) ? 'P' + v : v;
    case 'major_incident': return v === 'true' ? t('hist.yes') : v === 'false' ? t('hist.no') : v;
    case 'call': return t('hist.callIn'); // the value is the call's internal id
    case 'note': return v === 'internal' ? t('hist.noteInternal') : v === 'public' ? t('hist.notePublic') : v;
    default: return v;
  }
}

// historyReason translates the reasons Atiende writes itself; a person's
// reason is shown as written.
export function historyReason(r) {
  if (!r) return '';
  if (r === 'answered_call' || /^answered the call /.test(r)) return t('histReason.answered_call');
  return r;
}

// extReason translates an extension state's reason (codes from the
// engines); an unknown one (Asterisk's own words) is shown as given.
export function extReason(r) {
  if (!r) return '';
  return tr('extReason', r);
}

// internalCallText is an agent's internal calls (Agent.internal_call: the
// other extensions, "" for the help desk's queue or menu) in words; "" when
// there are none.
export function internalCallText(ic) {
  const peers = (ic && ic.peers) || [];
  if (peers.length === 0) return '';
  if (peers.length > 1) return t('internal.many', { n: peers.length, peers: peers.map((p) => p || t('internal.deskShort')).join(', ') });
  return peers[0] ? t('internal.with', { peer: peers[0] }) : t('internal.desk');
}

// agentPresence is how an agent's state reads on the wallboard and the
// console: an available agent on an internal call gets no queue offer, so
// it reads as on that call, never as available. text is in the reader's
// language, cls the badge's class, since when it began; extra is the
// internal call of an agent in another state (paused, wrap-up...), to show
// beside it.
export function agentPresence(a) {
  const ic = a.internal_call;
  const call = internalCallText(ic);
  if (call && a.state === 'available') return { text: call, cls: 'agent-internal', since: ic.since || a.state_since, extra: '' };
  return { text: tr('state', a.state), cls: 'agent-' + a.state, since: a.state_since, extra: a.state === 'logged_out' ? '' : call };
}
