/* global document, window, location, localStorage, history, fetch, WebSocket, URLSearchParams, setInterval, setTimeout */
// Vigil wall display: vanilla JS, no build step. Talks to /api/v1/stream (docs/api.md "WebSocket stream") and the REST api.

const TOKEN_KEY = 'vigil.displayToken';
const params = new URLSearchParams(location.search);
/** Silence after which the full-screen DISCONNECTED state shows (docs/api.md "Wall display": 15 s; `?stale=ms` to tune). */
const STALE_MS = Number(params.get('stale')) || 15000;
const STAFF_TOKEN_MS = 5 * 60 * 1000;
const BEEP_EVERY_MS = 2500;
const PRIORITY_RANK = { critical: 0, high: 1, warning: 2, info: 3 };
const RULES = {
  fall: 'Fall',
  sos: 'SOS call',
  vitals: 'Vital signs',
  deterioration: 'Deterioration (NEWS2)',
  no_vitals_in_bed: 'No vital signs in bed',
  bed_exit_night: 'Bed exit at night',
  wandering: 'Wandering',
  inactivity: 'Inactivity',
  fire: 'Fire',
  gas: 'Gas',
  electrical: 'Electrical',
  device_offline: 'Device offline',
  low_battery: 'Low battery',
  band_not_worn: 'Band not worn',
  drill: 'Drill',
};

const $ = (id) => document.getElementById(id);
const state = {
  token: null,
  role: null,
  labels: { residents: {}, locations: {} },
  alerts: new Map(),
  lastEventId: null,
  lastHeard: Date.now(),
  socket: null,
  attempt: 0,
  staff: null,
  audio: null,
  lastBeep: 0,
  timers: [],
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(method, path, token, body) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  return { status: res.status, ok: res.ok, body: json };
}

function toast(message) {
  const node = $('toast');
  node.textContent = message;
  node.hidden = false;
  setTimeout(() => (node.hidden = true), 6000);
}

// ---------------------------------------------------------------- session
function showLogin(error = '') {
  $('login').hidden = false;
  $('login-error').textContent = error;
  $('bar').hidden = true;
  $('login-token').focus();
}

function logout(error) {
  localStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.timers.splice(0).forEach((timer) => window.clearInterval(timer));
  const socket = state.socket;
  state.socket = null;
  socket?.close();
  state.alerts.clear();
  state.lastEventId = null;
  render();
  $('disconnected').hidden = true;
  showLogin(error);
}

async function begin() {
  $('login').hidden = true;
  $('bar').hidden = false;
  state.lastHeard = Date.now();
  try {
    const me = await api('GET', '/api/v1/me', state.token);
    if (me.status === 401) return logout('That token was not accepted.');
    if (me.ok) state.role = me.body.role;
    const labels = await api('GET', '/api/v1/display/labels', state.token);
    if (labels.ok) {
      state.labels = labels.body;
      $('facility').textContent = labels.body.facility.name;
    }
  } catch {
    // The server is unreachable right now: the stream reconnects and the watchdog shows it.
  }
  connect();
  state.timers.push(setInterval(watchdog, 1000));
}

// ---------------------------------------------------------------- stream
function connect() {
  if (!state.token) return;
  const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/v1/stream`);
  state.socket = socket;
  setLink('connecting', 'connecting…');
  socket.onopen = () => {
    const hello = { type: 'hello', token: state.token };
    if (state.lastEventId !== null) hello.since = state.lastEventId;
    socket.send(JSON.stringify(hello));
  };
  socket.onmessage = (message) => {
    if (state.socket !== socket) return;
    state.lastHeard = Date.now();
    state.attempt = 0;
    setLink('live', 'live');
    receive(JSON.parse(message.data));
  };
  socket.onclose = (event) => {
    if (state.socket !== socket) return;
    state.socket = null;
    if (event.code === 4401) return logout('That token was not accepted.');
    setLink('down', 'reconnecting…');
    const delay = Math.min(5000, 500 * 2 ** state.attempt++);
    setTimeout(connect, delay);
  };
}

function receive(message) {
  if (message.type === 'snapshot') {
    state.alerts = new Map(message.alerts.map((alert) => [alert.id, alert]));
    state.lastEventId = message.lastEventId;
  } else if (message.type === 'alert') {
    if (state.lastEventId !== null && message.eventId <= state.lastEventId) return;
    state.lastEventId = message.eventId;
    if (message.alert.status === 'resolved') state.alerts.delete(message.alert.id);
    else state.alerts.set(message.alert.id, message.alert);
  } else if (message.type === 'heartbeat') {
    // Every event up to this id that concerns us has been sent before the heartbeat: resume from here.
    state.lastEventId = Math.max(state.lastEventId ?? 0, message.lastEventId);
    return;
  }
  render();
  alarm();
}

function setLink(kind, text) {
  const node = $('link');
  node.dataset.state = kind;
  node.textContent = text;
}

function watchdog() {
  const silent = Date.now() - state.lastHeard;
  const stale = silent > STALE_MS;
  $('disconnected').hidden = !stale;
  document.body.classList.toggle('stale', stale);
  $('silent-for').textContent = String(Math.floor(silent / 1000));
  // A half-open connection delivers nothing and never closes by itself: drop it and reconnect.
  if (stale && state.socket?.readyState === WebSocket.OPEN) state.socket.close();
  for (const node of document.querySelectorAll('[data-raised]')) node.textContent = since(node.dataset.raised);
  alarm();
}

// ---------------------------------------------------------------- tiles
function since(iso) {
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s ago`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min ago`;
}

function sorted() {
  const rank = (a) => PRIORITY_RANK[a.priority] * 2 + (a.status === 'open' ? 0 : 1);
  return [...state.alerts.values()].sort((a, b) => rank(a) - rank(b) || a.raisedAt.localeCompare(b.raisedAt));
}

function who(alert) {
  const parts = [];
  if (alert.resident) parts.push(state.labels.residents[alert.resident] || alert.resident);
  if (alert.location) parts.push(state.labels.locations[alert.location] || alert.location);
  if (!parts.length && alert.device) parts.push(`device ${alert.device}`);
  return parts.join(' · ');
}

function tile(alert) {
  const critical = alert.priority === 'critical' && alert.status === 'open';
  const node = el('article', `tile priority-${alert.priority} status-${alert.status}${critical ? ' flash' : ''}`);
  node.dataset.alertId = alert.id;
  node.dataset.priority = alert.priority;
  const badges = el('div', 'badges');
  badges.append(el('span', 'badge priority', alert.priority.toUpperCase()));
  if (alert.drill) badges.append(el('span', 'badge drill', 'DRILL'));
  if (alert.escalationLevel > 0) badges.append(el('span', 'badge escalated', 'ESCALATED'));
  if (alert.status === 'acknowledged') badges.append(el('span', 'badge ack', `ACK ${alert.acknowledgedBy ?? ''}`));
  const raised = el('p', 'since', since(alert.raisedAt));
  raised.dataset.raised = alert.raisedAt;
  const actions = el('div', 'actions');
  if (alert.status === 'open') actions.append(button('Acknowledge', 'ack', () => act(alert, 'ack')));
  actions.append(button('Resolve', 'resolve', () => askResolve(alert)));
  node.append(badges, el('h2', 'rule', RULES[alert.rule] || alert.rule), el('p', 'who', who(alert)));
  node.append(el('p', 'detail', alert.detail), raised, actions);
  return node;
}

function button(text, className, onClick) {
  const node = el('button', className, text);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

function render() {
  const alerts = sorted();
  $('tiles').replaceChildren(...alerts.map(tile));
  $('empty').hidden = alerts.length > 0 || !state.token;
  $('count').textContent = alerts.length ? `${alerts.length} open` : '';
}

// ---------------------------------------------------------------- sound
function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!state.audio && Context) state.audio = new Context();
  if (state.audio?.state === 'suspended') state.audio.resume();
  $('sound').hidden = state.audio?.state === 'running';
}

/** New critical alerts flash and sound until someone acknowledges them. */
function alarm() {
  const ringing = [...state.alerts.values()].some((a) => a.priority === 'critical' && a.status === 'open');
  document.body.classList.toggle('alarm', ringing);
  $('sound').hidden = !ringing || state.audio?.state === 'running';
  if (!ringing || Date.now() - state.lastBeep < BEEP_EVERY_MS) return;
  state.lastBeep = Date.now();
  const ctx = state.audio;
  if (!ctx || ctx.state !== 'running') return;
  // Three rising pulses, in the spirit of an IEC 60601-1-8 high-priority burst.
  [0, 0.25, 0.5].forEach((offset, i) => {
    const start = ctx.currentTime + offset;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = 880 + i * 110;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + 0.2);
  });
}

// ---------------------------------------------------------------- actions
function askStaffToken() {
  if (state.staff && Date.now() < state.staff.until) return Promise.resolve(state.staff.token);
  const dialog = $('staff-dialog');
  const input = dialog.querySelector('input');
  input.value = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        if (dialog.returnValue !== 'ok' || !input.value) return resolve(null);
        state.staff = { token: input.value, until: Date.now() + STAFF_TOKEN_MS };
        resolve(input.value);
      },
      { once: true },
    );
  });
}

function askResolve(alert) {
  const dialog = $('resolve-dialog');
  const form = dialog.querySelector('form');
  form.reset();
  $('resolve-what').textContent = `${RULES[alert.rule] || alert.rule} — ${who(alert)}`;
  dialog.showModal();
  dialog.addEventListener(
    'close',
    () => {
      if (dialog.returnValue !== 'resolve') return;
      const data = new window.FormData(form);
      const note = String(data.get('note') || '').trim();
      act(alert, 'resolve', { outcome: data.get('outcome'), ...(note ? { note } : {}) });
    },
    { once: true },
  );
}

async function act(alert, action, body) {
  // A display token may only watch; acting needs a caregiver's own token, so the record says who responded.
  let token = state.role === 'display' ? await askStaffToken() : state.token;
  if (!token) return;
  try {
    let res = await api('POST', `/api/v1/alerts/${alert.id}/${action}`, token, body);
    if (res.status === 403 && token === state.token && (token = await askStaffToken())) {
      res = await api('POST', `/api/v1/alerts/${alert.id}/${action}`, token, body);
    }
    if (res.status === 401 && token !== state.token) state.staff = null;
    if (!res.ok) toast(res.body?.error?.message ?? `could not ${action} (HTTP ${res.status})`);
  } catch {
    toast(`could not ${action}: the server is unreachable`);
  }
}

// ---------------------------------------------------------------- start
function boot() {
  const fromUrl = params.get('token');
  if (fromUrl) {
    localStorage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');
    // Keep the token out of the address bar, history and screenshots.
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}`);
  }
  state.token = localStorage.getItem(TOKEN_KEY);
  document.addEventListener('pointerdown', unlockAudio);
  $('sound').addEventListener('click', unlockAudio);
  $('logout').addEventListener('click', () => logout());
  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    state.token = $('login-token').value.trim();
    localStorage.setItem(TOKEN_KEY, state.token);
    unlockAudio();
    begin();
  });
  if (state.token) begin();
  else showLogin();
}

boot();
