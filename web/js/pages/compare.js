// Compare (#/compare?ids=1,2,3): two to four results side by side: every metric in a table
// (the best of each row marked where the metric has a sense), and the equity curves overlaid.
import { ref, computed, onMounted, watch } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { analysisApi, valuesText, Chart } from '../analysis.js';
import { formatValue as fmt } from '../format.js';

const COLORS = ['#2f6fde', '#d9480f', '#2b8a3e', '#9c36b5'];

export default {
  props: { ids: Array },
  components: { Chart },
  setup(props) {
    const results = ref([]), error = ref('');
    const valid = computed(() => props.ids.length >= 2 && props.ids.length <= 4);
    const load = async () => {
      if (!valid.value) return;
      try {
        results.value = await Promise.all(props.ids.map((id) => analysisApi.result(id)));
        error.value = '';
      } catch (e) {
        error.value = e.message;
      }
    };
    onMounted(load);
    watch(() => props.ids.join(','), load);
    const rows = computed(() => {
      const first = results.value[0];
      if (!first) return [];
      const om = (first.optionomega_metrics || []).map((m) => ({ ...m, group: 'OptionOmega' }));
      const extra = (first.metric_list || []).map((m) => ({ ...m, group: 'analysis' }));
      return [...om, ...extra].filter((m) => results.value.some((r) => r.metrics[m.key] !== undefined && r.metrics[m.key] !== null));
    });
    // the best column of a row: metrics with a sense (OptionOmega's list says it)
    const best = (m) => {
      if (!m.sense) return -1;
      let bi = -1, bv = null;
      results.value.forEach((r, i) => {
        const v = r.metrics[m.key];
        if (typeof v !== 'number') return;
        const s = m.sense === 'min_abs' ? -Math.abs(v) : v;
        if (bv === null || s > bv) { bv = s; bi = i; }
      });
      return bi;
    };
    const equityConfig = () => {
      if (!results.value.length) return null;
      const dates = [...new Set(results.value.flatMap((r) => (r.equity || []).map((p) => p.date)))].sort();
      return {
        type: 'line',
        data: {
          labels: dates,
          datasets: results.value.map((r, i) => {
            const by = new Map((r.equity || []).map((p) => [p.date, p.equity]));
            return { label: `${r.result_id}: ${valuesText(r.values)}`, data: dates.map((d) => (by.has(d) ? by.get(d) : null)),
                     borderColor: COLORS[i % COLORS.length], borderWidth: 1.5, spanGaps: true };
          }),
        },
        options: { elements: { point: { radius: 0 } }, interaction: { mode: 'index', intersect: false },
          scales: { x: { ticks: { maxTicksLimit: 12 } }, y: { title: { display: true, text: 'equity ($)' } } } },
      };
    };
    return { results, error, valid, rows, best, equityConfig, fmt, valuesText, COLORS };
  },
  template: `
    <section class="page compare">
      <p v-if="error" class="error" role="alert">{{ error }}</p>
      <div v-if="!valid" class="card"><h2>Compare</h2>
        <p>Pick two to four results to compare: tick them in a run's results table, then Compare.</p></div>
      <template v-if="valid && results.length">
        <div class="card">
          <h2>Compare {{ results.length }} results</h2>
          <div class="table-wrap"><table class="compare-table" :data-columns="results.length">
            <thead><tr><th>metric</th>
              <th v-for="(r, i) in results" :key="r.result_id" :data-result-id="r.result_id">
                <span class="swatch" :style="{ background: COLORS[i] }"></span>
                <a :href="'#/results/' + r.result_id">{{ r.result_id }}</a> <span class="muted">{{ valuesText(r.values) }}</span></th></tr></thead>
            <tbody>
              <tr v-for="m in rows" :key="m.key" :data-key="m.key" :class="'group-' + m.group">
                <th :title="m.help || ''">{{ m.label }}</th>
                <td v-for="(r, i) in results" :key="r.result_id" class="num" :class="{ best: best(m) === i }">{{ fmt(m.format, r.metrics[m.key]) }}</td>
              </tr>
              <tr data-key="reconciliation"><th>reconciles with OptionOmega</th>
                <td v-for="r in results" :key="r.result_id">{{ r.reconciliation.ok ? 'yes' : 'no' }}</td></tr>
            </tbody>
          </table></div>
        </div>
        <div class="card">
          <h3>Equity curves</h3>
          <chart name="compare" :config="equityConfig" :height="320"></chart>
        </div>
      </template>
    </section>`,
};
