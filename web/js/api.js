// api: the REST calls and the live event stream. Every call goes to the same origin.
//
// The token, when the server wants one (serve --token): it comes once from the address
// (#token=TOKEN; ?token=TOKEN works too, but a query reaches the server's logs), or from the
// form the page shows on a 401. It is kept in this origin's localStorage (scheme, host and port:
// no other server of the machine can read it), leaves the address bar at once, and travels only
// as "Authorization: Bearer TOKEN" on every request and, for the live stream (a browser gives a
// WebSocket no header), as the protocol item oo-token.<hex>. Never in a cookie: a cookie goes to
// every port of the host, so to every other server on it. Files (the CSV export, a failure's
// screenshot and HTML) are fetched the same way and handed over as blobs.
import { reactive } from '/vendor/vue/dist/vue.esm-browser.prod.js';

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

const TOKEN_KEY = 'oo-token';
let memoryToken = null;   // when the browser keeps no storage for this page
// needed: the server answered 401 (the page asks for the token); refused: a token was sent
export const auth = reactive({ needed: false, refused: false });

export function token() {
  try { return localStorage.getItem(TOKEN_KEY) || memoryToken; } catch { return memoryToken; }
}

export function setToken(t) {
  memoryToken = t || null;
  try {
    if (t) localStorage.setItem(TOKEN_KEY, t);
    else localStorage.removeItem(TOKEN_KEY);
  } catch { /* memoryToken holds it */ }
}

// A parameter of a "a=1&b=2" text, percent-decoded ('+' stays '+': a token may hold it); the
// text without it.
function takeParam(text, name) {
  let value = null;
  const rest = text.split('&').filter((kv) => {
    if (!kv.startsWith(name + '=')) return true;
    try { value = decodeURIComponent(kv.slice(name.length + 1)); } catch { value = null; }
    return false;
  });
  return { value, rest: rest.join('&') };
}

// Reads the address once, before anything else: the token (#token=T, #/route?token=T or
// ?token=T) is kept and removed; /?run=N (where /runs/N, the URL `run` prints, leads) becomes
// the route #/runs/N. The address bar is left with the route alone.
export function takeAddress() {
  let route = location.hash.replace(/^#/, '');
  let search = location.search.replace(/^\?/, '');
  let found = null;
  const q = takeParam(search, 'token');
  if (q.value) { found = q.value; search = q.rest; }
  const cut = route.startsWith('token=') ? 0 : route.indexOf('?') + 1;
  if (cut > 0 || route.startsWith('token=')) {
    const f = takeParam(route.slice(cut), 'token');
    if (f.value) {
      found = f.value;
      route = cut ? route.slice(0, cut - 1) + (f.rest ? '?' + f.rest : '') : f.rest;
    }
  }
  const run = takeParam(search, 'run');
  if (run.value !== null && /^\d+$/.test(run.value)) { search = run.rest; if (!route) route = '/runs/' + run.value; }
  if (found) setToken(found);
  const clean = location.pathname + (search ? '?' + search : '') + (route ? '#' + route : '');
  if (clean !== location.pathname + location.search + location.hash) history.replaceState(null, '', clean);
}

// The fetch of one request, with the token; a 401 makes the page ask for the token.
async function send(method, path, body) {
  const init = { method, headers: {}, credentials: 'omit' };
  const t = token();
  if (t) init.headers.Authorization = 'Bearer ' + t;
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
  if (res.status === 401) {
    auth.refused = !!t;
    auth.needed = true;
  }
  return res;
}

async function failure(res) {
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  return new ApiError(res.status, (data && data.error) || res.status + ' ' + res.statusText);
}

export async function request(method, path, body) {
  const res = await send(method, path, body);
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  try { return text ? JSON.parse(text) : null; } catch { return null; }
}

// A file of the API as a Blob (with its name from Content-Disposition, when it gives one).
async function fileOf(path) {
  const res = await send('GET', path);
  if (!res.ok) throw await failure(res);
  const blob = await res.blob();
  const m = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
  return { blob, name: m ? m[1] : path.split('/').pop() };
}

// Saves a file of the API as a download, as a plain link would.
export async function download(path) {
  const { blob, name } = await fileOf(path);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// A file of the API as an object URL (the caller revokes it), for an <img>.
export async function objectUrl(path) {
  return URL.createObjectURL((await fileOf(path)).blob);
}

// A page snapshot as the srcdoc of a sandboxed frame: no script (sandbox), no network (its
// own policy, first in the document, as the server's header says for the file itself).
export async function snapshotDoc(path) {
  const text = await (await fileOf(path)).blob.text();
  return '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">' + text;
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
  modes: () => request('GET', '/api/modes'),
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

// The protocols the stream offers: the dashboard's own (the server answers with it) and the
// token, hex-encoded (a protocol name is an HTTP token: no '=', no space).
function protocols() {
  const t = token();
  if (!t) return ['oo-dashboard'];
  const hex = Array.from(new TextEncoder().encode(t), (b) => b.toString(16).padStart(2, '0')).join('');
  return ['oo-dashboard', 'oo-token.' + hex];
}

function connect() {
  if (auth.needed) return;   // the page asks for the token; it reloads with it
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const after = live.lastEventId ? `?after=${live.lastEventId}` : '';
  socket = new WebSocket(`${proto}//${location.host}/ws${after}`, protocols());
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
