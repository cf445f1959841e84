// The dashboard: a Vue app with hash routes (#/, #/runs/N, #/new, #/history, #/tests,
// #/settings, #/results/N, #/compare?ids=A,B) and one live connection to the server's event stream.
import { createApp, ref, computed, onMounted } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api, live, startLive, auth, setToken, takeAddress } from './api.js';
import { loadMetrics } from './format.js';
import { loadModes } from './search.js';
import Home from './pages/home.js';
import Run from './pages/run.js';
import NewRun from './pages/newrun.js';
import History from './pages/history.js';
import Tests from './pages/tests.js';
import Settings from './pages/settings.js';
import Result from './pages/result.js';
import Compare from './pages/compare.js';

const routes = [
  { re: /^\/?$/, page: Home, nav: 'home' },
  { re: /^\/runs\/(\d+)$/, page: Run, props: (m) => ({ id: Number(m[1]) }), nav: 'history' },
  { re: /^\/new$/, page: NewRun, nav: 'new' },
  { re: /^\/history$/, page: History, nav: 'history' },
  { re: /^\/tests$/, page: Tests, nav: 'tests' },
  { re: /^\/settings$/, page: Settings, nav: 'settings' },
  { re: /^\/results\/(\d+)$/, page: Result, props: (m) => ({ id: Number(m[1]) }), nav: 'history' },
  { re: /^\/compare(?:\?ids=([\d,]*))?$/, page: Compare, nav: 'history',
    props: (m) => ({ ids: (m[1] || '').split(',').filter(Boolean).map(Number) }) },
];

// The token form, shown instead of the page when the server answers 401: the token is kept in
// this origin's storage (api.js) and the page starts over with it, on the route it was asked for.
const TokenForm = {
  setup() {
    const value = ref('');
    const submit = () => {
      if (!value.value) return;
      setToken(value.value);
      location.reload();
    };
    return { value, submit, auth };
  },
  template: `
    <section class="page"><div class="card token-form">
      <h2>This dashboard needs its token</h2>
      <p v-if="auth.refused" class="error">The token this browser kept was refused (the server has another one now).</p>
      <p class="muted">The one given to <code>oo-automator serve</code> (<code>--token</code> or <code>OO_TOKEN</code>).
        This browser keeps it for this address only, and sends it to this dashboard only.</p>
      <form @submit.prevent="submit"><input v-model="value" type="password" name="token" autocomplete="off"
        autofocus placeholder="token"> <button type="submit" data-action="token">Open the dashboard</button></form>
    </div></section>`,
};

const NotFound = { template: `<section class="page"><h2>Not found</h2><p><a href="#/">Home</a></p></section>` };

const App = {
  setup() {
    const path = ref(location.hash.replace(/^#/, '') || '/');
    window.addEventListener('hashchange', () => { path.value = location.hash.replace(/^#/, '') || '/'; });
    const route = computed(() => {
      for (const r of routes) {
        const m = path.value.match(r.re);
        if (m) return { page: r.page, props: r.props ? r.props(m) : {}, nav: r.nav, key: path.value };
      }
      return { page: NotFound, props: {}, nav: '', key: path.value };
    });
    onMounted(startLive);
    return { route, live, auth };
  },
  template: `
    <header class="top">
      <a href="#/" class="brand">OO Automator</a>
      <nav>
        <a href="#/" :class="{ on: route.nav === 'home' }">Home</a>
        <a href="#/new" :class="{ on: route.nav === 'new' }" class="new-run">New Run</a>
        <a href="#/history" :class="{ on: route.nav === 'history' }">History</a>
        <a href="#/tests" :class="{ on: route.nav === 'tests' }">Tests</a>
        <a href="#/settings" :class="{ on: route.nav === 'settings' }">Settings</a>
      </nav>
      <span class="live" :class="{ on: live.connected }" :title="live.connected ? 'live updates on' : 'reconnecting…'">
        <span class="dot" :class="{ on: live.connected }"></span>{{ live.connected ? 'live' : 'offline' }}</span>
    </header>
    <main>
      <component v-if="!auth.needed" :is="route.page" v-bind="route.props" :key="route.key"></component>
      <token-form v-else></token-form>
    </main>`,
  components: { TokenForm },
};

// the address first (its token, /?run=N), then the one list of metrics (every table, chart and
// star formats and ranks by it) and the one list of modes (Run Detail: which are searches)
takeAddress();
Promise.all([loadMetrics(api), loadModes()]).then(() => createApp(App).mount('#app'));
