// Result (#/results/N): one backtest's analysis: whether its trade log reconciles with
// OptionOmega, every metric, the equity curve with its drawdown below, P/L by year x month, the
// P/L histogram, P/L by weekday of entry and by reason for close, the Monte Carlo bands, and
// the trade table with filters.
import { ref, computed, onMounted, watch } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { analysisApi, valuesText, Chart } from '../analysis.js';
import { formatValue as fmt, MONTHS } from '../format.js';

function lineConfig(labels, datasets, yTitle, extra) {
  return {
    type: 'line',
    data: { labels, datasets },
    options: Object.assign({
      elements: { point: { radius: 0 } },
      interaction: { mode: 'index', intersect: false },
      scales: { x: { ticks: { maxTicksLimit: 12, autoSkip: true } }, y: { title: { display: true, text: yTitle } } },
      plugins: { legend: { display: datasets.length > 1 } },
    }, extra || {}),
  };
}

function heat(v, scale) {
  if (typeof v !== 'number' || !scale) return '#f1f3f5';
  const f = Math.max(-1, Math.min(1, v / scale));
  return f >= 0 ? `hsl(130, 55%, ${92 - 40 * f}%)` : `hsl(0, 65%, ${92 + 40 * f}%)`;
}

function equityChart(a) {
  const e = (a && a.equity) || [];
  if (!e.length) return null;
  return lineConfig(e.map((p) => p.date), [{ label: 'equity', data: e.map((p) => p.equity), borderColor: '#2f6fde',
    borderWidth: 1.5 }], 'equity ($)');
}

function drawdownChart(a) {
  const d = (a && a.drawdown) || [];
  if (!d.length) return null;
  return lineConfig(d.map((p) => p.date), [{ label: 'drawdown', data: d.map((p) => 100 * p.drawdown),
    borderColor: '#c92a2a', backgroundColor: 'rgba(201, 42, 42, 0.25)', fill: 'origin', borderWidth: 1 }], 'drawdown (%)');
}

function histogramChart(a) {
  const h = (a && a.histogram) || [];
  if (!h.length) return null;
  return {
    type: 'bar',
    data: { labels: h.map((b) => `${fmt('money', b.from)} to ${fmt('money', b.to)}`),
      datasets: [{ label: 'trades', data: h.map((b) => b.count),
        backgroundColor: h.map((b) => (b.to <= 0 ? '#e8590c' : b.from >= 0 ? '#2b8a3e' : '#868e96')) }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { title: { display: true, text: 'trades' } } } },
  };
}

function weekdayChart(a) {
  const w = (a && a.weekday) || [];
  if (!w.length) return null;
  return {
    type: 'bar',
    data: { labels: w.map((d) => d.name), datasets: [{ label: 'P/L', data: w.map((d) => d.pl),
      backgroundColor: w.map((d) => (d.pl >= 0 ? '#2b8a3e' : '#c92a2a')) }] },
    options: { plugins: { legend: { display: false },
      tooltip: { callbacks: { afterLabel: (c) => `${w[c.dataIndex].trades} trades` } } },
      scales: { y: { title: { display: true, text: 'P/L ($)' } } } },
  };
}

function mcChart(a) {
  const mc = a && a.monte_carlo;
  if (!mc) return null;
  const labels = mc.bands.map((b) => b.trade);
  return lineConfig(labels, [
    { label: '95th percentile', data: mc.bands.map((b) => b.p95), borderColor: '#74c0fc', borderWidth: 1 },
    { label: '5th percentile', data: mc.bands.map((b) => b.p5), borderColor: '#74c0fc', borderWidth: 1,
      backgroundColor: 'rgba(116, 192, 252, 0.25)', fill: '-1' },
    { label: 'median', data: mc.bands.map((b) => b.p50), borderColor: '#1c4fa8', borderWidth: 2 },
  ], 'equity ($)', { scales: { x: { title: { display: true, text: 'trades' } }, y: { title: { display: true, text: 'equity ($)' } } } });
}

export default {
  props: { id: Number },
  components: { Chart },
  setup(props) {
    const a = ref(null), trades = ref([]), error = ref(''), notFound = ref(false);
    const filters = ref({ reason: '', weekday: '', outcome: '', from: '', to: '', text: '' });
    const load = async () => {
      try {
        a.value = await analysisApi.result(props.id);
        trades.value = await analysisApi.trades(a.value.trades_result_id || props.id);
        error.value = '';
      } catch (e) {
        if (e.status === 404) notFound.value = true;
        error.value = e.message;
      }
    };
    onMounted(load);
    watch(() => props.id, load);

    const col = computed(() => (a.value && a.value.trade_columns) || {});
    const omMetrics = computed(() => ((a.value && a.value.optionomega_metrics) || [])
      .filter((m) => typeof a.value.metrics[m.key] === 'number'));

    const equityConfig = () => equityChart(a.value);
    const drawdownConfig = () => drawdownChart(a.value);
    const histogramConfig = () => histogramChart(a.value);
    const weekdayConfig = () => weekdayChart(a.value);
    const mcConfig = () => mcChart(a.value);

    const heatmap = computed(() => {
      const rows = new Map();
      let scale = 0;
      for (const m of (a.value && a.value.monthly) || []) {
        if (!rows.has(m.year)) rows.set(m.year, { year: m.year, months: Array(12).fill(null), total: 0 });
        const r = rows.get(m.year);
        r.months[m.month - 1] = m.pl;
        r.total += m.pl;
        scale = Math.max(scale, Math.abs(m.pl));
      }
      return { rows: [...rows.values()], scale };
    });

    const weekdayOf = (date) => {
      const d = new Date(date + 'T12:00:00Z');
      return isNaN(d) ? '' : ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
    };
    const plOf = (t) => {
      const v = t[col.value.pl];
      return typeof v === 'number' ? v : parseFloat(String(v || '').replace(/[$,]/g, ''));
    };
    const reasons = computed(() => [...new Set(trades.value.map((t) => t[col.value.reason]).filter(Boolean))].sort());
    const shown = computed(() => {
      const f = filters.value, c = col.value, text = f.text.trim().toLowerCase();
      return trades.value.filter((t) => {
        const opened = String(t[c.date_opened] || '');
        if (f.reason && t[c.reason] !== f.reason) return false;
        if (f.weekday && weekdayOf(opened) !== f.weekday) return false;
        if (f.outcome === 'win' && !(plOf(t) > 0)) return false;
        if (f.outcome === 'loss' && plOf(t) > 0) return false;
        if (f.from && opened < f.from) return false;
        if (f.to && opened > f.to) return false;
        if (text && !Object.values(t).some((v) => String(v).toLowerCase().includes(text))) return false;
        return true;
      });
    });
    const shownPl = computed(() => shown.value.reduce((s, t) => s + (plOf(t) || 0), 0));
    const tradeCols = computed(() => {
      const c = col.value;
      return ['date_opened', 'time_opened', 'date_closed', 'time_closed', 'reason', 'pl', 'pl_pct', 'contracts', 'premium', 'legs']
        .filter((k) => c[k]).map((k) => ({ key: k, name: c[k] }));
    });
    const limit = ref(200);
    return { a, error, notFound, filters, omMetrics, equityConfig, drawdownConfig, histogramConfig, weekdayConfig,
             mcConfig, heatmap, heat, reasons, shown, shownPl, tradeCols, limit, fmt, valuesText, MONTHS, plOf, trades };
  },
  template: `
    <section class="page result">
      <p v-if="error" class="error" role="alert">{{ error }}</p>
      <div v-if="notFound" class="card"><h2>No such result</h2><p><a href="#/history">All runs</a></p></div>
      <template v-if="a">
        <div class="card">
          <div class="card-head">
            <h2 class="result-title">Result {{ a.result_id }} <span class="muted">{{ valuesText(a.values) }}</span></h2>
            <a v-if="a.run_id" :href="'#/runs/' + a.run_id">run {{ a.run_id }}</a>
          </div>
          <p class="reconciliation" :class="a.reconciliation.ok ? 'ok' : 'warn'" :data-ok="a.reconciliation.ok ? 'yes' : 'no'">
            {{ a.reconciliation.ok ? '✓' : '⚠' }} {{ a.reconciliation.message }}</p>
          <p v-for="(w, i) in a.warnings.filter(w => w !== a.reconciliation.message)" :key="i" class="warn">{{ w }}</p>
          <p v-if="a.period" class="muted">{{ a.period.first }} to {{ a.period.last }} · {{ a.period.days }} trading days ·
            starting capital {{ fmt('money', a.period.start_capital) }}</p>
        </div>

        <div class="card">
          <h3>Metrics</h3>
          <dl class="metrics om" data-kind="optionomega">
            <div v-for="m in omMetrics" :key="m.key" class="metric" :data-key="m.key"><dt>{{ m.label }}</dt><dd>{{ fmt(m.format, a.metrics[m.key]) }}</dd></div>
          </dl>
          <dl class="metrics extra" data-kind="analysis">
            <div v-for="m in a.metric_list" :key="m.key" class="metric" :data-key="m.key" :title="m.help">
              <dt>{{ m.label }}</dt><dd>{{ fmt(m.format, a.metrics[m.key]) }}</dd></div>
          </dl>
        </div>

        <div class="card">
          <h3>Equity and drawdown</h3>
          <chart name="equity" :config="equityConfig" :height="260"></chart>
          <chart name="underwater" :config="drawdownConfig" :height="140"></chart>
        </div>

        <div class="card">
          <h3>P/L by month of exit</h3>
          <div class="table-wrap"><table class="month-heatmap" :data-years="heatmap.rows.length">
            <thead><tr><th></th><th v-for="m in MONTHS" :key="m">{{ m }}</th><th>Year</th></tr></thead>
            <tbody><tr v-for="r in heatmap.rows" :key="r.year" :data-year="r.year">
              <th>{{ r.year }}</th>
              <td v-for="(v, i) in r.months" :key="i" :style="{ background: heat(v, heatmap.scale) }" class="num">{{ v === null ? '' : fmt('money', v) }}</td>
              <td class="num total">{{ fmt('money', r.total) }}</td>
            </tr></tbody>
          </table></div>
        </div>

        <div class="card two">
          <div><h3>P/L per trade</h3><chart name="histogram" :config="histogramConfig" :height="240"></chart></div>
          <div><h3>P/L by weekday of entry</h3><chart name="weekday" :config="weekdayConfig" :height="240"></chart>
            <table class="reasons-table"><thead><tr><th>Reason for close</th><th class="num">Trades</th><th class="num">P/L</th></tr></thead>
              <tbody><tr v-for="r in a.reasons" :key="r.reason"><td>{{ r.reason }}</td><td class="num">{{ r.trades }}</td><td class="num">{{ fmt('money', r.pl) }}</td></tr></tbody></table>
          </div>
        </div>

        <div class="card" v-if="a.monte_carlo">
          <h3>Monte Carlo <span class="muted small">{{ a.monte_carlo.paths.toLocaleString('en-US') }} paths of {{ a.monte_carlo.trades }} trades drawn with replacement, seed {{ a.monte_carlo.seed }}</span></h3>
          <chart name="montecarlo" :config="mcConfig" :height="260"></chart>
          <table class="mc" :data-paths="a.monte_carlo.paths">
            <thead><tr><th></th><th class="num">5th</th><th class="num">50th</th><th class="num">95th</th></tr></thead>
            <tbody>
              <tr data-row="max_drawdown"><th>max drawdown</th><td class="num" v-for="p in ['p5', 'p50', 'p95']" :key="p">{{ fmt('pct', a.monte_carlo.max_drawdown[p]) }}</td></tr>
              <tr data-row="final_pl"><th>final P/L</th><td class="num" v-for="p in ['p5', 'p50', 'p95']" :key="p">{{ fmt('money', a.monte_carlo.final_pl[p]) }}</td></tr>
              <tr data-row="cagr"><th>CAGR</th><td class="num" v-for="p in ['p5', 'p50', 'p95']" :key="p">{{ fmt('pct', a.monte_carlo.cagr[p]) }}</td></tr>
            </tbody>
          </table>
          <p v-if="a.monte_carlo.prob_drawdown_beyond" class="muted">A drawdown beyond {{ fmt('pct', a.monte_carlo.prob_drawdown_beyond.threshold) }}
            ({{ a.monte_carlo.prob_drawdown_beyond.basis }}) on {{ fmt('pct', a.monte_carlo.prob_drawdown_beyond.p) }} of the paths.</p>
        </div>

        <div class="card">
          <div class="card-head"><h3>Trades</h3>
            <span class="muted trade-count" :data-shown="shown.length">{{ shown.length }} of {{ trades.length }} · P/L {{ fmt('money', shownPl) }}</span></div>
          <div class="filters">
            <label>reason <select v-model="filters.reason" name="reason"><option value="">any</option>
              <option v-for="r in reasons" :key="r" :value="r">{{ r }}</option></select></label>
            <label>entry weekday <select v-model="filters.weekday" name="weekday"><option value="">any</option>
              <option v-for="d in ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']" :key="d" :value="d">{{ d }}</option></select></label>
            <label>outcome <select v-model="filters.outcome" name="outcome"><option value="">any</option>
              <option value="win">winners</option><option value="loss">losers</option></select></label>
            <label>from <input type="date" v-model="filters.from" name="from"></label>
            <label>to <input type="date" v-model="filters.to" name="to"></label>
            <label>search <input type="search" v-model="filters.text" name="text" placeholder="legs, strategy…"></label>
          </div>
          <div class="table-wrap"><table class="trades" :data-rows="shown.length">
            <thead><tr><th v-for="c in tradeCols" :key="c.key">{{ c.name }}</th></tr></thead>
            <tbody><tr v-for="(t, i) in shown.slice(0, limit)" :key="i" :class="plOf(t) > 0 ? 'win' : 'loss'">
              <td v-for="c in tradeCols" :key="c.key" :class="{ num: ['pl', 'pl_pct', 'contracts', 'premium'].includes(c.key) }">{{ t[c.name] }}</td></tr></tbody>
          </table></div>
          <button v-if="shown.length > limit" class="link" @click="limit += 500">show more</button>
        </div>
      </template>
    </section>`,
};
