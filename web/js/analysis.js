// analysis: what the dashboard shows of the analysis (GET /api/runs/N/analysis, GET
// /api/results/N/analysis): the Recommendation panel of Run Detail, the scatter of CAGR against
// max drawdown with its Pareto front and a chart helper. Values are formatted by format.js's
// formatValue (the one formatting, as the command line's), by the format each answer gives for
// every metric it holds. Every string from the server is shown as text (Vue's interpolation),
// never as HTML.
import { ref, computed, watch, onMounted, onBeforeUnmount, markRaw } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { onLive, request } from './api.js';
import { formatValue as fmt, fmtMetric } from './format.js';

const getJson = (path) => request('GET', path);

export const analysisApi = {
  run: (id, goal) => getJson(`/api/runs/${id}/analysis${goal ? '?goal=' + encodeURIComponent(goal) : ''}`),
  result: (id) => getJson(`/api/results/${id}/analysis`),
  trades: (id) => getJson(`/api/results/${id}/trades`),
};

export function valuesText(values) {
  return Object.keys(values || {}).sort().map((k) => `${k}=${values[k]}`).join(', ');
}

// A Chart.js chart on a canvas of this component, redrawn when `config()` changes; registered
// as window.ooCharts[name] for tests. The wrapper carries data-points (the first dataset's).
export const Chart = {
  props: { name: String, config: Function, height: { type: Number, default: 260 } },
  setup(props) {
    const canvas = ref(null);
    let chart = null;
    const draw = () => {
      if (!canvas.value || !window.Chart) return;
      const cfg = props.config();
      if (!cfg) return;
      cfg.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, cfg.options || {});
      if (chart) chart.destroy();
      chart = markRaw(new window.Chart(canvas.value, cfg));
      const first = (cfg.data.datasets || [])[0];
      canvas.value.parentElement.dataset.points = String(first ? first.data.length : 0);
      window.ooCharts = window.ooCharts || {};
      window.ooCharts[props.name] = chart;
    };
    onMounted(draw);
    watch(() => props.config(), draw);
    onBeforeUnmount(() => { if (chart) chart.destroy(); chart = null; });
    return { canvas };
  },
  template: `<div class="chart achart" :data-name="name" :style="{ height: height + 'px' }"><canvas ref="canvas"></canvas></div>`,
};

// CAGR against max drawdown, one point per configuration, the Pareto front drawn through its
// points, the recommendation starred, fragile configurations in red, avoided ones hollow.
export const ParetoScatter = {
  props: { analysis: Object },
  components: { Chart },
  setup(props) {
    const config = () => {
      const a = props.analysis;
      if (!a) return null;
      const pts = (a.points || []).filter((p) => typeof p.cagr === 'number' && typeof p.max_drawdown === 'number');
      const xy = (p) => ({ x: 100 * Math.abs(p.max_drawdown), y: 100 * p.cagr, label: valuesText(p.values) });
      const front = (a.pareto || []).map(xy).sort((p, q) => p.x - q.x);
      const top = (a.recommendations || [])[0];
      const topPoint = top ? pts.filter((p) => p.result_id === top.result_id).map(xy) : [];
      return {
        type: 'scatter',
        data: {
          datasets: [
            { label: 'configurations', data: pts.map(xy),
              pointBackgroundColor: pts.map((p) => (p.fragile ? '#e03131' : p.avoid ? '#ffffff' : '#2f6fde')),
              pointBorderColor: pts.map((p) => (p.fragile ? '#a51111' : p.avoid ? '#868e96' : '#1c4fa8')),
              pointRadius: 5 },
            { label: 'Pareto front', data: front, showLine: true, borderColor: '#2b8a3e', backgroundColor: '#2b8a3e',
              pointRadius: 3, borderWidth: 2 },
            { label: 'recommended', data: topPoint, pointStyle: 'star', pointRadius: 12, borderColor: '#8a6500',
              backgroundColor: '#f2b705', borderWidth: 2 },
          ],
        },
        options: {
          scales: {
            x: { type: 'linear', title: { display: true, text: 'max drawdown (%)' } },
            y: { title: { display: true, text: 'CAGR (%)' } },
          },
          plugins: {
            tooltip: { callbacks: { label: (c) => `${c.raw.label}: CAGR ${c.raw.y.toFixed(1)}%, DD ${c.raw.x.toFixed(1)}%` } },
          },
        },
      };
    };
    const frontSize = computed(() => ((props.analysis && props.analysis.pareto) || []).length);
    return { config, frontSize };
  },
  template: `<div class="pareto" :data-front="frontSize"><chart name="pareto" :config="config" :height="300"></chart></div>`,
};

// Run Detail's Recommendation panel: the goal switch, the top picks with their reasons, the
// Pareto scatter, what to avoid, and whether the best beats luck. Emits the analysis so the
// page can shade its charts by robustness.
export const RecommendationPanel = {
  props: { runId: Number, status: String },
  emits: ['analysis'],
  components: { ParetoScatter },
  setup(props, { emit }) {
    // the goal: the analysis' default until the trader picks another
    const goal = ref(null), analysis = ref(null), error = ref(''), loading = ref(false);
    let seq = 0;
    const load = async () => {
      const mine = ++seq;
      loading.value = true;
      try {
        const a = await analysisApi.run(props.runId, goal.value);
        if (mine !== seq) return;
        analysis.value = a;
        if (goal.value === null) goal.value = a.goal;
        error.value = '';
        emit('analysis', a);
      } catch (e) {
        if (mine === seq) error.value = e.message;
      } finally {
        if (mine === seq) loading.value = false;
      }
    };
    // while the run goes on, new results change the answer: read again at most every 5 s (a
    // steady stream of results must not postpone it forever, as a debounce would)
    let off = null, last = 0, timer = null;
    const reload = () => {
      const wait = last + 5000 - Date.now();
      if (wait <= 0) { last = Date.now(); load(); }
      else if (!timer) timer = setTimeout(() => { timer = null; last = Date.now(); load(); }, wait);
    };
    onMounted(() => {
      last = Date.now();
      load();
      off = onLive((ev) => { if (ev.type === 'reset' || (ev.run_id === props.runId && /completed|run_status/.test(ev.kind || ''))) reload(); });
    });
    onBeforeUnmount(() => { if (off) off(); clearTimeout(timer); });
    watch(goal, (g, old) => { if (old !== null) load(); });
    const settings = computed(() => {
      const s = (analysis.value && analysis.value.goal_settings) || {};
      const parts = [];
      if (typeof s.drawdown_limit === 'number') parts.push(`drawdown limit ${fmt('pct', s.drawdown_limit)}`);
      if (s.weights) parts.push(`weights: returns ${fmt('pct', s.weights.returns)}, capital ${fmt('pct', s.weights.capital)}`);
      return parts.join(' · ');
    });
    const sig = computed(() => (analysis.value && analysis.value.significance) || null);
    // the goals, as the analysis defines them (lua/oo/analysis/goals.lua)
    const goals = computed(() => (analysis.value && analysis.value.goals) || []);
    return { goal, analysis, error, loading, goals, settings, sig, valuesText, fmtMetric };
  },
  template: `
    <div class="card recommendation" :data-goal="analysis ? analysis.goal : ''" :data-loading="loading ? 'yes' : 'no'">
      <div class="card-head">
        <h3>Recommendation</h3>
        <div class="goal-switch" role="radiogroup" aria-label="goal">
          <button v-for="g in goals" :key="g.name" :class="{ on: goal === g.name }" :data-goal="g.name" :title="g.definition"
                  role="radio" :aria-checked="goal === g.name" @click="goal = g.name">{{ g.label }}</button>
        </div>
      </div>
      <p v-if="error" class="error" role="alert">{{ error }}</p>
      <template v-if="analysis">
        <p class="muted goal-definition">{{ analysis.goal_label }}: {{ analysis.goal_definition }}<span v-if="settings"> ({{ settings }})</span></p>
        <p v-if="!analysis.recommendations.length" class="muted">No completed results yet.</p>
        <ol class="picks">
          <li v-for="r in analysis.recommendations" :key="r.result_id" class="pick" :data-rank="r.rank" :data-result-id="r.result_id">
            <div class="pick-head">
              <a :href="'#/results/' + r.result_id" class="pick-values">{{ valuesText(r.values) }}</a>
              <span class="score" :title="'score ' + r.score + ' of 100'"><span class="score-bar" :style="{ width: r.score + '%' }"></span>
                <span class="score-text">{{ r.score.toFixed(1) }}</span></span>
              <span class="muted">CAGR {{ fmtMetric('cagr', r.metrics.cagr) }} · max DD {{ fmtMetric('max_drawdown', r.metrics.max_drawdown) }} · MAR {{ fmtMetric('mar', r.metrics.mar) }}</span>
            </div>
            <ul class="reasons"><li v-for="(why, i) in r.reasons" :key="i">{{ why }}</li></ul>
          </li>
        </ol>
        <p v-for="(n, i) in analysis.notes" :key="'n' + i" class="note">{{ n }}</p>
        <div class="rec-grid">
          <div>
            <h4>CAGR against max drawdown <span class="muted small">(the green line: the Pareto front)</span></h4>
            <pareto-scatter :analysis="analysis"></pareto-scatter>
          </div>
          <div>
            <h4>Avoid ({{ analysis.avoid.length }})</h4>
            <p v-if="!analysis.avoid.length" class="muted">Nothing stands out to avoid.</p>
            <ul class="avoid">
              <li v-for="v in analysis.avoid" :key="v.result_id" :data-result-id="v.result_id">
                <a :href="'#/results/' + v.result_id">{{ valuesText(v.values) }}</a>: {{ v.reasons.join('; ') }}</li>
            </ul>
            <h4>Better than luck?</h4>
            <div class="significance" v-if="sig" :data-p="sig.p_value === undefined ? '' : sig.p_value">
              <p>{{ sig.text }}</p>
              <p class="muted small" v-if="sig.p_value !== undefined">SPA p-value {{ sig.p_value.toFixed(4) }} ·
                Reality Check {{ sig.reality_check_p_value.toFixed(4) }}<span v-if="sig.permutation_p_value !== undefined">
                · permutation {{ sig.permutation_p_value.toFixed(4) }}</span> · {{ sig.method }}</p>
            </div>
          </div>
        </div>
      </template>
      <p v-else-if="loading" class="muted">Analysing…</p>
    </div>`,
};
