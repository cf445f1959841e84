// Run Detail: progress, the browsers, pause/resume/cancel/export, the results table (sortable,
// filling in live), a chart of any metric against a swept parameter, a heatmap for grids, one
// panel per stage for staged runs with the chosen best marked, a walk-forward's report (from the
// run analysis), and the failure log.
// One notion of best per run: the engine's (its stage_best events: the objective each stage was
// judged by and the value it carried forward); for a run without them, the run's optimize_by
// by the one list's sense, as lua/oo/objective.lua ranks. The chart's metric never moves the star.
// A search (refine, optimize, halving: search.js) stars its answer: the best of all its batches,
// or halving's last rung's best.
import { ref, computed, watch, onMounted, onBeforeUnmount } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api, onLive, debounce } from '../api.js';
import { StatusBadge, ProgressBar, Workers, RunControls, MetricChart, Heatmap, ResultsTable, FailureLog } from '../components.js';
import { WalkForward } from '../walkforward.js';
import { METRICS, metricOf, metricLabel, metricValue, fmtMetric, when, bestBy, cmp } from '../format.js';
import { RecommendationPanel } from '../analysis.js';
import { isSearch, searchBest, searchCost } from '../search.js';

// The run's spec: the engine stores {spec, count, ...}; a run stored otherwise holds the spec.
const specOf = (config) => (config && config.spec && typeof config.spec === 'object' ? config.spec : config) || {};

// Which metric judges a stage, as lua/modes/staged.lua decides: its own optimize_by, else that
// of the stage that uses its best, else the run's, else mar.
function stageMetric(config, index) {
  const stages = (config && config.stages) || [];
  const st = stages[index] || {};
  const own = typeof st.optimize_by === 'string' ? st.optimize_by : null;
  if (own) return own;
  for (let j = index + 1; j < stages.length; j++)
    if (stages[j].use_best_from === st.parameter && typeof stages[j].optimize_by === 'string') return stages[j].optimize_by;
  return (config && typeof config.optimize_by === 'string' && config.optimize_by) || 'mar';
}

function paramsOf(tasks) {
  const out = [];
  for (const t of tasks) for (const k of Object.keys(t.values || {})) if (!out.includes(k)) out.push(k);
  return out;
}

function swept(tasks, params) {
  return params.filter((p) => new Set(tasks.map((t) => JSON.stringify((t.values || {})[p]))).size > 1);
}

function series(tasks, x, metric, by) {
  const done = tasks.filter((t) => t.status === 'completed' && typeof metricValue(t, metric) === 'number' && (t.values || {})[x] !== undefined);
  const groups = new Map();
  for (const t of done) {
    const key = by ? `${by}=${t.values[by]}` : '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push({ x: t.values[x], y: metricValue(t, metric), task: t });
  }
  return [...groups.entries()].sort((a, b) => cmp(a[0], b[0]))
    .map(([label, points]) => ({ label, points: points.sort((a, b) => cmp(a.x, b.x)) }));
}

export default {
  props: { id: Number },
  components: { StatusBadge, ProgressBar, Workers, RunControls, MetricChart, Heatmap, ResultsTable, FailureLog, WalkForward,
                RecommendationPanel },
  setup(props) {
    const run = ref(null), tasks = ref([]), failures = ref([]), error = ref(''), notFound = ref(false);
    const bests = ref({});   // stage -> the engine's stage_best event payload
    const metric = ref(null), xKey = ref(null), yKey = ref(null);   // the chart's metric: the run's optimize_by at first
    const trades = ref(null);
    const wf = ref(null), wfNote = ref('');
    // the analysis (Recommendation panel): each configuration's robustness shades the charts
    const analysis = ref(null);
    const shade = computed(() => new Map(((analysis.value && analysis.value.robustness) || []).map((r) => [r.result_id, r])));

    // a walk-forward's report is the run analysis' walkforward section: read again when the run's
    // status changes, else at most every 15 s while results come in (the analysis is not cheap)
    let wfAt = 0, wfKey = '';
    const loadWalkForward = async (r) => {
      const c = r.counts || {};
      const key = `${r.status}/${c.completed}`;
      if (key === wfKey || (wfKey.split('/')[0] === r.status && Date.now() - wfAt < 15000)) return;
      wfKey = key;
      wfAt = Date.now();
      try {
        const a = await api.analysis(props.id);
        wf.value = (a && a.walkforward) || null;
        wfNote.value = wf.value ? '' : 'the run analysis has no walk-forward section yet';
      } catch (e) {
        wfNote.value = 'the walk-forward report is not available: ' + e.message;
      }
    };
    const load = async () => {
      try {
        const [r, t, f, ev] = await Promise.all([api.run(props.id), api.tasks(props.id), api.failures(props.id),
          api.runEvents(props.id, 'stage_best').catch(() => [])]);
        run.value = r;
        tasks.value = t;
        failures.value = f;
        const b = {};
        for (const e of ev || []) if (e.payload && e.payload.stage) b[e.payload.stage] = e.payload;
        bests.value = b;
        if (!metric.value) {     // the chart shows first what the run is judged by
          const by = specOf(r.config).optimize_by;
          metric.value = typeof by === 'string' && metricOf(by) ? by : 'mar';
        }
        error.value = '';
        if (r && r.mode === 'walkforward') await loadWalkForward(r);
      } catch (e) {
        if (e.status === 404) notFound.value = true;
        error.value = e.message;
      }
    };
    const reload = debounce(load, 120);
    let off = null;
    onMounted(() => {
      load();
      off = onLive((ev) => { if (ev.type === 'reset' || ev.run_id === props.id) reload(); });
    });
    onBeforeUnmount(() => off && off());
    watch(() => props.id, load);

    const params = computed(() => paramsOf(tasks.value));
    const sweptParams = computed(() => swept(tasks.value, params.value));
    const mode = computed(() => (run.value ? run.value.mode : ''));
    watch(sweptParams, (sp) => {
      if (!xKey.value || !params.value.includes(xKey.value)) xKey.value = sp[0] || params.value[0] || null;
      if (!yKey.value || yKey.value === xKey.value || !params.value.includes(yKey.value))
        yKey.value = sp.find((p) => p !== xKey.value) || null;
    }, { immediate: true });

    const spec = computed(() => specOf(run.value && run.value.config));
    // A stage's best: the engine's, else by the metric that judges it; with what it shows.
    const judged = (ts, n, by, p) => {
      const ev = bests.value[n];
      const done = ts.filter((t) => t.status === 'completed');
      const best = ev ? (ts.find((t) => t.id === ev.task_id) || null) : (metricOf(by) ? bestBy(done, by) : null);
      const measure = metricOf(by) ? `${metricLabel(by)} ${fmtMetric(by, metricValue(best, by))}`
        : (ev && typeof ev.score === 'number' ? `score ${Number(ev.score.toPrecision(6))}` : by);
      return { best, by, byLabel: metricOf(by) ? metricLabel(by) : by, carried: best ? (best.values || {})[p] : undefined, measure };
    };
    const stages = computed(() => {
      if (mode.value !== 'staged') return [];
      const cfg = spec.value;
      const nums = [...new Set(tasks.value.map((t) => t.stage || 1))].sort((a, b) => a - b);
      return nums.map((n) => {
        const ts = tasks.value.filter((t) => (t.stage || 1) === n);
        const st = ((cfg.stages || [])[n - 1]) || {};
        const p = st.parameter || swept(ts, paramsOf(ts))[0] || paramsOf(ts)[0];
        const ev = bests.value[n];
        const j = judged(ts, n, (ev && ev.optimize_by) || stageMetric(cfg, n - 1), p);
        const chartBy = metricOf(j.by) ? j.by : 'mar';
        return { n, tasks: ts, parameter: p, ...j, chartBy, params: paramsOf(ts), series: series(ts, p, chartBy, null) };
      });
    });
    const best = computed(() => {
      if (mode.value === 'staged') {
        const last = stages.value[stages.value.length - 1];
        return last ? last.best : null;
      }
      const ev = bests.value[1];
      const by = (ev && ev.optimize_by) || (typeof spec.value.optimize_by === 'string' && spec.value.optimize_by) || 'mar';
      if (isSearch(mode.value)) return searchBest(mode.value, tasks.value, bests.value, by);
      return judged(tasks.value, 1, by, xKey.value).best;
    });
    const cost = computed(() => searchCost(run.value, tasks.value));
    const chartSeries = computed(() => (xKey.value ? series(tasks.value, xKey.value, metric.value, mode.value === 'grid' ? yKey.value : null) : []));
    const showHeatmap = computed(() => mode.value === 'grid' && xKey.value && yKey.value);

    const showTrades = async (t) => {
      try {
        trades.value = { task: t, rows: await api.trades(t.result_id) };
      } catch (e) {
        error.value = e.message;
      }
    };
    // the trade log's columns in the CSV's order (the engine stores each row in that order)
    const tradeKeys = computed(() => {
      const rows = (trades.value && trades.value.rows) || [];
      const keys = [];
      for (const r of rows.slice(0, 50)) for (const k of Object.keys(r || {})) if (!keys.includes(k)) keys.push(k);
      return keys;
    });
    const changed = (r) => { run.value = r; };
    const configText = computed(() => (run.value ? JSON.stringify(run.value.config, null, 2) : ''));
    return { run, tasks, failures, error, notFound, metric, xKey, yKey, params, sweptParams, mode, stages, best,
             chartSeries, showHeatmap, METRICS, metricLabel, when, trades, showTrades, tradeKeys, changed,
             configText, cost, wf, wfNote, analysis, shade };
  },
  template: `
    <section class="page run">
      <p v-if="error" class="error" role="alert">{{ error }}</p>
      <div v-if="notFound" class="card"><h2>No such run</h2><p><a href="#/history">All runs</a></p></div>
      <template v-if="run">
        <div class="card">
          <div class="card-head">
            <h2 class="run-name">{{ run.name || ('Run ' + run.id) }}</h2>
            <status-badge :status="run.status" class="run-status"></status-badge>
          </div>
          <div class="muted">
            <span class="test-name">{{ run.test_name || run.test_url || 'no test' }}</span>
            · {{ run.mode }} · {{ run.browsers }} browser{{ run.browsers === 1 ? '' : 's' }}
            · created {{ when(run.created_at) }}<span v-if="run.completed_at"> · finished {{ when(run.completed_at) }}</span>
          </div>
          <p v-if="run.error" class="error">{{ run.error }}</p>
          <progress-bar :run="run"></progress-bar>
          <workers v-if="['running', 'paused', 'pending', 'queued', 'interrupted'].includes(run.status)" :tasks="tasks" :status="run.status"></workers>
          <run-controls :run="run" @changed="changed" @error="e => error = e"></run-controls>
        </div>

        <recommendation-panel :run-id="id" :status="run.status" @analysis="(a) => analysis = a"></recommendation-panel>

        <walk-forward v-if="mode === 'walkforward' && wf" :report="wf"></walk-forward>
        <div class="card" v-if="mode === 'walkforward' && !wf"><h3>Walk-forward</h3><p class="muted wf-note">{{ wfNote }}</p></div>

        <div class="card" v-if="mode !== 'staged' && mode !== 'walkforward'">
          <div class="card-head">
            <h3>{{ metricLabel(metric) }} by {{ xKey || 'parameter' }}</h3>
            <div class="pickers">
              <label>metric <select v-model="metric" class="metric-select">
                <option v-for="m in METRICS" :key="m.key" :value="m.key">{{ m.label }}</option></select></label>
              <label>against <select v-model="xKey" class="x-select">
                <option v-for="p in params" :key="p" :value="p">{{ p }}</option></select></label>
              <label v-if="mode === 'grid'">by <select v-model="yKey" class="y-select">
                <option v-for="p in params.filter(p => p !== xKey)" :key="p" :value="p">{{ p }}</option></select></label>
            </div>
          </div>
          <p v-if="cost" class="search-cost small" :data-spent="cost.spent" :data-grid="cost.grid">Search: {{ cost.text }}</p>
          <metric-chart name="main" :series="chartSeries" :x-label="xKey" :y-label="metricLabel(metric)" :best="best" :shade="shade"></metric-chart>
          <template v-if="showHeatmap">
            <h3>Heatmap: {{ metricLabel(metric) }} over {{ xKey }} × {{ yKey }}</h3>
            <heatmap :tasks="tasks" :x-key="xKey" :y-key="yKey" :metric="metric" :shade="shade"></heatmap>
          </template>
        </div>

        <div class="card stage" v-for="st in stages" :key="st.n" :data-stage="st.n">
          <div class="card-head">
            <h3>Stage {{ st.n }}: {{ st.parameter }} <span class="muted stage-by" :data-by="st.by">(best by {{ st.byLabel }})</span></h3>
            <span v-if="st.best" class="best-summary">★ {{ st.n < stages.length ? 'carried forward' : 'best' }}: {{ st.parameter }} = {{ st.carried }}
              ({{ st.measure }})</span>
          </div>
          <metric-chart :name="'stage' + st.n" :series="st.series" :x-label="st.parameter"
                        :y-label="metricLabel(st.chartBy)" :best="st.best" :shade="shade"></metric-chart>
          <results-table :name="'stage' + st.n" :tasks="st.tasks" :params="st.params" :best="st.best" @trades="showTrades"></results-table>
        </div>

        <div class="card" v-if="mode !== 'staged'">
          <div class="card-head"><h3>Results</h3><span class="muted small">click a column to sort</span></div>
          <results-table name="main" :tasks="tasks" :params="params" :best="best" @trades="showTrades"></results-table>
        </div>

        <div class="card" v-if="trades">
          <div class="card-head"><h3>Trades of task {{ trades.task.id }} ({{ trades.rows.length }})</h3>
            <button class="link" @click="trades = null">close</button></div>
          <div class="table-wrap"><table class="trades">
            <thead><tr><th v-for="k in tradeKeys" :key="k">{{ k }}</th></tr></thead>
            <tbody><tr v-for="(r, i) in trades.rows.slice(0, 500)" :key="i"><td v-for="k in tradeKeys" :key="k">{{ r[k] }}</td></tr></tbody>
          </table></div>
        </div>

        <div class="card">
          <h3>Failure log ({{ failures.length }})</h3>
          <failure-log :failures="failures"></failure-log>
        </div>
        <details class="card"><summary>Run configuration</summary><pre class="config">{{ configText }}</pre></details>
      </template>
    </section>`,
};
