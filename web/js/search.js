// search: Run Detail's pieces for the searches that spend fewer backtests (refine, optimize,
// halving: lua/modes/; their New Run fields are their forms, web/js/modeform.js) and the
// estimate every run shows before it starts on New Run. The estimate comes from the server
// (POST /api/estimate), which counts the backtests and measures the account's pace as `run` does.
import { ref, reactive, watch, onBeforeUnmount } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api } from './api.js';
import { metricOf, bestBy } from './format.js';

// The modes as the server describes them (GET /api/modes: lua/modes/ through oo.forms, the one
// list of modes), loaded once before the pages mount; each says whether it is a search.
export const MODES = reactive([]);

export async function loadModes() {
  try {
    const list = await api.modes();
    MODES.splice(0, MODES.length, ...(Array.isArray(list) ? list : []));
  } catch (e) {
    console.error('the list of modes did not load:', e.message);
  }
}

export const isSearch = (mode) => MODES.some((m) => m.name === mode && m.search);

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
