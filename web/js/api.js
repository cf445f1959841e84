// api: the REST calls and the live event stream. Every call goes to the same origin; a token,
// when the server wants one, travels in the cookie it set when the page was opened with ?token=.
import { reactive } from '/vendor/vue/dist/vue.esm-browser.prod.js';

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function request(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'the dashboard server does not answer (' + e.message + ')');
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || res.status + ' ' + res.statusText);
  return data;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

export const api = {
  health: () => request('GET', '/api/health'),
  tests: () => request('GET', '/api/tests'),
  renameTest: (id, name) => request('PATCH', `/api/tests/${id}`, { name }),
  deleteTest: (id) => request('DELETE', `/api/tests/${id}`),
  runs: (filters) => request('GET', '/api/runs' + query(filters)),
  run: (id) => request('GET', `/api/runs/${id}`),
  tasks: (id) => request('GET', `/api/runs/${id}/tasks`),
  results: (id) => request('GET', `/api/runs/${id}/results`),
  failures: (id) => request('GET', `/api/runs/${id}/failures`),
  analysis: (id) => request('GET', `/api/runs/${id}/analysis`),
  trades: (resultId) => request('GET', `/api/results/${resultId}/trades`),
  control: (id, action) => request('POST', `/api/runs/${id}/${action}`),
  startRun: (spec) => request('POST', '/api/runs', spec),
  estimate: (spec) => request('POST', '/api/estimate', spec),
  parameters: () => request('GET', '/api/parameters'),
  metrics: () => request('GET', '/api/metrics'),
  runEvents: (id, kind) => request('GET', `/api/runs/${id}/events` + query({ kind })),
  settings: () => request('GET', '/api/settings'),
  saveSettings: (s) => request('PUT', '/api/settings', s),
  exportUrl: (id) => `/api/runs/${id}/export.csv`,
  artifactUrl: (failureId, kind) => `/api/failures/${failureId}/${kind}`,
};

// The live stream: one WebSocket, reconnecting with ?after= so nothing is missed. Pages
// subscribe with live.on(fn) (fn gets each event) and get {type:'reset'} when they should
// reload everything from REST.
export const live = reactive({ connected: false, lastEventId: 0, received: 0 });
const listeners = new Set();
let socket = null, retry = 250, started = false;

function emit(ev) {
  for (const fn of listeners) {
    try { fn(ev); } catch (e) { console.error(e); }
  }
}

function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const after = live.lastEventId ? `?after=${live.lastEventId}` : '';
  socket = new WebSocket(`${proto}//${location.host}/ws${after}`);
  socket.onopen = () => { live.connected = true; retry = 250; };
  socket.onmessage = (m) => {
    let msg;
    try { msg = JSON.parse(m.data); } catch { return; }
    if (msg.type === 'hello') {
      const first = !live.lastEventId;
      if (first || msg.last_event_id < live.lastEventId) live.lastEventId = msg.last_event_id;
      if (!first) emit({ type: 'reset' });   // reconnected: pages refresh what they show
    } else if (msg.type === 'event') {
      if (msg.id <= live.lastEventId) return;
      live.lastEventId = msg.id;
      live.received++;
      emit(msg);
    } else if (msg.type === 'reset') {
      emit({ type: 'reset' });
    }
  };
  socket.onclose = () => {
    live.connected = false;
    socket = null;
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 5000);
  };
}

export function startLive() {
  if (started) return;
  started = true;
  connect();
}

export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// Calls fn at most once per `ms`, after the last call (trailing), for refetch-on-event.
export function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

// window.ooLive: what tests (and curious users) can look at.
window.ooLive = live;
