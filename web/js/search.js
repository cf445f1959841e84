// search: the New Run page's pieces for the searches that spend fewer backtests (refine,
// optimize, halving: lua/modes/) and the estimate every run shows before it starts. The modes
// check their own options when the run is made; the estimate comes from the server (POST
// /api/estimate), which counts the backtests and measures the account's pace as `run` does.
import { ref, watch, onBeforeUnmount } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api } from './api.js';
import { optimizable, metricOf, bestBy } from './format.js';

export const SEARCH_MODES = [
  { value: 'refine', label: 'Refine: a coarse grid, then finer steps around the best (deterministic)' },
  { value: 'optimize', label: 'Optimize: a model picks each next backtest, within a budget' },
  { value: 'halving', label: 'Halving: every configuration on a short recent window, the best on longer ones' },
];
export const isSearch = (mode) => SEARCH_MODES.some((m) => m.value === mode);

// Halving's period defaults to the last three calendar years and this year up to yesterday.
export function searchDefaults(today = new Date()) {
  const yesterday = new Date(today.getTime() - 86400000).toISOString().slice(0, 10);
  return { optimize_by: 'mar', max_backtests: 40, seed: 1, period_from: `${today.getUTCFullYear() - 3}-01-02`,
           period_to: yesterday, eta: 3 };
}

// The spec's keys a search mode adds to a grid's parameters.
export function searchSpec(mode, o) {
  const s = { optimize_by: o.optimize_by };
  if (mode === 'optimize') Object.assign(s, { max_backtests: Number(o.max_backtests), seed: Number(o.seed) });
  if (mode === 'halving') Object.assign(s, { period: `${o.period_from}..${o.period_to}`, eta: Number(o.eta) });
  return s;
}

export const SearchOptions = {
  props: { mode: String, options: Object },
  setup() { return { optimizable }; },
  template: `
    <div class="fields search-options">
      <label class="field"><span class="field-label">Best by</span>
        <select name="optimize_by" v-model="options.optimize_by">
          <option v-for="m in optimizable()" :key="m.key" :value="m.key">{{ m.label }}</option></select></label>
      <template v-if="mode === 'optimize'">
        <label class="field"><span class="field-label">Budget (backtests)</span>
          <input name="max_backtests" type="number" min="2" step="1" v-model.number="options.max_backtests" required></label>
        <label class="field"><span class="field-label">Seed (the same seed, the same search)</span>
          <input name="seed" type="number" step="1" v-model.number="options.seed" required></label>
      </template>
      <template v-if="mode === 'halving'">
        <label class="field"><span class="field-label">Full period from</span>
          <input name="period_from" type="date" v-model="options.period_from" required></label>
        <label class="field"><span class="field-label">to</span>
          <input name="period_to" type="date" v-model="options.period_to" required></label>
        <label class="field"><span class="field-label">Keep 1 in (eta)</span>
          <input name="eta" type="number" min="2" max="10" step="1" v-model.number="options.eta" required></label>
      </template>
    </div>`,
};

// Run Detail: the tasks a search is judged on (halving: its last rung, the full period, never a
// shorter window) and what it spent against the full grid (results from the cache are free).
export function judgedTasks(mode, tasks) {
  if (mode !== 'halving') return tasks;
  const last = Math.max(0, ...tasks.map((t) => t.stage || 1));
  return tasks.filter((t) => (t.stage || 1) === last);
}

// Run Detail: a search's answer. The engine reports each stage's best (stage_best events, each
// scored by the run's objective, custom functions included): halving's answer is its last
// rung's best (the full period, never a shorter window); refine's and optimize's stages are
// batches, and the answer is the best of them all (the highest score, ties to the earlier
// stage). Without the events (a stage still running): the run's metric over the judged tasks.
export function searchBest(mode, tasks, bests, by) {
  let ev = null;
  if (mode === 'halving') {
    ev = bests[Math.max(0, ...tasks.map((t) => t.stage || 1))] || null;
  } else {
    for (const n of Object.keys(bests).map(Number).sort((a, b) => a - b)) {
      const e = bests[n];
      if (e && typeof e.score === 'number' && (!ev || e.score > ev.score)) ev = e;
    }
  }
  const t = ev ? tasks.find((x) => x.id === ev.task_id) : null;
  if (t) return t;
  return metricOf(by) ? bestBy(judgedTasks(mode, tasks).filter((x) => x.status === 'completed'), by) : null;
}

export function searchCost(run, tasks) {
  const grid = run && run.config && run.config.grid;
  if (!grid || !isSearch(run.mode)) return null;
  const spent = tasks.filter((t) => (t.status === 'completed' && t.cached_from == null) || t.status === 'failed').length;
  const cached = tasks.filter((t) => t.status === 'completed' && t.cached_from != null).length;
  return { spent, cached, grid, text: `${spent} backtest${spent === 1 ? '' : 's'} spent` +
    (cached ? `, ${cached} more from the cache at no cost` : '') + `; a full grid is ${grid}` };
}

// The estimate of the spec the form holds, asked again (at most every 400 ms) as it changes.
export const RunEstimate = {
  props: { spec: Object },
  setup(props) {
    const est = ref(null), error = ref('');
    let timer = null, asked = 0;
    const ask = async (spec) => {
      const mine = ++asked;
      try {
        const e = await api.estimate(spec);
        if (mine === asked) { est.value = e; error.value = ''; }
      } catch (e) {
        if (mine === asked) { est.value = null; error.value = e.message; }
      }
    };
    watch(() => JSON.stringify(props.spec), (text) => {
      clearTimeout(timer);
      timer = setTimeout(() => ask(JSON.parse(text)), 400);
    }, { immediate: true });
    onBeforeUnmount(() => clearTimeout(timer));
    return { est, error };
  },
  template: `
    <div class="estimate" aria-live="polite">
      <p v-if="est" class="total"><span class="estimate-summary">{{ est.summary }}</span><br>
        <strong class="estimate-text">{{ est.text }}</strong></p>
      <p v-else-if="error" class="muted small estimate-error">{{ error }}</p>
    </div>`,
};
