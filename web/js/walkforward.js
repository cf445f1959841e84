// The walk-forward report on the Run page (the run analysis' `walkforward` section, made by
// lua/oo/analysis/walkforward.lua): the windows on a timeline, in-sample vs out-of-sample CAGR
// per window, the chosen values per window, the stitched out-of-sample equity beside the
// full-period best's over the same span, and the verdict. Draws only what the report holds:
// no figure is computed here.
// Metrics are formatted by format.js (the one list's formats, as the command line's); a
// walk-forward efficiency or a share of a range is a percentage of the same format.
import { ref, computed, watch, onMounted, onBeforeUnmount, markRaw } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { formatValue, fmtMetric } from './format.js';

const IS_COLOUR = '#2f6fde', OOS_COLOUR = '#d9480f', FULL_COLOUR = '#868e96';
const day = (s) => Date.parse(s + 'T00:00:00Z');
const pct = (v) => formatValue('pct', v);
const values = (v) => Object.keys(v || {}).sort().map((k) => `${k}=${v[k]}`).join(' ');

// The windows as bars on a date axis: one row per window, its in-sample then out-of-sample.
const Timeline = {
  props: { report: Object },
  setup(props) {
    const W = 760, ROW = 18, LEFT = 70;
    const geo = computed(() => {
      const d = props.report.definition, ws = props.report.windows || [];
      const a = day(d.from), b = day(d.to) + 86400000;
      const x = (s, end) => LEFT + ((day(s) + (end ? 86400000 : 0) - a) / (b - a)) * (W - LEFT - 10);
      const rows = ws.map((w, i) => ({
        w, y: 20 + i * ROW,
        is: { x: x(w.is_from), w: Math.max(1, x(w.is_to, true) - x(w.is_from)) },
        oos: { x: x(w.oos_from), w: Math.max(1, x(w.oos_to, true) - x(w.oos_from)) },
      }));
      const years = [];
      for (let y = new Date(a).getUTCFullYear() + 1; day(`${y}-01-01`) < b; y++) years.push({ y, x: x(`${y}-01-01`) });
      return { rows, years, h: 30 + ws.length * ROW };
    });
    return { geo, W, LEFT, IS_COLOUR, OOS_COLOUR };
  },
  template: `
    <svg class="wf-timeline" :viewBox="'0 0 ' + W + ' ' + geo.h" :height="geo.h" width="100%" role="img"
         aria-label="walk-forward windows on a timeline">
      <g v-for="y in geo.years" :key="y.y"><line :x1="y.x" :x2="y.x" y1="10" :y2="geo.h" stroke="#ddd"/>
        <text :x="y.x + 2" y="12" font-size="10" fill="#666">{{ y.y }}</text></g>
      <g v-for="r in geo.rows" :key="r.w.index" class="wf-window" :data-window="r.w.index">
        <text x="4" :y="r.y + 11" font-size="11">window {{ r.w.index }}</text>
        <rect class="wf-is" :x="r.is.x" :y="r.y" :width="r.is.w" height="12" :fill="IS_COLOUR">
          <title>in-sample {{ r.w.is_from }} to {{ r.w.is_to }}</title></rect>
        <rect class="wf-oos" :x="r.oos.x" :y="r.y" :width="r.oos.w" height="12" :fill="OOS_COLOUR">
          <title>out-of-sample {{ r.w.oos_from }} to {{ r.w.oos_to }}</title></rect>
      </g>
    </svg>`,
};

// One Chart.js chart from a config function of the report.
const ReportChart = {
  props: { report: Object, make: Function, name: String },
  setup(props) {
    const canvas = ref(null);
    let chart = null;
    const draw = () => {
      if (!canvas.value || !window.Chart) return;
      if (chart) chart.destroy();
      chart = markRaw(new window.Chart(canvas.value, props.make(props.report)));
      window.ooCharts = window.ooCharts || {};
      window.ooCharts[props.name] = chart;
    };
    onMounted(draw);
    watch(() => props.report, draw);
    onBeforeUnmount(() => { if (chart) chart.destroy(); chart = null; });
    return { canvas };
  },
  template: `<div class="chart" :data-name="name"><canvas ref="canvas"></canvas></div>`,
};

function barsConfig(r) {
  const ws = r.windows || [];
  const cagr = (m) => (m && typeof m.cagr === 'number' ? m.cagr * 100 : null);
  return {
    type: 'bar',
    data: {
      labels: ws.map((w) => `window ${w.index}`),
      datasets: [
        { label: 'in-sample CAGR %', data: ws.map((w) => cagr(w.is_metrics)), backgroundColor: IS_COLOUR },
        { label: 'out-of-sample CAGR %', data: ws.map((w) => cagr(w.oos_metrics)), backgroundColor: OOS_COLOUR },
      ],
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false,
               scales: { y: { title: { display: true, text: 'CAGR %' } } } },
  };
}

function equityConfig(r) {
  const pts = (rec) => ((rec && rec.equity) || []).map(([d, v]) => ({ x: day(d), y: v }));
  const datasets = [{ label: 'stitched out-of-sample', data: pts(r.stitched), borderColor: OOS_COLOUR,
                      pointRadius: 0, stepped: true }];
  if (r.full_period && r.full_period.oos_record) {
    datasets.push({ label: 'full-period best (hindsight), same span', data: pts(r.full_period.oos_record),
                    borderColor: FULL_COLOUR, pointRadius: 0, stepped: true });
  }
  return {
    type: 'line',
    data: { datasets },
    options: { animation: false, responsive: true, maintainAspectRatio: false,
      scales: { x: { type: 'linear', ticks: { callback: (v) => new Date(v).toISOString().slice(0, 7) } },
                y: { title: { display: true, text: 'equity $' } } } },
  };
}

export const WalkForward = {
  props: { report: Object },
  components: { Timeline, ReportChart },
  setup(props) {
    const params = computed(() => (props.report.stability || []).map((p) => p.name));
    return { params, pct, fmtMetric, values, barsConfig, equityConfig };
  },
  template: `
    <div class="card walkforward" :data-grade="report.verdict && report.verdict.grade">
      <div class="card-head"><h3>Walk-forward</h3>
        <span class="muted small">{{ report.definition.from }} to {{ report.definition.to }} ·
          in-sample {{ report.definition.in_sample }} · out-of-sample {{ report.definition.out_of_sample }} ·
          {{ report.definition.anchored ? 'anchored' : 'rolling by ' + report.definition.step }} · best by {{ report.optimize_by }}
          <span v-if="!report.complete"> · incomplete</span></span></div>
      <p class="wf-verdict" :class="'grade-' + (report.verdict && report.verdict.grade)">{{ report.verdict && report.verdict.text }}</p>
      <p class="muted small">{{ report.verdict && report.verdict.thresholds }}</p>
      <h4>Windows</h4>
      <timeline :report="report"></timeline>
      <h4>In-sample vs out-of-sample CAGR</h4>
      <report-chart name="wf-bars" :report="report" :make="barsConfig"></report-chart>
      <h4>Chosen values per window</h4>
      <div class="table-wrap"><table class="wf-windows">
        <thead><tr><th>window</th><th>in-sample</th><th>out-of-sample</th><th v-for="p in params" :key="p">{{ p }}</th>
          <th>IS CAGR</th><th>OOS P/L</th><th>OOS CAGR</th><th>WFE</th><th>status</th></tr></thead>
        <tbody><tr v-for="w in report.windows" :key="w.index" :data-window="w.index">
          <td>{{ w.index }}</td><td>{{ w.is_from }} – {{ w.is_to }}</td><td>{{ w.oos_from }} – {{ w.oos_to }}</td>
          <td v-for="p in params" :key="p" class="wf-value">{{ w.best_values ? w.best_values[p] : '-' }}</td>
          <td>{{ fmtMetric('cagr', w.is_metrics && w.is_metrics.cagr) }}</td><td>{{ fmtMetric('pl', w.oos_metrics && w.oos_metrics.pl) }}</td>
          <td>{{ fmtMetric('cagr', w.oos_metrics && w.oos_metrics.cagr) }}</td><td class="wf-wfe">{{ pct(w.wfe) }}</td><td>{{ w.status }}</td>
        </tr></tbody>
      </table></div>
      <p>Overall walk-forward efficiency <strong class="wf-overall">{{ pct(report.efficiency && report.efficiency.overall) }}</strong>
        (mean out-of-sample CAGR {{ fmtMetric('cagr', report.efficiency.mean_oos_cagr) }} / mean in-sample CAGR {{ fmtMetric('cagr', report.efficiency.mean_is_cagr) }})</p>
      <p v-for="p in report.stability" :key="p.name" class="small">{{ p.name }}: {{ p.values.join(' → ') }}
        ({{ p.changes }} changes<span v-if="p.mean_move_of_range !== undefined">; moves on average {{ pct(p.mean_move_of_range) }} of the searched range</span>)</p>
      <h4>Stitched out-of-sample equity</h4>
      <report-chart name="wf-equity" :report="report" :make="equityConfig"></report-chart>
      <table class="wf-compare" v-if="report.stitched">
        <thead><tr><th></th><th>trades</th><th>P/L</th><th>CAGR</th><th>max drawdown</th><th>MAR</th></tr></thead>
        <tbody>
          <tr class="wf-stitched"><th>stitched out-of-sample</th><td>{{ report.stitched.trades }}</td><td>{{ fmtMetric('pl', report.stitched.pl) }}</td>
            <td>{{ fmtMetric('cagr', report.stitched.cagr) }}</td><td>{{ fmtMetric('max_drawdown', report.stitched.max_drawdown) }}</td>
            <td>{{ fmtMetric('mar', report.stitched.mar) }}</td></tr>
          <tr v-if="report.full_period && report.full_period.oos_record" class="wf-full">
            <th>full-period best ({{ values(report.full_period.best_values) }})</th>
            <td>{{ report.full_period.oos_record.trades }}</td><td>{{ fmtMetric('pl', report.full_period.oos_record.pl) }}</td>
            <td>{{ fmtMetric('cagr', report.full_period.oos_record.cagr) }}</td><td>{{ fmtMetric('max_drawdown', report.full_period.oos_record.max_drawdown) }}</td>
            <td>{{ fmtMetric('mar', report.full_period.oos_record.mar) }}</td></tr>
        </tbody>
      </table>
    </div>`,
};
