// Desk websocket: reconnects with backoff and resumes with ?since=<last
// seq>, so the hub replays what was missed or sends a fresh snapshot.
export function connectDesk(onMessage, onStatus = () => {}) {
  let lastSeq = 0, delay = 500, ws = null, stopped = false, timer = null;
  function open() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(`${proto}//${location.host}/ws${lastSeq ? '?since=' + lastSeq : ''}`);
    ws.onopen = () => { delay = 500; onStatus('online'); };
    ws.onmessage = (m) => {
      let msg;
      try { msg = JSON.parse(m.data); } catch { return; }
      if (msg.type === 'snapshot' && msg.snapshot) {
        lastSeq = msg.snapshot.seq || 0;
      } else if (msg.type === 'event' && msg.event && msg.event.seq) {
        if (msg.event.seq <= lastSeq) return; // already in the snapshot or seen
        lastSeq = msg.event.seq;
      }
      try { onMessage(msg); } catch (e) { console.error(e); }
    };
    ws.onclose = (ev) => {
      onStatus('offline');
      if (stopped) return;
      // 4401: the user's sessions ended (logout elsewhere, a password
      // reset, disabled): back to the login instead of reconnecting.
      if (ev.code === 4401) { stopped = true; location.assign('/'); return; }
      timer = setTimeout(open, delay + Math.random() * delay * 0.5);
      delay = Math.min(delay * 2, 15000);
    };
  }
  open();
  return {
    close() { stopped = true; clearTimeout(timer); if (ws) ws.close(); },
    get lastSeq() { return lastSeq; },
    // send a message to the hub if connected (e.g. {type:'popped'}).
    send(obj) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj)); },
  };
}
