// Network page: every extension's registration, live.
import { t, tr } from './i18n.js';
import { el, fill, setText, $ } from './dom.js';
import { dur, when, since } from './format.js';
import { boot, wsStatus } from './common.js';
import { connectDesk } from './ws.js';
import { get, enc } from './api.js';
import { extReason } from './names.js';

await boot(['network', 'supervisor', 'admin']);
const exts = new Map(); // extension -> ExtensionStatus
const changes = [];
const MAX_CHANGES = 200;
const stored = new Map(); // extension -> {owner, ticket} from /extensions
const calls = new Map(); // extension -> {peers, since}: its internal calls now

// callText is an extension's internal calls in words ("" when idle).
function callText(ext) {
  const c = calls.get(ext);
  if (!c || !c.peers || c.peers.length === 0) return '';
  const name = (p) => p || t('net.queueOrMenu');
  if (c.peers.length > 1) return t('net.onCalls', { n: c.peers.length, peers: c.peers.map(name).join(', ') });
  return c.peers[0] ? t('net.onCallWith', { peer: c.peers[0] }) : t('net.onCall');
}

// put keeps the newest status of an extension: the list sent on connect
// may be older than a change that overtook it.
function put(st) {
  const old = exts.get(st.extension);
  if (old && old.since && st.since && new Date(st.since) < new Date(old.since)) return false;
  exts.set(st.extension, st);
  return true;
}

function onMessage(msg) {
  if (msg.type === 'extensions') {
    for (const st of msg.extensions || []) put(st);
  } else if (msg.type === 'extension_calls' && msg.extension_calls) {
    const a = msg.extension_calls;
    if (a.peers && a.peers.length) calls.set(a.extension, { peers: a.peers, since: a.since });
    else calls.delete(a.extension);
  } else if (msg.type === 'extension' && msg.extension) {
    const prev = exts.get(msg.extension.extension);
    if (put(msg.extension)) {
      changes.unshift({ at: msg.extension.since, ext: msg.extension.extension, from: prev ? prev.state : '', to: msg.extension.state, reason: msg.extension.reason || '' });
      changes.length = Math.min(changes.length, MAX_CHANGES);
    }
  } else {
    return;
  }
  render();
}

function render() {
  const st = $('#filter-state').value;
  const text = $('#filter-text').value.trim().toLowerCase();
  const rows = [...exts.values()]
    .filter((x) => !st || x.state === st)
    .filter((x) => !text || [x.extension, x.contact, x.user_agent, (stored.get(x.extension) || {}).owner].some((v) => (v || '').toLowerCase().includes(text)))
    .sort((a, b) => a.extension.localeCompare(b.extension, undefined, { numeric: true }));
  setText('ext-count', t('net.count', { n: rows.length }));
  fill($('#ext-rows'), rows.map((x) => el('tr', { 'data-ext': x.extension, class: 'ext-' + x.state },
    el('td', { class: 'ext', text: x.extension }),
    el('td', { class: 'owner', text: (stored.get(x.extension) || {}).owner || '—' }),
    el('td', {}, el('span', { class: 'badge ext-' + x.state, text: tr('extState', x.state) }),
      callText(x.extension) ? el('span', { class: 'badge on-call', text: callText(x.extension) }) : null),
    el('td', { class: 'contact', text: x.contact || '—' }),
    el('td', { class: 'ua', text: x.user_agent || '—' }),
    el('td', { class: 'num rtt', text: x.rtt_ms ? x.rtt_ms.toFixed(1) + ' ms' : '—' }),
    el('td', { class: 'since', title: when(x.since), text: x.since ? dur(since(x.since)) : '—' }),
    el('td', { class: 'reason', text: extReason(x.reason) }),
    el('td', { class: 'ticket' }, ticketLink((stored.get(x.extension) || {}).ticket)))));
  fill($('#ext-changes'), changes.map((c) => el('li', {},
    el('span', { class: 'muted', text: when(c.at) }), ' ',
    el('strong', { text: c.ext }), ' ',
    el('span', { text: (c.from ? tr('extState', c.from) + ' → ' : '') + tr('extState', c.to) }),
    c.reason ? el('span', { class: 'muted', text: ' (' + extReason(c.reason) + ')' }) : null)));
}

function ticketLink(n) {
  return n ? el('a', { href: 'tickets.html#' + enc(n), text: '#' + n }) : '—';
}

// loadStored brings what the live feed does not carry: each extension's
// owner and the ticket opened while it was down. The page works without it.
async function loadStored() {
  try {
    const r = await get('/extensions');
    for (const x of r.extensions || []) {
      stored.set(x.extension, { owner: x.owner || '', ticket: x.ticket || '' });
      if (x.calls && x.calls.length) calls.set(x.extension, { peers: x.calls, since: x.calls_since });
      else calls.delete(x.extension);
      if (!exts.has(x.extension)) {
        put({ extension: x.extension, state: x.state, contact: x.contact, user_agent: x.user_agent,
          rtt_ms: x.rtt_ms, since: x.since, reason: x.reason });
      }
    }
    render();
  } catch (e) { /* the live feed still fills the table */ }
}

async function showHistory(ext) {
  setText('ext-history-title', t('net.history', { ext }));
  try {
    const h = await get('/extensions/' + enc(ext) + '/history?limit=50');
    fill($('#ext-history'), (h.events || h || []).map((c) => el('li', {},
      el('span', { class: 'muted', text: when(c.at) }), ' ',
      el('span', { text: tr('extState', c.state) }),
      c.contact ? el('span', { class: 'muted', text: ' ' + c.contact }) : null,
      c.reason ? el('span', { class: 'muted', text: ' (' + extReason(c.reason) + ')' }) : null)));
  } catch (e) {
    fill($('#ext-history'));
  }
}

$('#ext-rows').addEventListener('click', (ev) => {
  const row = ev.target.closest('tr[data-ext]');
  if (row && !ev.target.closest('a')) showHistory(row.dataset.ext);
});
loadStored();
setInterval(loadStored, 30000);
$('#filter-state').addEventListener('change', render);
$('#filter-text').addEventListener('input', render);
setInterval(() => {
  for (const row of document.querySelectorAll('#ext-rows tr')) {
    const x = exts.get(row.dataset.ext);
    if (x && x.since) row.querySelector('.since').textContent = dur(since(x.since));
  }
}, 1000);
connectDesk(onMessage, wsStatus);
