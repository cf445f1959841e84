// New Run: the form is drawn from the modes' own descriptions (GET /api/modes, the ones the CLI
// wizard asks from) and the parameter scripts' field schemas (GET /api/parameters). Submitting
// posts the run spec; the server checks it as `oo-automator run` does and hands it to the run
// engine, and the page of the new run opens. Every spec shows its estimate before it starts
// (POST /api/estimate: the backtests, the account's pace). A spec the server refuses (400) has its message
// shown next to the field it names.
import { ref, reactive, computed, onMounted } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api } from '../api.js';
import { ModeForm, initModel, buildSpec, taskCount, fieldFor } from '../modeform.js';
import { RunEstimate } from '../search.js';

export default {
  components: { ModeForm, RunEstimate },
  setup() {
    const schemas = ref([]), modes = ref([]), discoveryErrors = ref([]), tests = ref([]), error = ref(''), busy = ref(false), loaded = ref(false);
    const form = reactive({ testChoice: '', testUrl: '', name: '', browsers: 2, mode: '', models: {} });
    const fieldErrors = reactive({});
    const ctx = computed(() => ({ schemas: schemas.value, modes: modes.value }));
    const mode = computed(() => modes.value.find((m) => m.name === form.mode));
    onMounted(async () => {
      try {
        const [p, m, t, s] = await Promise.all([api.parameters(), api.modes(), api.tests(), api.settings().catch(() => ({}))]);
        schemas.value = p.parameters || [];
        discoveryErrors.value = p.errors || [];
        modes.value = m || [];
        tests.value = t;
        if (s && s.browsers) form.browsers = s.browsers;
        form.testChoice = t.length ? String(t[0].id) : 'url';
        for (const md of modes.value) form.models[md.name] = initModel(ctx.value, md);
        form.mode = modes.value.length ? modes.value[0].name : '';
      } catch (e) {
        error.value = e.message;
      }
      loaded.value = true;
    });
    const total = computed(() => (mode.value ? taskCount(ctx.value, mode.value, form.models[form.mode]) : null));
    const spec = () => {
      const s = { ...buildSpec(ctx.value, mode.value, form.models[form.mode]), browsers: Number(form.browsers) };
      if (form.testChoice === 'url') s.test_url = form.testUrl.trim();
      else s.test_id = Number(form.testChoice);
      if (form.name.trim()) s.name = form.name.trim();
      return s;
    };
    const clearErrors = () => { for (const k of Object.keys(fieldErrors)) delete fieldErrors[k]; error.value = ''; };
    const submit = async () => {
      busy.value = true;
      clearErrors();
      try {
        const run = await api.startRun(spec());
        location.hash = `#/runs/${run.id}`;
      } catch (e) {
        const at = e.status === 400 && mode.value ? fieldFor(ctx.value, mode.value, form.models[form.mode], e.message) : null;
        if (at) fieldErrors[at] = e.message;
        else error.value = e.message;
      } finally {
        busy.value = false;
      }
    };
    const estimateSpec = computed(() => (loaded.value && mode.value && schemas.value.length ? spec() : null));
    return { estimateSpec, schemas, modes, discoveryErrors, tests, error, fieldErrors, busy, loaded, form, ctx, mode, total, submit, clearErrors };
  },
  template: `
    <section class="page newrun">
      <h2>New run</h2>
      <div v-for="e in discoveryErrors" :key="e" class="warn-box">parameter script left out: {{ e }}</div>
      <form class="card" v-if="loaded" @submit.prevent="submit">
        <fieldset>
          <legend>Test</legend>
          <label class="field"><span class="field-label">OptionOmega test</span>
            <select v-model="form.testChoice" name="test">
              <option v-for="t in tests" :key="t.id" :value="String(t.id)">{{ t.name || t.url }}</option>
              <option value="url">another test (URL)…</option>
            </select></label>
          <label class="field" v-if="form.testChoice === 'url'"><span class="field-label">Test URL</span>
            <input v-model="form.testUrl" name="test_url" type="url" placeholder="https://…/test/…" required></label>
          <label class="field"><span class="field-label">Run name (optional)</span><input v-model="form.name" name="name" maxlength="200"></label>
          <label class="field"><span class="field-label">Browsers</span><input v-model.number="form.browsers" name="browsers" type="number" min="1" max="8" required></label>
        </fieldset>
        <fieldset>
          <legend>Mode</legend>
          <label class="radio" v-for="m in modes" :key="m.name"><input type="radio" v-model="form.mode" :value="m.name" name="mode" @change="clearErrors"> {{ m.label }}</label>
        </fieldset>
        <mode-form v-if="mode" :key="mode.name" :ctx="ctx" :mode="mode" :model="form.models[mode.name]" :errors="fieldErrors"></mode-form>
        <p v-if="total !== null" class="total">Ready to run <strong class="task-total">{{ total }}</strong> backtest{{ total === 1 ? '' : 's' }}.</p>
        <run-estimate v-if="estimateSpec" :spec="estimateSpec"></run-estimate>
        <p v-if="error" class="error" role="alert">{{ error }}</p>
        <button type="submit" class="primary" :disabled="busy || !schemas.length || !mode" name="start">Start the run</button>
      </form>
    </section>`,
};
