// The dashboard: a Vue app with hash routes (#/, #/runs/N, #/new, #/history, #/tests,
// #/settings, #/results/N, #/compare?ids=A,B) and one live connection to the server's event stream.
import { createApp, ref, computed, onMounted } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api, live, startLive } from './api.js';
import { loadMetrics } from './format.js';
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
    return { route, live };
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
      <component :is="route.page" v-bind="route.props" :key="route.key"></component>
    </main>`,
};

// the one list of metrics first: every table, chart and star formats and ranks by it
loadMetrics(api).then(() => createApp(App).mount('#app'));
