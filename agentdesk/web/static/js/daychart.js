// The wallboard's day chart: calls per 15 minutes since local midnight and
// the service level through the day, kept in the page from the hub's events
// and drawn as inline SVG (elements only, styled by css/desk.css: no inline
// style, no markup from strings).
//
// The page only sees events from the moment it opens. When it opens mid-day
// it starts from what the first snapshot's queue stats give (counters since
// the ACD started, taken as today's: the ACD restarts daily in practice, and
// it is the best the page has). Those calls have no 15-minute breakdown: they
// count in the service-level line from the start and are reported in a note
// under the chart, not drawn as bars. Later snapshots (the hub sends
// supervisors fresh ones, and one after a reconnect) reconcile the counters:
// what the stats show beyond what the events counted (events missed while
// disconnected) is added to the current bucket.
const SVG = 'http://www.w3.org/2000/svg';
export const BUCKET_MS = 15 * 60 * 1000;
const BUCKETS = 96;
const DEFAULT_SL_MS = 20000; // agentdesk.DefaultServiceLevel
const SHORT_ABANDON_MS = 5000; // agentdesk.DefaultShortAbandon (not in the stats)
const FIELDS = ['entered', 'answered', 'in_sl', 'abandoned', 'short'];

const zero = () => ({ entered: 0, answered: 0, in_sl: 0, abandoned: 0, short: 0 });

function midnight(ms) {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export class DayChart {
  constructor(now = Date.now()) {
    this.reset(now);
    this.counted = null; // the queue-stats totals the page accounts for
    this.slms = new Map(); // queue -> service level threshold in ms
  }

  reset(now) {
    this.day = midnight(now);
    this.buckets = Array.from({ length: BUCKETS }, zero);
    this.before = zero(); // calls of today before the page opened
    this.from = 0; // the first bucket the line is drawn from: the page's opening
  }

  bucketAt(ms) {
    if (midnight(ms) !== this.day) {
      if (ms < this.day) return null; // yesterday's late event
      this.reset(ms); // a new day: start again
    }
    return this.buckets[Math.min(BUCKETS - 1, Math.floor((ms - this.day) / BUCKET_MS))];
  }

  // snapshot takes the queue stats of a hub snapshot.
  snapshot(queues, now = Date.now()) {
    const tot = zero();
    for (const q of queues || []) {
      const s = q.stats || {};
      if (s.service_level_ns) this.slms.set(q.name, s.service_level_ns / 1e6);
      tot.entered += s.entered || 0;
      tot.answered += s.answered || 0;
      tot.in_sl += s.answered_in_sl || 0;
      tot.abandoned += s.abandoned || 0;
      tot.short += s.short_abandoned || 0;
    }
    if (this.counted === null) {
      this.before = { ...tot }; // the page opened mid-day: see the comment above
      this.counted = tot;
      this.bucketAt(now);
      this.from = Math.max(0, Math.floor((now - this.day) / BUCKET_MS));
      return;
    }
    if (FIELDS.some((f) => tot[f] < this.counted[f])) { // the ACD restarted
      this.counted = tot;
      return;
    }
    const b = this.bucketAt(now);
    for (const f of FIELDS) {
      if (b) b[f] += tot[f] - this.counted[f];
      this.counted[f] = tot[f];
    }
  }

  // event counts a desk event into its bucket.
  event(e) {
    const ms = (x) => (x ? new Date(x).getTime() : NaN);
    let at = ms(e.at);
    if (isNaN(at)) at = Date.now();
    let b = null;
    const count = (f) => { if (b) b[f]++; if (this.counted) this.counted[f]++; };
    switch (e.kind) {
      case 'call_queued': {
        const t = ms(e.entered_queue_at);
        b = this.bucketAt(isNaN(t) ? at : t);
        count('entered');
        break;
      }
      case 'call_answered': {
        b = this.bucketAt(at);
        count('answered');
        const wait = ms(e.answered_at || e.at) - ms(e.entered_queue_at);
        if (!isNaN(wait) && wait <= (this.slms.get(e.queue) || DEFAULT_SL_MS)) count('in_sl');
        break;
      }
      case 'call_abandoned': {
        b = this.bucketAt(at);
        count('abandoned');
        const wait = ms(e.ended_at || e.at) - ms(e.entered_queue_at);
        if (!isNaN(wait) && wait < SHORT_ABANDON_MS) count('short');
        break;
      }
    }
  }

  // series gives per bucket the calls and the cumulative service level
  // (null until a call is answered or abandoned), up to the bucket of now.
  series(now = Date.now()) {
    const last = Math.min(BUCKETS - 1, Math.max(0, Math.floor((now - this.day) / BUCKET_MS)));
    const acc = { ...this.before };
    const out = [];
    for (let i = 0; i <= last; i++) {
      const b = this.buckets[i];
      for (const f of FIELDS) acc[f] += b[f];
      const n = acc.answered + acc.abandoned - acc.short;
      out.push({ i, calls: b.entered, sl: n > 0 && i >= this.from ? acc.in_sl / n : null });
    }
    return out;
  }
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
// name; fmtPct formats a share.
export function drawChart(box, chart, { now = Date.now(), title = '', fmtPct = (x) => Math.round(x * 100) + '%' } = {}) {
  const W = 960, H = 240, L = 40, R = 48, T = 12, B = 28;
  const pw = W - L - R, ph = H - T - B;
  const data = chart.series(now);
  const maxCalls = Math.max(4, ...data.map((d) => d.calls));
  const step = Math.max(1, Math.ceil(maxCalls / 4));
  const top = step * 4;
  const bw = pw / BUCKETS;
  const y = (v) => T + ph - (v / top) * ph;
  const ys = (v) => T + ph - v * ph;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'day-chart' });
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
  for (let h = 0; h <= 24; h += 2) {
    const x = L + (h * 4) * bw;
    root.append(svg('line', { class: 'axis', x1: x, x2: x, y1: T + ph, y2: T + ph + 4 }));
    root.append(label(x, H - 8, String(h).padStart(2, '0') + ':00'));
  }
  const bars = svg('g', { class: 'bars' });
  for (const d of data) {
    if (!d.calls) continue;
    const r = svg('rect', { class: 'bar' + (d.i === data.length - 1 ? ' now' : ''), x: (L + d.i * bw + 1).toFixed(1),
      y: y(d.calls).toFixed(1), width: (bw - 2).toFixed(1), height: (T + ph - y(d.calls)).toFixed(1), 'data-bucket': d.i, 'data-calls': d.calls });
    const tt = svg('title');
    const hh = Math.floor(d.i / 4), mm = (d.i % 4) * 15;
    tt.textContent = `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')} · ${d.calls}`;
    r.append(tt);
    bars.append(r);
  }
  root.append(bars);
  const pts = data.filter((d) => d.sl !== null).map((d) => `${(L + (d.i + 0.5) * bw).toFixed(1)},${ys(d.sl).toFixed(1)}`);
  if (pts.length) root.append(svg('polyline', { class: 'sl-line', points: pts.join(' ') }));
  root.append(svg('line', { class: 'axis', x1: L, x2: L + pw, y1: T + ph, y2: T + ph }));
  box.replaceChildren(root);
}
