// The CTI WebSocket (/api/cti, docs/cti.md): commands with promised replies, events to
// listeners, and reconnection when the connection drops. The session cookie authenticates.

const REPLY_TIMEOUT_MS = 15000;
const MAX_BACKOFF_MS = 5000;

export class CtiError extends Error {}

export class Cti {
  // onEvent(message), onOpen() after every (re)connection, onStatus("connecting"|"open"|"closed").
  constructor({ onEvent, onOpen, onStatus, words }) {
    this.onEvent = onEvent;
    this.onOpen = onOpen;
    this.onStatus = onStatus;
    this.words = words;
    this.nextId = 1;
    this.pending = new Map();
    this.backoff = 500;
    this.socket = null;
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/api/cti`);
    this.socket = socket;
    this.onStatus("connecting");
    socket.addEventListener("open", () => {
      this.backoff = 500;
      this.onStatus("open");
      this.onOpen();
    });
    socket.addEventListener("message", (message) => this.received(message.data));
    socket.addEventListener("close", () => this.closed(socket));
  }

  received(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if ("event" in message) {
      this.onEvent(message);
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    clearTimeout(waiter.timer);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new CtiError(message.error));
  }

  async closed(socket) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.onStatus("closed");
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new CtiError(this.words.t("not_connected")));
    }
    this.pending.clear();
    // A session that has ended (logged out elsewhere, expired) cannot reconnect: sign in.
    try {
      const me = await fetch("/api/auth/me");
      if (me.status === 401) {
        location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
        return;
      }
    } catch {
      // the server is down: keep trying
    }
    setTimeout(() => this.connect(), this.backoff);
    this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff * 2);
  }

  get open() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  // Send a command; resolves with its result, rejects with a CtiError carrying its error.
  command(command, fields = {}) {
    if (!this.open) return Promise.reject(new CtiError(this.words.t("not_connected")));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CtiError(this.words.t("no_reply")));
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ id, command, ...fields }));
    });
  }
}
