// New Run: the form is generated from the parameter scripts' field schemas (GET
// /api/parameters). Submitting posts the run spec; the server validates it and hands it to
// the run engine, and the page of the new run opens.
import { ref, reactive, computed, onMounted } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api } from '../api.js';
import { optimizable } from '../format.js';
import { SEARCH_MODES, isSearch, searchDefaults, searchSpec, SearchOptions, RunEstimate } from '../search.js';

function defaults(schema) {
  const cfg = {};
  for (const f of (schema && schema.fields) || []) cfg[f.name] = f.default !== undefined ? f.default : f.type === 'bool' ? false : '';
  return cfg;
}

// How many values a start/stop/step config gives (numbers and HH:MM times), or null.
function count(schema, cfg) {
  const f = Object.fromEntries(((schema && schema.fields) || []).map((x) => [x.name, x]));
  if (!f.start || !f.stop || !f.step) return null;
  const t = (v) => (typeof v === 'string' && /^\d\d:\d\d$/.test(v) ? +v.slice(0, 2) * 60 + +v.slice(3) : Number(v));
  const a = t(cfg.start), b = t(cfg.stop), s = Number(cfg.step);
  if (!isFinite(a) || !isFinite(b) || !isFinite(s) || s <= 0 || b < a) return null;
  return Math.floor((b - a) / s + 1e-9) + 1;
}

// One field of a schema as an input.
const FieldInput = {
  props: { field: Object, modelValue: null, id: String },
  emits: ['update:modelValue'],
  setup(props, { emit }) {
    const set = (raw) => {
      const f = props.field;
      let v = raw;
      if (f.type === 'int') v = raw === '' ? '' : parseInt(raw, 10);
      else if (f.type === 'number') v = raw === '' ? '' : parseFloat(raw);
      else if (f.type === 'choice') v = (f.choices || []).find((c) => String(c) === raw) ?? raw;
      emit('update:modelValue', v);
    };
    return { set };
  },
  template: `
    <label class="field" :for="id">
      <span class="field-label">{{ field.label || field.name }}</span>
      <select v-if="field.type === 'choice'" :id="id" :name="field.name" :value="String(modelValue)" @change="set($event.target.value)">
        <option v-for="c in field.choices" :key="String(c)" :value="String(c)">{{ c }}</option>
      </select>
      <input v-else-if="field.type === 'bool'" :id="id" :name="field.name" type="checkbox" :checked="!!modelValue" @change="$emit('update:modelValue', $event.target.checked)">
      <input v-else-if="field.type === 'date'" :id="id" :name="field.name" type="date" :value="modelValue" @input="set($event.target.value)" required>
      <input v-else-if="field.type === 'time'" :id="id" :name="field.name" type="time" :value="modelValue" @input="set($event.target.value)" required>
      <input v-else-if="field.type === 'int' || field.type === 'number'" :id="id" :name="field.name" type="number"
             :min="field.min" :max="field.max" :step="field.type === 'int' ? 1 : 'any'" :value="modelValue" @input="set($event.target.value)" required>
      <input v-else :id="id" :name="field.name" type="text" :value="modelValue" @input="set($event.target.value)">
    </label>`,
};

// A parameter picker with its fields.
const ParamBlock = {
  props: { schemas: Array, entry: Object, prefix: String },
  components: { FieldInput },
  setup(props) {
    const schema = computed(() => props.schemas.find((s) => s.name === props.entry.parameter));
    const pick = (name) => {
      props.entry.parameter = name;
      props.entry.config = defaults(props.schemas.find((s) => s.name === name));
    };
    const n = computed(() => count(schema.value, props.entry.config));
    return { schema, pick, n };
  },
  template: `
    <div class="param-block">
      <label class="field"><span class="field-label">Parameter</span>
        <select :name="prefix + '-parameter'" class="param-select" :value="entry.parameter" @change="pick($event.target.value)">
          <option v-for="s in schemas" :key="s.name" :value="s.name">{{ s.display_name }}</option>
        </select>
      </label>
      <p class="muted small" v-if="schema">{{ schema.description }}<span v-if="schema.requires_toggle"> (switches on "{{ schema.requires_toggle }}")</span></p>
      <div class="fields" v-if="schema">
        <field-input v-for="f in schema.fields" :key="f.name" :field="f" :id="prefix + '-' + f.name" v-model="entry.config[f.name]"></field-input>
      </div>
      <p class="small" v-if="n !== null"><span class="value-count">{{ n }}</span> value{{ n === 1 ? '' : 's' }}</p>
    </div>`,
};

export default {
  components: { ParamBlock, SearchOptions, RunEstimate },
  setup() {
    const schemas = ref([]), discoveryErrors = ref([]), tests = ref([]), error = ref(''), busy = ref(false), loaded = ref(false);
    const form = reactive({ testChoice: '', testUrl: '', name: '', browsers: 2, mode: 'sweep',
                            sweep: { parameter: '', config: {} }, grid: [], stages: [], search: searchDefaults() });
    const entry = (name) => ({ parameter: name, config: defaults(schemas.value.find((s) => s.name === name)), optimize_by: 'mar', use_best_from: '' });
    onMounted(async () => {
      try {
        const [p, t, s] = await Promise.all([api.parameters(), api.tests(), api.settings().catch(() => ({}))]);
        schemas.value = p.parameters || [];
        discoveryErrors.value = p.errors || [];
        tests.value = t;
        if (s && s.browsers) form.browsers = s.browsers;
        form.testChoice = t.length ? String(t[0].id) : 'url';
        const first = schemas.value[0] ? schemas.value[0].name : '';
        const second = schemas.value[1] ? schemas.value[1].name : first;
        Object.assign(form.sweep, entry(first));
        form.grid = [entry(first), entry(second)];
        form.stages = [entry(first), { ...entry(second), use_best_from: first }];
      } catch (e) {
        error.value = e.message;
      }
      loaded.value = true;
    });
    const total = computed(() => {
      const c = (e) => count(schemas.value.find((s) => s.name === e.parameter), e.config);
      if (form.mode === 'sweep') return c(form.sweep);
      if (isSearch(form.mode)) return null;   /* the estimate says */
      if (form.mode === 'grid') return form.grid.reduce((n, e) => (n === null || c(e) === null ? null : n * c(e)), 1);
      return form.stages.reduce((n, e) => (n === null || c(e) === null ? null : n + c(e)), 0);
    });
    const spec = () => {
      const s = { mode: form.mode, browsers: Number(form.browsers) };
      if (form.testChoice === 'url') s.test_url = form.testUrl.trim();
      else s.test_id = Number(form.testChoice);
      if (form.name.trim()) s.name = form.name.trim();
      if (form.mode === 'sweep') { s.parameter = form.sweep.parameter; s.config = { ...form.sweep.config }; }
      else if (form.mode === 'grid' || isSearch(form.mode)) {
        s.parameters = form.grid.map((e) => ({ name: e.parameter, config: { ...e.config } }));
        if (isSearch(form.mode)) Object.assign(s, searchSpec(form.mode, form.search));
      }
      else s.stages = form.stages.map((e, i) => {
        const st = { parameter: e.parameter, config: { ...e.config }, optimize_by: e.optimize_by };
        if (i > 0 && e.use_best_from) st.use_best_from = e.use_best_from;
        return st;
      });
      return s;
    };
    const submit = async () => {
      busy.value = true;
      error.value = '';
      try {
        const run = await api.startRun(spec());
        location.hash = `#/runs/${run.id}`;
      } catch (e) {
        error.value = e.message;
      } finally {
        busy.value = false;
      }
    };
    const addGrid = () => form.grid.push(entry(schemas.value[0].name));
    const addStage = () => form.stages.push({ ...entry(schemas.value[0].name), use_best_from: form.stages.length ? form.stages[form.stages.length - 1].parameter : '' });
    const estimateSpec = computed(() => (loaded.value && schemas.value.length ? spec() : null));
    return { schemas, discoveryErrors, tests, error, busy, loaded, form, total, submit, addGrid, addStage, optimizable,
             SEARCH_MODES, isSearch, estimateSpec };
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
          <label class="radio"><input type="radio" v-model="form.mode" value="sweep" name="mode"> Sweep: one parameter over a range</label>
          <label class="radio"><input type="radio" v-model="form.mode" value="grid" name="mode"> Grid: every combination of several</label>
          <label class="radio"><input type="radio" v-model="form.mode" value="staged" name="mode"> Staged: one after another, keeping each stage's best</label>
          <label class="radio" v-for="m in SEARCH_MODES" :key="m.value"><input type="radio" v-model="form.mode" :value="m.value" name="mode"> {{ m.label }}</label>
        </fieldset>
        <fieldset v-if="form.mode === 'sweep'"><legend>Parameter</legend>
          <param-block :schemas="schemas" :entry="form.sweep" prefix="sweep"></param-block>
        </fieldset>
        <fieldset v-if="form.mode === 'grid' || isSearch(form.mode)"><legend>Parameters</legend>
          <div v-for="(e, i) in form.grid" :key="i" class="sub">
            <param-block :schemas="schemas" :entry="e" :prefix="'grid' + i"></param-block>
            <button type="button" class="link" v-if="form.grid.length > 1" @click="form.grid.splice(i, 1)">remove</button>
          </div>
          <button type="button" @click="addGrid">Add a parameter</button>
          <search-options v-if="isSearch(form.mode)" :mode="form.mode" :options="form.search"></search-options>
        </fieldset>
        <fieldset v-if="form.mode === 'staged'"><legend>Stages</legend>
          <div v-for="(e, i) in form.stages" :key="i" class="sub">
            <h4>Stage {{ i + 1 }}</h4>
            <param-block :schemas="schemas" :entry="e" :prefix="'stage' + i"></param-block>
            <label class="field"><span class="field-label">Best by</span>
              <select v-model="e.optimize_by"><option v-for="m in optimizable()" :key="m.key" :value="m.key">{{ m.label }}</option></select></label>
            <label class="field" v-if="i > 0"><span class="field-label">Use the best of</span>
              <select v-model="e.use_best_from"><option value="">(none)</option>
                <option v-for="p in form.stages.slice(0, i)" :key="p.parameter" :value="p.parameter">{{ p.parameter }}</option></select></label>
            <button type="button" class="link" v-if="form.stages.length > 1" @click="form.stages.splice(i, 1)">remove</button>
          </div>
          <button type="button" @click="addStage">Add a stage</button>
        </fieldset>
        <p v-if="total !== null" class="total">Ready to run <strong class="task-total">{{ total }}</strong> backtest{{ total === 1 ? '' : 's' }}.</p>
        <run-estimate v-if="estimateSpec" :spec="estimateSpec"></run-estimate>
        <p v-if="error" class="error" role="alert">{{ error }}</p>
        <button type="submit" class="primary" :disabled="busy || !schemas.length" name="start">Start the run</button>
      </form>
    </section>`,
};
