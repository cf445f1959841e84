// History: every run, newest first; filter by test, status and mode, search by name.
import { ref, reactive, watch, onMounted, onBeforeUnmount } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api, onLive, debounce } from '../api.js';
import { StatusBadge } from '../components.js';
import { when, progress } from '../format.js';

const PAGE = 50;

export default {
  components: { StatusBadge },
  setup() {
    const runs = ref([]), tests = ref([]), error = ref(''), more = ref(false), loaded = ref(false);
    const f = reactive({ test_id: '', status: '', mode: '', search: '' });
    const load = async (append = false) => {
      try {
        const page = await api.runs({ ...f, limit: PAGE, offset: append ? runs.value.length : 0 });
        runs.value = append ? runs.value.concat(page) : page;
        more.value = page.length === PAGE;
        error.value = '';
      } catch (e) {
        error.value = e.message;
      }
      loaded.value = true;
    };
    const reload = debounce(() => load(false), 250);
    watch(() => ({ ...f }), reload);
    let off = null;
    onMounted(async () => {
      try { tests.value = await api.tests(); } catch (e) { error.value = e.message; }
      load();
      off = onLive((ev) => { if (ev.type === 'reset' || /^run_/.test(ev.kind || '')) reload(); });
    });
    onBeforeUnmount(() => off && off());
    return { runs, tests, error, more, loaded, f, load, when, progress };
  },
  template: `
    <section class="page history">
      <h2>History</h2>
      <div class="filters card">
        <label>Test <select v-model="f.test_id" name="test_id"><option value="">any</option>
          <option v-for="t in tests" :key="t.id" :value="String(t.id)">{{ t.name || t.url }}</option></select></label>
        <label>Status <select v-model="f.status" name="status"><option value="">any</option>
          <option v-for="s in ['pending','running','paused','completed','failed','cancelled']" :key="s" :value="s">{{ s }}</option></select></label>
        <label>Mode <select v-model="f.mode" name="mode"><option value="">any</option>
          <option v-for="m in ['sweep','grid','staged']" :key="m" :value="m">{{ m }}</option></select></label>
        <label>Search <input v-model="f.search" name="search" type="search" placeholder="run or test name"></label>
      </div>
      <p v-if="error" class="error" role="alert">{{ error }}</p>
      <table class="runs card" :data-rows="runs.length">
        <thead><tr><th>#</th><th>Run</th><th>Test</th><th>Mode</th><th>Status</th><th>Progress</th><th>Created</th></tr></thead>
        <tbody>
          <tr v-for="r in runs" :key="r.id" :data-run-id="r.id">
            <td>{{ r.id }}</td>
            <td><a :href="'#/runs/' + r.id">{{ r.name || ('run ' + r.id) }}</a></td>
            <td class="test-name">{{ r.test_name || r.test_url }}</td>
            <td>{{ r.mode }}</td>
            <td><status-badge :status="r.status"></status-badge></td>
            <td><span class="mini-bar"><span :style="{ width: progress(r).pct + '%' }"></span></span> {{ progress(r).done }}/{{ progress(r).total }}</td>
            <td>{{ when(r.created_at) }}</td>
          </tr>
          <tr v-if="loaded && !runs.length"><td colspan="7" class="muted">no runs match</td></tr>
        </tbody>
      </table>
      <button v-if="more" @click="load(true)">Load more</button>
    </section>`,
};
