// Home: the run in progress (progress, ETA, the browsers and their values, failures), the runs
// waiting for the account in the order they start (one engine per account), and the recent runs
// grouped by test. Refreshes on every event.
import { ref, computed, onMounted, onBeforeUnmount } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api, onLive, debounce } from '../api.js';
import { StatusBadge, ProgressBar, Workers, RunControls } from '../components.js';
import { when, progress } from '../format.js';

export default {
  components: { StatusBadge, ProgressBar, Workers, RunControls },
  setup() {
    const runs = ref([]), tasks = ref([]), error = ref(''), loaded = ref(false);
    const current = computed(() => {
      for (const st of ['running', 'interrupted', 'paused', 'pending']) {
        const r = runs.value.find((x) => x.status === st);
        if (r) return r;
      }
      return null;
    });
    // the account's queue: the order its runs start in (the store's queued_at)
    const queued = computed(() => runs.value.filter((r) => r.status === 'queued')
      .sort((a, b) => (a.queued_at || 0) - (b.queued_at || 0) || a.id - b.id));
    const groups = computed(() => {
      const by = new Map();
      for (const r of runs.value) {
        const key = r.test_id || 0;
        if (!by.has(key)) by.set(key, { key, name: r.test_name, url: r.test_url, runs: [] });
        const g = by.get(key);
        if (g.runs.length < 6) g.runs.push(r);
      }
      return [...by.values()];
    });
    const load = async () => {
      try {
        runs.value = await api.runs({ limit: 60 });
        tasks.value = current.value ? await api.tasks(current.value.id) : [];
        error.value = '';
      } catch (e) {
        error.value = e.message;
      }
      loaded.value = true;
    };
    const reload = debounce(load, 150);
    let off = null;
    onMounted(() => { load(); off = onLive(reload); });
    onBeforeUnmount(() => off && off());
    const changed = (run) => {
      const i = runs.value.findIndex((r) => r.id === run.id);
      if (i >= 0) runs.value[i] = run;
    };
    return { runs, tasks, current, queued, groups, error, loaded, when, progress, changed };
  },
  template: `
    <section class="page home">
      <p v-if="error" class="error" role="alert">{{ error }}</p>
      <div class="card current" v-if="current" :data-run-id="current.id">
        <div class="card-head">
          <h2>Current run: <a :href="'#/runs/' + current.id">{{ current.name || ('run ' + current.id) }}</a>
            <span class="muted" v-if="current.test_name || current.test_url"> · {{ current.test_name || current.test_url }}</span></h2>
          <status-badge :status="current.status"></status-badge>
        </div>
        <progress-bar :run="current"></progress-bar>
        <workers :tasks="tasks" :status="current.status"></workers>
        <p class="failcount" :class="{ warn: current.counts.failed }">Failures: {{ current.counts.failed }}<span
          v-if="current.counts.skipped" class="muted"> · skipped: {{ current.counts.skipped }}</span></p>
        <run-controls :run="current" @changed="changed" @error="e => error = e"></run-controls>
      </div>
      <div class="card" v-else-if="loaded">
        <h2>No run in progress</h2>
        <p class="muted">Start one from <a href="#/new">New Run</a>, or with <code>oo-automator run</code> in a terminal: it shows up here live.</p>
      </div>

      <div class="card queue" v-if="queued.length">
        <h2>Waiting for the account ({{ queued.length }})</h2>
        <p class="muted small">One run works an OptionOmega account at a time; these start in this order when it ends.</p>
        <ol class="run-list">
          <li v-for="r in queued" :key="r.id" :data-run-id="r.id" class="queued-run">
            <a :href="'#/runs/' + r.id">{{ r.name || ('run ' + r.id) }}</a>
            <span class="muted">{{ r.mode }}</span>
            <status-badge :status="r.status"></status-badge>
            <span class="muted small">{{ progress(r).total }} tasks · {{ when(r.created_at) }}</span>
            <run-controls :run="r" @changed="changed" @error="e => error = e"></run-controls>
          </li>
        </ol>
      </div>

      <h2>Recent runs</h2>
      <p v-if="loaded && !groups.length" class="muted">no runs yet</p>
      <div class="groups">
        <div class="card group" v-for="g in groups" :key="g.key">
          <h3 class="test-name">{{ g.name || g.url || 'no test' }}</h3>
          <div class="muted small" v-if="g.name">{{ g.url }}</div>
          <ul class="run-list">
            <li v-for="r in g.runs" :key="r.id" :data-run-id="r.id">
              <a :href="'#/runs/' + r.id">{{ r.name || ('run ' + r.id) }}</a>
              <span class="muted">{{ r.mode }}</span>
              <status-badge :status="r.status"></status-badge>
              <span class="mini-bar"><span :style="{ width: progress(r).pct + '%' }"></span></span>
              <span class="muted small">{{ progress(r).done }}/{{ progress(r).total }} · {{ when(r.created_at) }}</span>
            </li>
          </ul>
        </div>
      </div>
    </section>`,
};
