// components: the pieces the pages share. Every user-provided string is shown through Vue's
// text interpolation (escaped); nothing uses v-html.
import { ref, computed, watch, onMounted, onBeforeUnmount, markRaw } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api, download, objectUrl, snapshotDoc } from './api.js';
import { when, duration, progress, valuesText, cmp, metricLabel, metricValue, fmtMetric, tableMetrics } from './format.js';

export const StatusBadge = {
  props: { status: String },
  template: `<span class="badge" :class="'st-' + status" :data-status="status">{{ status }}</span>`,
};

export const ProgressBar = {
  props: { run: Object },
  setup(props) {
    const now = ref(Date.now());
    let timer = null;
    onMounted(() => { timer = setInterval(() => { now.value = Date.now(); }, 1000); });
    onBeforeUnmount(() => clearInterval(timer));
    const p = computed(() => progress(props.run, now.value));
    return { p, duration };
  },
  template: `
    <div class="progress" :data-done="p.done" :data-total="p.total">
      <div class="bar" role="progressbar" :aria-valuenow="p.pct" aria-valuemin="0" aria-valuemax="100">
        <div class="fill" :style="{ width: p.okPct + '%' }"></div>
        <div class="fill failed" :style="{ width: p.failedPct + '%' }"></div>
      </div>
      <div class="progress-text">
        <span class="count">{{ p.done }}/{{ p.total }} ({{ p.pct }}%)</span>
        <span v-if="p.eta !== null" class="eta">ETA {{ duration(p.eta) }}</span>
        <span v-if="p.failed" class="warn">{{ p.failed }} failed</span>
        <span v-if="p.skipped" class="skipped-count" title="OptionOmega refused these configurations (e.g. no trades): skipped, with a screenshot in the failure log">{{ p.skipped }} skipped</span>
      </div>
    </div>`,
};

// The browsers at work: the running tasks, their worker and the values they are on.
export const Workers = {
  props: { tasks: Array, status: String },
  setup(props) {
    const running = computed(() => (props.tasks || []).filter((t) => t.status === 'running'));
    const idle = { paused: 'paused: no browser is working', queued: 'queued: it starts when the run ahead of it on the account ends',
                   interrupted: 'interrupted: its engine is gone (killed or crashed); Resume continues it' };
    return { running, valuesText, idle };
  },
  template: `
    <div class="workers">
      <span v-if="!running.length" class="muted">{{ idle[status] || 'no browser is working right now' }}</span>
      <span v-for="t in running" :key="t.id" class="worker"><span class="dot on"></span>{{ t.lease_owner || 'browser' }} · {{ valuesText(t.values) }}</span>
    </div>`,
};

// A metric against a parameter: Chart.js lines over the completed tasks, one line per series
// (a grid's other parameter), the best point marked. Straight segments join the measured
// points: a smoothed curve would show values that were never measured.
const PALETTE = ['#2f6fde', '#d9480f', '#2b8a3e', '#9c36b5', '#e67700', '#0b7285', '#c2255c', '#5c940d'];
// shade (optional): result id -> {score, fragile} from the analysis; fragile points are red.
export const MetricChart = {
  props: { series: Array, xLabel: String, yLabel: String, best: Object, name: String, shade: Object },
  setup(props) {
    const canvas = ref(null);
    let chart = null;
    const draw = () => {
      if (!canvas.value || !window.Chart) return;
      const series = props.series || [];
      const all = series.flatMap((s) => s.points);
      const numeric = all.every((p) => typeof p.x === 'number');
      const labels = numeric ? undefined : [...new Set(all.map((p) => p.x))].sort(cmp);
      const datasets = series.map((s, i) => {
        const base = PALETTE[i % PALETTE.length];
        const isBest = (p) => props.best && p.task === props.best;
        const fragile = (p) => !!(props.shade && (props.shade.get(p.task.result_id) || {}).fragile);
        return {
          label: s.label || props.yLabel,
          data: s.points.map((p) => ({ x: p.x, y: p.y })),
          borderColor: base,
          pointRadius: s.points.map((p) => (isBest(p) ? 8 : fragile(p) ? 6 : 3)),
          pointBackgroundColor: s.points.map((p) => (isBest(p) ? '#f2b705' : fragile(p) ? '#e03131' : base)),
          pointBorderColor: s.points.map((p) => (isBest(p) ? '#8a6500' : fragile(p) ? '#a51111' : base)),
          tension: 0,
        };
      });
      const config = {
        type: 'line',
        data: { labels, datasets },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          scales: {
            x: { type: numeric ? 'linear' : 'category', title: { display: true, text: props.xLabel } },
            y: { title: { display: true, text: props.yLabel } },
          },
          plugins: { legend: { display: series.length > 1 } },
        },
      };
      if (chart) chart.destroy();
      chart = markRaw(new window.Chart(canvas.value, config));
      canvas.value.parentElement.dataset.points = String(all.length);
      canvas.value.parentElement.dataset.fragile = String(props.shade ? all.filter((p) => (props.shade.get(p.task.result_id) || {}).fragile).length : 0);
      window.ooCharts = window.ooCharts || {};
      window.ooCharts[props.name || 'chart'] = chart;
    };
    onMounted(draw);
    watch(() => [props.series, props.xLabel, props.yLabel, props.best, props.shade], draw, { deep: true });
    onBeforeUnmount(() => { if (chart) chart.destroy(); chart = null; });
    return { canvas };
  },
  template: `<div class="chart" :data-name="name"><canvas ref="canvas"></canvas></div>`,
};

// A grid's two parameters as a heatmap of one metric (higher is greener).
// shade (optional): result id -> {score, fragile}; a fragile cell is outlined in red.
export const Heatmap = {
  props: { tasks: Array, xKey: String, yKey: String, metric: String, shade: Object },
  setup(props) {
    const grid = computed(() => {
      const done = (props.tasks || []).filter((t) => t.values && t.values[props.xKey] !== undefined && t.values[props.yKey] !== undefined);
      const xs = [...new Set(done.map((t) => t.values[props.xKey]))].sort(cmp);
      const ys = [...new Set(done.map((t) => t.values[props.yKey]))].sort(cmp);
      const val = (t) => metricValue(t, props.metric);
      const vals = done.map(val).filter((v) => typeof v === 'number');
      const lo = Math.min(...vals), hi = Math.max(...vals);
      const cell = (x, y) => {
        const matches = done.filter((t) => t.values[props.xKey] === x && t.values[props.yKey] === y);
        const v = matches.map(val).find((m) => typeof m === 'number');
        const st = matches.length ? matches[0].status : 'none';
        const rob = props.shade && matches.length ? props.shade.get(matches[0].result_id) : null;
        let bg = '#eee';
        if (typeof v === 'number') {
          const f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
          bg = `hsl(${Math.round(f * 120)}, 65%, ${55 + Math.round((1 - Math.abs(f - 0.5) * 2) * 10)}%)`;
        }
        return { v, bg, st, fragile: !!(rob && rob.fragile), robust: rob && typeof rob.score === 'number' ? rob.score : null };
      };
      return { xs, ys, cell };
    });
    const fmt = (v) => fmtMetric(props.metric, v);
    return { grid, fmt, metricLabel };
  },
  template: `
    <div class="heatmap-wrap">
      <table class="heatmap" :data-cells="grid.xs.length * grid.ys.length">
        <thead><tr><th class="corner">{{ yKey }} \\ {{ xKey }}</th><th v-for="x in grid.xs" :key="'x' + x">{{ x }}</th></tr></thead>
        <tbody>
          <tr v-for="y in grid.ys" :key="'y' + y">
            <th>{{ y }}</th>
            <td v-for="x in grid.xs" :key="x + '/' + y" :style="{ background: grid.cell(x, y).bg }"
                :title="xKey + '=' + x + ', ' + yKey + '=' + y + ': ' + metricLabel(metric) + ' ' + fmt(grid.cell(x, y).v) +
                        (grid.cell(x, y).robust === null ? '' : ' · robustness ' + Math.round(grid.cell(x, y).robust) + (grid.cell(x, y).fragile ? ' (fragile)' : ''))"
                :class="['cell-' + grid.cell(x, y).st, { fragile: grid.cell(x, y).fragile }]">{{ fmt(grid.cell(x, y).v) }}</td>
          </tr>
        </tbody>
      </table>
    </div>`,
};

// The results table: one row per task, sortable by any column, the best row marked; the
// metrics are the one list's table columns, formatted as the command line formats them.
export const ResultsTable = {
  props: { tasks: Array, params: Array, best: Object, name: String },
  emits: ['trades'],
  setup(props) {
    const sortKey = ref(null), sortDir = ref(1);
    const sort = (k) => {
      if (sortKey.value === k) sortDir.value = -sortDir.value;
      else { sortKey.value = k; sortDir.value = 1; }
    };
    const value = (t, k) => (props.params.includes(k) ? (t.values || {})[k] : metricValue(t, k) ?? t[k]);
    const rows = computed(() => {
      const r = [...(props.tasks || [])];
      if (sortKey.value) r.sort((a, b) => sortDir.value * cmp(value(a, sortKey.value), value(b, sortKey.value)));
      return r;
    });
    const arrow = (k) => (sortKey.value === k ? (sortDir.value > 0 ? '▲' : '▼') : '');
    // two to four results ticked: Compare (#/compare?ids=...)
    const picked = ref([]);
    const toggle = (id) => {
      picked.value = picked.value.includes(id) ? picked.value.filter((x) => x !== id) : [...picked.value, id].slice(-4);
    };
    const compareHref = computed(() => '#/compare?ids=' + picked.value.join(','));
    const columns = computed(() => tableMetrics());
    return { rows, sort, arrow, fmtMetric, metricValue, columns, sortKey, sortDir, picked, toggle, compareHref };
  },
  template: `
    <div class="compare-bar" v-if="picked.length" :data-picked="picked.length">{{ picked.length }} picked (two to four)
      <a v-if="picked.length >= 2" :href="compareHref" class="button compare-link">Compare</a>
      <button class="link" @click="picked = []">clear</button></div>
    <div class="table-wrap">
      <table class="results" :data-name="name" :data-rows="rows.length" :data-completed="rows.filter(r => r.status === 'completed').length">
        <thead><tr>
          <th v-for="p in params" :key="p" @click="sort(p)" class="sortable" :data-key="p">{{ p }} {{ arrow(p) }}</th>
          <th v-for="m in columns" :key="m.key" @click="sort(m.key)" class="sortable num" :data-key="m.key">{{ m.label }} {{ arrow(m.key) }}</th>
          <th @click="sort('status')" class="sortable" data-key="status">Status {{ arrow('status') }}</th>
          <th></th>
        </tr></thead>
        <tbody>
          <tr v-for="t in rows" :key="t.id" :data-task-id="t.id" :data-status="t.status" :class="{ best: best && best.id === t.id }">
            <td v-for="p in params" :key="p">{{ (t.values || {})[p] }}</td>
            <td v-for="m in columns" :key="m.key" class="num" :data-key="m.key">{{ fmtMetric(m.key, metricValue(t, m.key)) }}</td>
            <td><span class="badge" :class="'st-' + t.status">{{ t.status }}</span><span v-if="best && best.id === t.id" class="best-mark" title="best">★ best</span></td>
            <td class="row-links"><template v-if="t.result_id">
              <input type="checkbox" class="pick-result" :data-result-id="t.result_id" :checked="picked.includes(t.result_id)"
                     @change="toggle(t.result_id)" title="compare">
              <a :href="'#/results/' + t.result_id" class="result-link">analysis</a>
              <button class="link" @click="$emit('trades', t)">trades</button></template></td>
          </tr>
          <tr v-if="!rows.length"><td :colspan="params.length + columns.length + 2" class="muted">no tasks yet</td></tr>
        </tbody>
      </table>
    </div>`,
};

// The failure log: what failed, why, and the evidence (screenshot, HTML snapshot) on demand,
// fetched with the token (api.js) and shown from memory: the screenshot as an object URL, the
// snapshot as the srcdoc of a sandboxed frame.
export const FailureLog = {
  props: { failures: Array },
  setup() {
    const open = ref({}), shots = ref({}), docs = ref({}), errors = ref({});
    const load = async (id, kind) => {
      const path = api.artifactUrl(id, kind);
      try {
        if (kind === 'screenshot' && !shots.value[id]) shots.value = { ...shots.value, [id]: await objectUrl(path) };
        if (kind === 'html' && !docs.value[id]) docs.value = { ...docs.value, [id]: await snapshotDoc(path) };
        errors.value = { ...errors.value, [id]: null };
      } catch (e) {
        errors.value = { ...errors.value, [id]: `the ${kind} did not load: ${e.message}` };
      }
    };
    const toggle = (id, kind) => {
      open.value = { ...open.value, [id]: open.value[id] === kind ? null : kind };
      if (open.value[id]) load(id, kind);
    };
    onBeforeUnmount(() => Object.values(shots.value).forEach((u) => URL.revokeObjectURL(u)));
    return { open, shots, docs, errors, toggle, when, valuesText };
  },
  template: `
    <div class="failures">
      <p v-if="!failures.length" class="muted">no failures</p>
      <div v-for="f in failures" :key="f.id" class="failure" :data-failure-id="f.id">
        <div class="failure-head">
          <span class="badge st-failed">{{ f.failure_type || 'failure' }}</span>
          <span class="muted">{{ when(f.created_at) }} · attempt {{ f.attempt_number }} · {{ valuesText(f.values) }}</span>
        </div>
        <div class="failure-msg">{{ f.error_message }}</div>
        <div class="failure-links">
          <button v-if="f.screenshot_path" class="link" data-artifact="screenshot" @click="toggle(f.id, 'screenshot')">screenshot</button>
          <button v-if="f.html_path" class="link" data-artifact="html" @click="toggle(f.id, 'html')">HTML snapshot</button>
        </div>
        <div v-if="open[f.id] && errors[f.id]" class="error">{{ errors[f.id] }}</div>
        <img v-if="open[f.id] === 'screenshot' && shots[f.id]" class="shot" :src="shots[f.id]" alt="screenshot at the failure">
        <iframe v-if="open[f.id] === 'html' && docs[f.id]" class="snapshot" sandbox="" :srcdoc="docs[f.id]" title="HTML snapshot at the failure"></iframe>
      </div>
    </div>`,
};

// Pause, resume, cancel (through the store: the engine running the run sees it), export.
export const RunControls = {
  props: { run: Object },
  emits: ['changed', 'error'],
  setup(props, { emit }) {
    const busy = ref(false), confirming = ref(false);
    const act = async (action) => {
      confirming.value = false;
      busy.value = true;
      try {
        emit('changed', await api.control(props.run.id, action));
      } catch (e) {
        emit('error', e.message);
      } finally {
        busy.value = false;
      }
    };
    // the link stays a plain one (its address says what it is); the click fetches it with the token
    const exportCsv = async () => {
      try { await download(api.exportUrl(props.run.id)); } catch (e) { emit('error', e.message); }
    };
    return { act, busy, confirming, api, exportCsv };
  },
  template: `
    <div class="controls">
      <button v-if="['running', 'pending', 'queued'].includes(run.status)" :disabled="busy" @click="act('pause')" data-action="pause">Pause</button>
      <button v-if="['paused', 'interrupted'].includes(run.status)" :disabled="busy" @click="act('resume')" data-action="resume">Resume</button>
      <button v-if="run.counts && run.counts.failed && !['running', 'queued', 'cancelled'].includes(run.status)" :disabled="busy"
              @click="act('retry')" data-action="retry" title="one more round for the failed tasks">Retry failed ({{ run.counts.failed }})</button>
      <template v-if="['pending', 'queued', 'running', 'paused', 'interrupted'].includes(run.status)">
        <button v-if="!confirming" :disabled="busy" class="danger" @click="confirming = true" data-action="cancel">Cancel</button>
        <span v-else class="confirm">Cancel the run? Backtests in flight finish; no new ones start.
          <button class="danger" @click="act('cancel')" data-action="confirm-cancel">Cancel the run</button>
          <button @click="confirming = false" data-action="keep">Keep it</button></span>
      </template>
      <a class="button" :href="api.exportUrl(run.id)" download data-action="export" @click.prevent="exportCsv">Export CSV</a>
    </div>`,
};
