// The wallboard's day chart: calls per 15 minutes since midnight and the
// service level through the day, drawn as inline SVG (elements only, styled
// by css/desk.css: no inline style, no markup from strings).
//
// The day comes from the server: GET /api/v1/wallboard/day counts the call
// records (agentdesk/daystats.go), in the help desk's time zone. A record is
// written when its call leaves the queue (after the talk, for an answered
// call), so the page adds the calls it sees on the hub: each call is kept as
// a record of its own (queue entry, answer, end, outcome, from the times
// every event carries) and counted with the same definitions, each figure
// in the bucket of its moment. A call counts either in the history or in the
// page, never in both: the page asks for the IDs of the calls in the history
// that ended since it opened (calls_since) and leaves those out. Calls that
// began before the page opened count too: those waiting or talking come
// with the hub's snapshot, and the others are in the history.
//
// Without the history (a server that cannot give it), the page counts from
// its opening, as it always did: the first snapshot's queue stats (counters
// since the ACD started, taken as today's) start the service level, with no
// 15-minute breakdown (a note under the chart says so), and figures from
// before that snapshot are left to them. Later snapshots (the hub sends
// supervisors fresh ones, and one after a reconnect) reconcile the counters:
// what the stats show beyond what the page counted (events missed while
// disconnected) is added to the current bucket.
const SVG = 'http://www.w3.org/2000/svg';
export const BUCKET_MS = 15 * 60 * 1000;
const DAY_BUCKETS = 96;
const DEFAULT_SL_MS = 20000; // agentdesk.DefaultServiceLevel
// abandoned counts short abandons too, like agentdesk.QueueStats; the
// service level leaves them out: in_sl / (answered + abandoned - short).
const FIELDS = ['entered', 'answered', 'in_sl', 'abandoned', 'short', 'callback'];

const zero = () => ({ entered: 0, answered: 0, in_sl: 0, abandoned: 0, short: 0, callback: 0 });
const zeros = (n) => Array.from({ length: n }, zero);

function localMidnight(ms, days = 0) {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  if (days) d.setDate(d.getDate() + days);
  return d.getTime();
}

// micros reads an RFC 3339 time to the microsecond (Date keeps only
// milliseconds), so that waits are measured as the database measures them.
function micros(s) {
  if (!s) return NaN;
  const m = /^([^.]*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(String(s));
  if (!m) return NaN;
  const ms = Date.parse(m[1] + m[3]);
  return isNaN(ms) ? NaN : ms * 1000 + Number(((m[2] || '') + '000000').slice(0, 6));
}

// nextDate returns the day after YYYY-MM-DD.
function nextDate(s) {
  const d = new Date(s + 'T12:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

// fromServer turns the API's figures into the page's (abandoned includes
// the short ones here).
function fromServer(f) {
  f = f || {};
  const short = f.short_abandoned || 0;
  return { entered: f.offered || 0, answered: f.answered || 0, in_sl: f.answered_in_sl || 0,
    abandoned: (f.abandoned || 0) + short, short, callback: f.callbacks || 0 };
}

export class DayChart {
  constructor(now = Date.now()) {
    this.slms = new Map(); // queue -> service level threshold in ms
    this.defaultSL = DEFAULT_SL_MS;
    this.calls = new Map(); // call_id -> record (times in µs since the epoch)
    this.skip = new Set(); // calls the history counts
    this.server = false; // the day comes from the server
    this.opened = null; // the first snapshot's time (the server's clock, RFC 3339)
    this.skew = 0; // the server's clock minus the page's, in ms
    this.asOf = '';
    this.counted = null; // without the server: the queue-stats totals the page accounts for
    this.floor = -Infinity; // without the server: figures before it (µs) are in before
    this.onNewDay = () => {}; // called when the day rolls over
    this.setDay(localMidnight(now), localMidnight(now, 1), null, null);
  }

  setDay(start, end, date, zone) {
    this.start = start;
    this.n = Math.max(1, Math.round((end - start) / BUCKET_MS));
    this.date = date;
    this.zone = zone;
    this.hist = zeros(this.n); // the server's figures
    this.extra = zeros(this.n); // without the server: reconciled from snapshots
    this.before = zero(); // without the server: today's calls before the page opened
    this.from = 0; // the first bucket the line is drawn from
    this.skip = new Set();
    let fmt;
    try {
      fmt = new Intl.DateTimeFormat('en-GB', { timeZone: zone || undefined, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      fmt = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    }
    this.fmt = fmt;
  }

  get end() { return this.start + this.n * BUCKET_MS; }

  // now is the server's clock as well as the page can tell.
  now() { return Date.now() + this.skew; }

  // label is the time of day where bucket i starts, in the day's zone.
  label(i) {
    return i >= this.n ? '24:00' : this.fmt.format(new Date(this.start + i * BUCKET_MS));
  }

  // roll moves to the day holding ms, if it is later than the current one.
  roll(ms) {
    if (!(ms >= this.end)) return false;
    let start = this.end, date = this.date;
    if (this.server) {
      while (start + DAY_BUCKETS * BUCKET_MS <= ms) { start += DAY_BUCKETS * BUCKET_MS; date = nextDate(date); }
      this.setDay(start, start + DAY_BUCKETS * BUCKET_MS, nextDate(date), this.zone); // until the server says
    } else {
      start = localMidnight(ms);
      this.setDay(start, localMidnight(ms, 1), null, null);
    }
    for (const [id, r] of this.calls) if (r.ended < start * 1000) this.calls.delete(id);
    this.onNewDay();
    return true;
  }

  // tick rolls the day over at midnight even without events.
  tick(now = this.now()) { return this.roll(now); }

  // load takes the answer of GET /wallboard/day, received at the page's
  // clock receivedAt.
  load(d, receivedAt = Date.now()) {
    const start = Date.parse(d.from), end = Date.parse(d.to);
    if (isNaN(start) || isNaN(end) || (this.server && start < this.start)) return false; // an older day
    const asOf = Date.parse(d.as_of);
    if (!isNaN(asOf)) this.skew = asOf - receivedAt;
    this.asOf = d.as_of || '';
    for (const [q, th] of Object.entries(d.thresholds || {})) if (th.service_level_ns) this.slms.set(q, th.service_level_ns / 1e6);
    if (d.default_thresholds && d.default_thresholds.service_level_ns) this.defaultSL = d.default_thresholds.service_level_ns / 1e6;
    this.server = true;
    this.floor = -Infinity;
    this.setDay(start, end, d.date, d.time_zone);
    const buckets = d.buckets || [];
    for (let i = 0; i < this.n && i < buckets.length; i++) this.hist[i] = fromServer(buckets[i].total);
    this.skip = new Set(d.calls || []);
    return true;
  }

  // callsSince is what to ask the server for: the counted calls that ended
  // since the page opened (or since midnight). Every call the page counts
  // ends after its first snapshot, whose time is on the server's clock.
  callsSince() {
    if (!this.opened) return '';
    return micros(this.opened) >= this.start * 1000 ? this.opened : new Date(this.start).toISOString();
  }

  // snapshot takes a hub snapshot and its offers (the calls ringing or
  // talking then).
  snapshot(s, offers = [], now = Date.now()) {
    const queues = (s && s.queues) || [];
    const tot = zero();
    for (const q of queues) {
      const st = q.stats || {};
      if (st.service_level_ns) this.slms.set(q.name, st.service_level_ns / 1e6);
      tot.entered += st.entered || 0;
      tot.answered += st.answered || 0;
      tot.in_sl += st.answered_in_sl || 0;
      tot.abandoned += st.abandoned || 0;
      tot.short += st.short_abandoned || 0;
      tot.callback += st.callbacks || 0;
    }
    const first = this.opened === null;
    if (first && s && s.at) this.opened = s.at;
    if (!this.server) {
      if (this.counted === null) {
        this.roll(now);
        this.before = { ...tot }; // the page opened mid-day: see the comment above
        this.counted = tot;
        this.floor = micros(s && s.at);
        if (isNaN(this.floor)) this.floor = now * 1000;
        this.from = Math.max(0, Math.min(this.n - 1, Math.floor((now - this.start) / BUCKET_MS)));
      } else if (FIELDS.some((f) => tot[f] < this.counted[f])) { // the ACD restarted
        this.counted = tot;
      } else {
        this.roll(now);
        const i = Math.floor((now - this.start) / BUCKET_MS);
        for (const f of FIELDS) {
          if (i >= 0 && i < this.n) this.extra[i][f] += tot[f] - this.counted[f];
          this.counted[f] = tot[f];
        }
      }
    }
    for (const q of queues) {
      for (const c of q.calls || []) {
        if (!c.callback) this.note({ kind: 'call_queued', call_id: c.call_id, queue: q.name, entered_queue_at: c.entered_queue_at });
      }
    }
    for (const e of offers || []) this.note(e);
  }

  // event counts a desk event.
  event(e) { this.note(e); }

  note(e) {
    if (!e || !e.call_id) return;
    const kind = e.kind;
    // A callback's own leg (callback_started, its offers, answer and end)
    // is not a new call: the call it replaces counted its callback request.
    if (e.callback && kind !== 'callback_requested') return;
    if (!['call_queued', 'call_offered', 'call_offer_ended', 'call_answered', 'call_abandoned', 'callback_requested', 'call_ended'].includes(kind)) return;
    let r = this.calls.get(e.call_id);
    if (!r) {
      r = { queue: e.queue || '', queued: NaN, answered: NaN, inSL: false, ended: NaN, outcome: '', short: false, seen: new Set() };
      this.calls.set(e.call_id, r);
    }
    if (!r.queue && e.queue) r.queue = e.queue;
    // An event reports nothing later than itself (the ACD stamps a moment,
    // then publishes): a time past the event's own is taken as the event's.
    // Missing, a moment defaults to the event's (but never the queue entry).
    const at = micros(e.at);
    const cap = (v) => (isNaN(v) || isNaN(at) ? v : Math.min(v, at));
    const when = (x) => (x ? cap(micros(x)) : at);
    const set = (k, v) => { if (isNaN(r[k]) && !isNaN(v)) r[k] = v; };
    set('queued', cap(micros(e.entered_queue_at)));
    switch (kind) {
      case 'call_answered':
        if (isNaN(r.answered)) {
          set('answered', when(e.answered_at));
          r.inSL = !isNaN(r.queued) && r.answered - r.queued <= (this.slms.get(r.queue) || this.defaultSL) * 1000;
        }
        break;
      case 'call_abandoned':
        set('ended', when(e.ended_at));
        r.outcome = 'abandoned';
        r.short = e.outcome === 'short_abandoned'; // the ACD's own measure
        break;
      case 'callback_requested':
        set('ended', when(e.ended_at));
        r.outcome = 'callback';
        break;
      case 'call_ended':
        if (e.answered_at && isNaN(r.answered)) this.note({ ...e, kind: 'call_answered' });
        set('ended', when(e.ended_at));
        r.outcome = e.outcome || r.outcome;
        break;
    }
    // Figures seen for the first time: without the server they advance the
    // totals reconciled with the snapshots; one past midnight starts the
    // next day.
    for (const [f, t] of figures(r)) {
      if (r.seen.has(f)) continue;
      r.seen.add(f);
      if (this.counted && !this.server && t >= this.floor) this.counted[f]++;
      this.roll(t / 1000);
    }
  }

  // live counts the page's own calls per bucket.
  live() {
    const out = zeros(this.n);
    for (const [id, r] of this.calls) {
      if (this.skip.has(id)) continue;
      for (const [f, t] of figures(r)) {
        if (t < this.floor) continue;
        const i = Math.floor((t / 1000 - this.start) / BUCKET_MS);
        if (i >= 0 && i < this.n) out[i][f]++;
      }
    }
    return out;
  }

  // series gives per bucket the figures and the cumulative service level
  // (null until a call is answered or abandoned), up to the bucket of now.
  series(now = this.now()) {
    const last = Math.min(this.n - 1, Math.max(0, Math.floor((now - this.start) / BUCKET_MS)));
    const live = this.live();
    const acc = { ...this.before };
    const out = [];
    for (let i = 0; i <= last; i++) {
      const b = zero();
      for (const f of FIELDS) {
        b[f] = this.hist[i][f] + live[i][f] + this.extra[i][f];
        acc[f] += b[f];
      }
      const n = acc.answered + acc.abandoned - acc.short;
      out.push({ i, calls: b.entered, b, sl: n > 0 && i >= this.from ? acc.in_sl / n : null });
    }
    return out;
  }
}

// figures are a call record's figures as [field, time in µs], with the
// definitions of agentdesk/daystats.go.
function figures(r) {
  const out = [];
  if (!isNaN(r.queued)) out.push(['entered', r.queued]);
  if (!isNaN(r.answered)) {
    out.push(['answered', r.answered]);
    if (r.inSL) out.push(['in_sl', r.answered]);
  }
  if (r.outcome === 'abandoned' && !isNaN(r.ended)) {
    out.push(['abandoned', r.ended]);
    if (r.short) out.push(['short', r.ended]);
  }
  if (r.outcome === 'callback' && !isNaN(r.ended)) out.push(['callback', r.ended]);
  return out;
}

function svg(tag, attrs, ...children) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
  for (const c of children) if (c) n.append(c);
  return n;
}

function label(x, y, text, anchor = 'middle') {
  const n = svg('text', { x, y, 'text-anchor': anchor });
  n.textContent = text;
  return n;
}

// draw replaces the content of box with the chart. title is the accessible
// name; fmtPct formats a share. Each bar carries its bucket's figures in
// data-* attributes (abandoned without the short abandons, as the API).
export function drawChart(box, chart, { now = chart.now(), title = '', fmtPct = (x) => Math.round(x * 100) + '%' } = {}) {
  const W = 960, H = 240, L = 40, R = 48, T = 12, B = 28;
  const pw = W - L - R, ph = H - T - B;
  const data = chart.series(now);
  const maxCalls = Math.max(4, ...data.map((d) => d.calls));
  const step = Math.max(1, Math.ceil(maxCalls / 4));
  const top = step * 4;
  const bw = pw / chart.n;
  const y = (v) => T + ph - (v / top) * ph;
  const ys = (v) => T + ph - v * ph;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'day-chart',
    'data-source': chart.server ? 'server' : 'page', 'data-day': chart.date || '', 'data-as-of': chart.asOf,
    'data-start': new Date(chart.start).toISOString(), 'data-buckets': chart.n });
  const t = svg('title');
  t.textContent = title;
  root.append(t);
  for (let k = 0; k <= 4; k++) {
    const gy = y(k * step);
    root.append(svg('line', { class: 'gridline', x1: L, x2: L + pw, y1: gy, y2: gy }));
    root.append(label(L - 6, gy + 4, String(k * step), 'end'));
    root.append(label(L + pw + 6, ys(k / 4) + 4, fmtPct(k / 4), 'start'));
  }
  root.append(svg('line', { class: 'sl-target', x1: L, x2: L + pw, y1: ys(0.8), y2: ys(0.8) }));
  for (let i = 0; i <= chart.n; i += 8) { // every two hours
    const x = L + i * bw;
    root.append(svg('line', { class: 'axis', x1: x, x2: x, y1: T + ph, y2: T + ph + 4 }));
    root.append(label(x, H - 8, chart.label(i)));
  }
  const bars = svg('g', { class: 'bars' });
  for (const d of data) {
    if (!d.calls) continue;
    const r = svg('rect', { class: 'bar' + (d.i === data.length - 1 ? ' now' : ''), x: (L + d.i * bw + 1).toFixed(1),
      y: y(d.calls).toFixed(1), width: Math.max(0.5, bw - 2).toFixed(1), height: (T + ph - y(d.calls)).toFixed(1),
      'data-bucket': d.i, 'data-calls': d.calls, 'data-answered': d.b.answered, 'data-in-sl': d.b.in_sl,
      'data-abandoned': d.b.abandoned - d.b.short, 'data-short': d.b.short, 'data-callbacks': d.b.callback });
    const tt = svg('title');
    tt.textContent = `${chart.label(d.i)} · ${d.calls}`;
    r.append(tt);
    bars.append(r);
  }
  root.append(bars);
  const pts = data.filter((d) => d.sl !== null).map((d) => `${(L + (d.i + 0.5) * bw).toFixed(1)},${ys(d.sl).toFixed(1)}`);
  if (pts.length) root.append(svg('polyline', { class: 'sl-line', points: pts.join(' ') }));
  root.append(svg('line', { class: 'axis', x1: L, x2: L + pw, y1: T + ph, y2: T + ph }));
  box.replaceChildren(root);
}
