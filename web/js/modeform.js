// modeform: New Run's form of a mode, drawn from the mode's own description (GET /api/modes:
// lua/oo/forms.lua, the same description the CLI wizard asks from). Nothing here knows a mode
// by name: a field's type says what to draw (a value, one parameter, a list of parameters,
// stages, an inner search). The spec a form gives is checked by the server (the modes' check):
// its 400 message is shown next to the field it names (fieldFor, as oo.forms.field_for does).
import { computed } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { optimizable } from './format.js';

export const COMPOSITE = ['parameter', 'parameters', 'stages', 'search'];

export function paramDefaults(schema) {
  const cfg = {};
  for (const f of (schema && schema.fields) || []) cfg[f.name] = f.default !== undefined ? f.default : f.type === 'bool' ? false : '';
  return cfg;
}

// How many values a start/stop/step config gives (numbers and HH:MM times), or null.
export function valueCount(schema, cfg) {
  const f = Object.fromEntries(((schema && schema.fields) || []).map((x) => [x.name, x]));
  if (!f.start || !f.stop || !f.step) return null;
  const t = (v) => (typeof v === 'string' && /^\d\d:\d\d$/.test(v) ? +v.slice(0, 2) * 60 + +v.slice(3) : Number(v));
  const a = t(cfg.start), b = t(cfg.stop), s = Number(cfg.step);
  if (!isFinite(a) || !isFinite(b) || !isFinite(s) || s <= 0 || b < a) return null;
  return Math.floor((b - a) / s + 1e-9) + 1;
}

const schemaOf = (ctx, name) => ctx.schemas.find((s) => s.name === name);
const entry = (ctx, name) => ({ parameter: name, config: paramDefaults(schemaOf(ctx, name)), optimize_by: 'mar', use_best_from: '' });
// The parameters a part may search (less those the field leaves out, e.g. dates in a walk-forward).
export const allowed = (ctx, without) => ctx.schemas.filter((s) => !(without || []).includes(s.name));
const omitted = (field, omit) => (omit || []).includes(field.key);
export const innerModes = (ctx, field) => ctx.modes.filter((m) => !(field.exclude || []).includes(m.name));

// A fresh model of a mode's form: every field at its default. ctx = {schemas, modes}.
export function initModel(ctx, mode, without) {
  const m = {};
  const first = allowed(ctx, without)[0], second = allowed(ctx, without)[1] || first;
  for (const f of mode.fields) {
    if (f.type === 'parameter') m[f.key] = entry(ctx, first ? first.name : '');
    else if (f.type === 'parameters') {   // two to start with, as a grid mostly has
      m[f.key] = [entry(ctx, first ? first.name : '')];
      if ((f.max || 2) >= 2 && second && second !== first) m[f.key].push(entry(ctx, second.name));
    }
    else if (f.type === 'stages') m[f.key] = [entry(ctx, first ? first.name : ''), { ...entry(ctx, second ? second.name : ''), use_best_from: first ? first.name : '' }];
    else if (f.type === 'search') {
      const inner = innerModes(ctx, f);
      const sub = {};
      for (const im of inner) sub[im.name] = initModel(ctx, im, f.without);
      m[f.key] = { mode: inner.length ? inner[0].name : '', sub };
    } else m[f.key] = f.default !== undefined && f.default !== null ? f.default : f.type === 'bool' ? false : '';
  }
  return m;
}

function setPath(obj, key, v) {
  const parts = key.split('.');
  let t = obj;
  for (const p of parts.slice(0, -1)) t = t[p] = t[p] && typeof t[p] === 'object' ? t[p] : {};
  t[parts[parts.length - 1]] = v;
}

// The spec of a model: what the mode's check reads.
export function buildSpec(ctx, mode, model, omit) {
  const s = { mode: mode.name };
  for (const f of mode.fields) {
    if (omitted(f, omit)) continue;
    const v = model[f.key];
    if (f.type === 'parameter') { s[f.key] = v.parameter; s[f.config || 'config'] = { ...v.config }; }
    else if (f.type === 'parameters') setPath(s, f.key, v.map((e) => ({ name: e.parameter, config: { ...e.config } })));
    else if (f.type === 'stages') setPath(s, f.key, v.map((e, i) => {
      const st = { parameter: e.parameter, config: { ...e.config }, optimize_by: e.optimize_by };
      if (i > 0 && e.use_best_from) st.use_best_from = e.use_best_from;
      return st;
    }));
    else if (f.type === 'search') {
      const im = ctx.modes.find((x) => x.name === v.mode);
      if (im) setPath(s, f.key, buildSpec(ctx, im, v.sub[im.name], f.omit));
    } else if (!(f.optional && (v === '' || v === null || v === undefined))) setPath(s, f.key, v);
  }
  return s;
}

// The backtests a model makes when its fields say it (a sweep, a grid, stages), else null.
export function taskCount(ctx, mode, model) {
  let n = null;
  const c = (e) => valueCount(schemaOf(ctx, e.parameter), e.config);
  for (const f of mode.fields) {
    const v = model[f.key];
    if (f.type === 'parameter') n = c(v);
    else if (f.type === 'parameters') n = v.reduce((a, e) => (a === null || c(e) === null ? null : a * c(e)), 1);
    else if (f.type === 'stages') n = v.reduce((a, e) => (a === null || c(e) === null ? null : a + c(e)), 0);
    else if (f.type === 'search' || (!COMPOSITE.includes(f.type) && f.type !== 'objective' && f.type !== 'bool')) return null;
  }
  return n;
}

// Every field of a model as it is drawn, with its `at`, the inner search's too.
function drawnFields(ctx, mode, model, omit, out = []) {
  for (const f of mode.fields) {
    if (omitted(f, omit)) continue;
    out.push(f);
    if (f.type === 'search') {
      const im = ctx.modes.find((x) => x.name === model[f.key].mode);
      if (im) drawnFields(ctx, im, model[f.key].sub[im.name], f.omit, out);
    }
  }
  return out;
}

function namedAt(msg, at) {
  let best = -1;
  for (let i = msg.indexOf(at); i >= 0; i = msg.indexOf(at, i + 1)) {
    const before = i === 0 ? '' : msg[i - 1], after = msg[i + at.length] || '';
    if ((i === 0 || /[\s:]/.test(before)) && /[:.[]/.test(after)) best = i;
  }
  return best;
}

// The `at` of the field an error message names (the deepest part named, the longest there;
// else the first field of a group it names), or null: lua/oo/forms.lua's field_for.
export function fieldFor(ctx, mode, model, msg) {
  const fields = drawnFields(ctx, mode, model);
  let pick = null, pos = -1, len = 0;
  for (const f of fields) {
    const i = namedAt(msg, f.at);
    if (i >= 0 && (i > pos || (i === pos && f.at.length > len))) { pick = f; pos = i; len = f.at.length; }
  }
  if (pick) return pick.at;
  for (const f of fields) {
    const group = f.at.replace(/\.[^.]+$/, '');
    if (group !== f.at && group.includes('.') && namedAt(msg, group) >= 0) return f.at;
  }
  return null;
}

// One value field as an input.
export const FieldInput = {
  props: { field: Object, modelValue: null, id: String, name: String },
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
    const inputName = computed(() => props.name || props.field.name || props.field.key);
    return { set, inputName };
  },
  template: `
    <label class="field" :for="id">
      <span class="field-label">{{ field.label || field.name }}</span>
      <select v-if="field.type === 'choice'" :id="id" :name="inputName" :value="String(modelValue)" @change="set($event.target.value)">
        <option v-for="c in field.choices" :key="String(c)" :value="String(c)">{{ c }}</option>
      </select>
      <select v-else-if="field.type === 'objective'" :id="id" :name="inputName" :value="modelValue" @change="set($event.target.value)">
        <option v-for="c in field.choices" :key="c.value" :value="c.value">{{ c.label }}</option>
      </select>
      <input v-else-if="field.type === 'bool'" :id="id" :name="inputName" type="checkbox" :checked="!!modelValue" @change="$emit('update:modelValue', $event.target.checked)">
      <input v-else-if="field.type === 'date'" :id="id" :name="inputName" type="date" :value="modelValue" @input="set($event.target.value)" required>
      <input v-else-if="field.type === 'time'" :id="id" :name="inputName" type="time" :value="modelValue" @input="set($event.target.value)" required>
      <input v-else-if="field.type === 'span'" :id="id" :name="inputName" type="text" size="6" pattern="[0-9]+[dwmyDWMY]"
             :placeholder="field.optional ? '(default)' : '6m'" :value="modelValue" @input="set($event.target.value.trim())" :required="!field.optional">
      <input v-else-if="field.type === 'period'" :id="id" :name="inputName" type="text" size="22" pattern="\\d{4}-\\d\\d-\\d\\d\\.\\.\\d{4}-\\d\\d-\\d\\d"
             placeholder="YYYY-MM-DD..YYYY-MM-DD" :value="modelValue" @input="set($event.target.value.trim())" :required="!field.optional">
      <input v-else-if="field.type === 'int' || field.type === 'number'" :id="id" :name="inputName" type="number"
             :min="field.min" :max="field.max" :step="field.type === 'int' ? 1 : 'any'" :value="modelValue" @input="set($event.target.value)" required>
      <input v-else :id="id" :name="inputName" type="text" :value="modelValue" @input="set($event.target.value)">
      <span v-if="field.help" class="muted small">{{ field.help }}</span>
    </label>`,
};

// A parameter picker with its fields.
export const ParamBlock = {
  props: { schemas: Array, entry: Object, prefix: String },
  components: { FieldInput },
  setup(props) {
    const schema = computed(() => props.schemas.find((s) => s.name === props.entry.parameter));
    const pick = (name) => {
      props.entry.parameter = name;
      props.entry.config = paramDefaults(props.schemas.find((s) => s.name === name));
    };
    const n = computed(() => valueCount(schema.value, props.entry.config));
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

// A mode's fields. prefix names the inputs of an inner search apart ("search-"); errors maps a
// field's `at` to the server's message about it.
export const ModeForm = {
  name: 'ModeForm',
  props: { ctx: Object, mode: Object, model: Object, prefix: { type: String, default: '' }, omit: Array, without: Array, errors: Object },
  components: { FieldInput, ParamBlock },
  setup(props) {
    const fields = computed(() => props.mode.fields.filter((f) => !omitted(f, props.omit)));
    const schemas = computed(() => allowed(props.ctx, props.without));
    const inner = (f) => innerModes(props.ctx, f);
    const innerMode = (f) => props.ctx.modes.find((m) => m.name === props.model[f.key].mode);
    const inputName = (f) => props.prefix + f.key.replace(/\./g, '-');
    const add = (f) => {
      const list = props.model[f.key];
      const e = entry(props.ctx, schemas.value[0].name);
      if (f.type === 'stages' && list.length) e.use_best_from = list[list.length - 1].parameter;
      list.push(e);
    };
    return { fields, schemas, inner, innerMode, inputName, add, optimizable };
  },
  template: `
    <div class="mode-form" :data-mode="mode.name">
      <template v-for="f in fields" :key="f.key">
        <fieldset v-if="f.type === 'parameter'" :data-field="f.key"><legend>{{ f.label }}</legend>
          <param-block :schemas="schemas" :entry="model[f.key]" :prefix="prefix + mode.name"></param-block>
          <p v-if="errors[f.at]" class="error field-error" role="alert" :data-at="f.at">{{ errors[f.at] }}</p>
        </fieldset>
        <fieldset v-else-if="f.type === 'parameters'" :data-field="f.key"><legend>{{ f.label }}s</legend>
          <div v-for="(e, i) in model[f.key]" :key="i" class="sub">
            <param-block :schemas="schemas" :entry="e" :prefix="prefix + 'grid' + i"></param-block>
            <button type="button" class="link" v-if="model[f.key].length > (f.min || 1)" @click="model[f.key].splice(i, 1)">remove</button>
          </div>
          <button type="button" v-if="!f.max || model[f.key].length < f.max" @click="add(f)">Add a parameter</button>
          <p v-if="errors[f.at]" class="error field-error" role="alert" :data-at="f.at">{{ errors[f.at] }}</p>
        </fieldset>
        <fieldset v-else-if="f.type === 'stages'" :data-field="f.key"><legend>{{ f.label }}s</legend>
          <div v-for="(e, i) in model[f.key]" :key="i" class="sub">
            <h4>{{ f.label }} {{ i + 1 }}</h4>
            <param-block :schemas="schemas" :entry="e" :prefix="prefix + 'stage' + i"></param-block>
            <label class="field"><span class="field-label">Best by</span>
              <select v-model="e.optimize_by"><option v-for="m in optimizable()" :key="m.key" :value="m.key">{{ m.label }}</option></select></label>
            <label class="field" v-if="i > 0"><span class="field-label">Use the best of</span>
              <select v-model="e.use_best_from"><option value="">(none)</option>
                <option v-for="p in model[f.key].slice(0, i)" :key="p.parameter" :value="p.parameter">{{ p.parameter }}</option></select></label>
            <button type="button" class="link" v-if="model[f.key].length > (f.min || 1)" @click="model[f.key].splice(i, 1)">remove</button>
          </div>
          <button type="button" v-if="!f.max || model[f.key].length < f.max" @click="add(f)">Add a stage</button>
          <p v-if="errors[f.at]" class="error field-error" role="alert" :data-at="f.at">{{ errors[f.at] }}</p>
        </fieldset>
        <fieldset v-else-if="f.type === 'search'" :data-field="f.key" class="inner-search"><legend>{{ f.label }}</legend>
          <label class="field"><span class="field-label">Mode</span>
            <select :name="inputName(f) + '-mode'" v-model="model[f.key].mode">
              <option v-for="m in inner(f)" :key="m.name" :value="m.name">{{ m.label }}</option></select></label>
          <p v-if="errors[f.at]" class="error field-error" role="alert" :data-at="f.at">{{ errors[f.at] }}</p>
          <mode-form v-if="innerMode(f)" :ctx="ctx" :mode="innerMode(f)" :model="model[f.key].sub[model[f.key].mode]"
                     :prefix="inputName(f) + '-'" :omit="f.omit" :without="f.without" :errors="errors"></mode-form>
        </fieldset>
        <div v-else class="value-field" :data-field="f.key">
          <field-input :field="f" :id="'f-' + inputName(f)" :name="inputName(f)" v-model="model[f.key]"></field-input>
          <p v-if="errors[f.at]" class="error field-error" role="alert" :data-at="f.at">{{ errors[f.at] }}</p>
        </div>
      </template>
    </div>`,
};
