// oo-sim's front end: a single-page app in the shape of OptionOmega's (Vue with Headless UI),
// served without a build step. It talks to oo-sim's JSON API as the real app talks to its own.
import { createApp, reactive, ref, computed, watch, nextTick, onMounted, onBeforeUnmount } from 'vue'
import { Dialog, DialogPanel, DialogTitle, Switch, SwitchGroup, SwitchLabel, Listbox, ListboxButton,
  ListboxOptions, ListboxOption } from '@headlessui/vue'
import { sections, presets, words } from './schema.js'

const store = reactive({ path: location.pathname, user: null, checked: false, variant: 1, toasts: [], running: null })
const W = computed(() => words(store.variant))

function navigate(path) {
  if (path !== location.pathname) history.pushState({}, '', path)
  store.path = path
  window.scrollTo(0, 0)
}
window.addEventListener('popstate', () => { store.path = location.pathname })

function toast(msg) {
  const t = { id: Math.random(), msg }
  store.toasts.push(t)
  setTimeout(() => { store.toasts = store.toasts.filter(x => x !== t) }, 6000)
}

class ApiError extends Error {}
async function api(method, url, body) {
  let res
  try {
    res = await fetch(url, { method, headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin' })
  } catch (e) {
    throw new ApiError('Network error: ' + e.message)
  }
  if (res.status === 401 && url !== '/api/login') {
    store.user = null
    navigate('/')
    throw new ApiError('Your session has expired. Please sign in again.')
  }
  const type = res.headers.get('content-type') || ''
  const data = type.includes('json') ? await res.json() : await res.text()
  if (res.status === 429) { toast('Too many requests'); throw new ApiError('Too many requests') }
  if (!res.ok) throw new ApiError(typeof data === 'object' && data.error ? data.error : `Request failed (${res.status})`)
  return data
}

// ---- formatting, as OptionOmega shows numbers ---------------------------------------------
const money0 = v => (v < 0 ? '-' : '') + '$' + Math.round(Math.abs(v)).toLocaleString('en-US')
const pct1 = v => (v * 100).toFixed(1) + '%'
const perLot = v => money0(v) + ' / lot'
const isoToUs = s => { const [y, m, d] = s.split('-'); return `${m}/${d}/${y}` }
// MM/DD/YYYY -> YYYY-MM-DD, or null when it is no date of the calendar (02/30/2024)
const usToIso = s => {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s.trim())
  if (!m) return null
  const iso = `${m[3]}-${m[1].padStart(2, '0')}-${m[2].padStart(2, '0')}`
  const d = new Date(iso + 'T00:00:00Z')
  return !isNaN(d) && d.toISOString().slice(0, 10) === iso ? iso : null
}

function getPath(obj, path) { return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj) }
function setPath(obj, path, v) { const ks = path.split('.'); const last = ks.pop(); ks.reduce((o, k) => o[k], obj)[last] = v }

// ---- widgets ---------------------------------------------------------------------------------
const OoListbox = {
  props: { modelValue: null, options: Array, nested: Boolean, bare: Boolean },
  emits: ['update:modelValue'],
  components: { Listbox, ListboxButton, ListboxOptions, ListboxOption },
  template: `
  <Listbox v-if="bare" :modelValue="modelValue" @update:modelValue="v => $emit('update:modelValue', v)">
    <ListboxButton class="selectInput"><span class="truncate">{{ modelValue }}</span><span class="muted">▾</span></ListboxButton>
    <ListboxOptions class="options">
      <ListboxOption v-for="o in options" :key="o" :value="o" v-slot="{ active }" as="template">
        <li :class="{ active }">{{ o }}</li>
      </ListboxOption>
    </ListboxOptions>
  </Listbox>
  <Listbox v-else :modelValue="modelValue" @update:modelValue="v => $emit('update:modelValue', v)">
    <div class="listbox-wrap">
      <ListboxButton :class="nested ? 'selectInput selectInput--nested' : 'selectInput'">
        <span class="truncate">{{ modelValue }}</span><span v-if="!nested" class="muted">▾</span>
      </ListboxButton>
      <ListboxOptions class="options">
        <ListboxOption v-for="o in options" :key="o" :value="o" v-slot="{ active }" as="template">
          <li :class="{ active }">{{ o }}</li>
        </ListboxOption>
      </ListboxOptions>
    </div>
  </Listbox>`,
}

const OoToggle = {
  props: ['label', 'modelValue'],
  emits: ['update:modelValue'],
  components: { Switch, SwitchGroup, SwitchLabel },
  template: `
  <SwitchGroup as="div" class="toggle">
    <Switch :modelValue="modelValue" @update:modelValue="v => $emit('update:modelValue', v)"
            :class="['switch', modelValue ? 'bg-ooGreen' : 'bg-ooGray']"><span class="knob"></span></Switch>
    <SwitchLabel as="span">{{ label }}</SwitchLabel>
  </SwitchGroup>`,
}

// One item of the dialog schema, bound to the configuration (cfg) or to local state (extra).
const OoItem = {
  name: 'OoItem',
  props: ['item', 'cfg', 'extra', 'revealDelay'],
  components: { OoListbox, OoToggle },
  setup(props) {
    const key = () => props.item.label || props.item.text || props.item.name || props.item.kind
    const value = computed({
      get() {
        const it = props.item
        if (it.model) {
          const v = getPath(props.cfg, it.model)
          if (it.lower && typeof v === 'string') return v.charAt(0).toUpperCase() + v.slice(1)
          return v
        }
        const k = key()
        if (!(k in props.extra)) props.extra[k] = it.kind === 'toggle' ? false : it.initial ?? (it.options ? it.options[0] : '')
        return props.extra[k]
      },
      set(v) {
        const it = props.item
        if (it.model) setPath(props.cfg, it.model, it.lower && typeof v === 'string' ? v.toLowerCase() : v)
        else props.extra[key()] = v
      },
    })
    const unit = computed({
      get: () => getPath(props.cfg, props.item.unit),
      set: v => setPath(props.cfg, props.item.unit, v),
    })
    // revealed fields show after the toggle, after a reveal animation (and the slow fault)
    const shown = ref(!!value.value)
    watch(() => value.value, on => {
      if (props.item.kind !== 'toggle') return
      if (!on) { shown.value = false; return }
      if (props.revealDelay > 0) setTimeout(() => { shown.value = !!value.value }, props.revealDelay)
      else shown.value = true
    })
    const onNumber = e => {
      const t = e.target.value.trim()
      const n = Number(t)
      value.value = t === '' || Number.isNaN(n) ? t : n
    }
    const emaLeft = ref('5'), emaRight = ref('15'), maSub = ref(props.item.sub === 'Days' ? '20' : '5')
    return { value, unit, shown, onNumber, emaLeft, emaRight, maSub, minutes: ['1', '2', '5', '10', '15', '30', '60'] }
  },
  template: `
  <div v-if="item.kind === 'row'" class="grid">
    <OoItem v-for="(it, i) in item.items" :key="i" :item="it" :cfg="cfg" :extra="extra" :revealDelay="revealDelay"/>
  </div>
  <div v-else-if="item.kind === 'number'" class="field">
    <label class="label">{{ item.label }}</label>
    <div v-if="item.unit" class="relative inline-flex">
      <input class="input" type="number" step="any" :value="value" @input="onNumber" @change="onNumber">
      <OoListbox v-model="unit" :options="['%', '$', 'Closing Order']" nested/>
    </div>
    <div v-else class="relative">
      <input class="input" type="number" step="any" :value="value" @input="onNumber" @change="onNumber">
      <div v-if="item.suffix" class="append-label">{{ item.suffix }}</div>
    </div>
  </div>
  <div v-else-if="item.kind === 'text'" class="field">
    <label class="label">{{ item.label }}</label>
    <div class="relative"><input class="input" type="text" v-model="value"></div>
  </div>
  <div v-else-if="item.kind === 'time'" class="field">
    <label class="label">{{ item.label }}</label>
    <div class="relative"><input class="input" type="time" step="60" :value="value" @input="e => value = e.target.value" @change="e => value = e.target.value"></div>
  </div>
  <div v-else-if="item.kind === 'time-direct'" class="field">
    <label class="label">{{ item.label }}</label>
    <input class="input" type="time" step="60" :value="value" @input="e => value = e.target.value" @change="e => value = e.target.value">
  </div>
  <div v-else-if="item.kind === 'listbox'" class="field">
    <label class="label">{{ item.label }}</label>
    <div><OoListbox v-model="value" :options="item.options"/></div>
  </div>
  <div v-else-if="item.kind === 'listbox-plain'" class="field">
    <label class="label">Pricing</label>
    <div><OoListbox v-model="value" :options="item.options"/></div>
  </div>
  <div v-else-if="item.kind === 'listbox-bare'" class="field" style="position:relative">
    <label class="label">{{ item.label }}</label>
    <OoListbox v-model="value" :options="item.options" bare/>
  </div>
  <div v-else-if="item.kind === 'native-select'" class="field">
    <label class="label">{{ item.label }}</label>
    <select v-model="value"><option v-for="o in item.options" :key="o">{{ o }}</option></select>
  </div>
  <div v-else-if="item.kind === 'input-select'" class="field">
    <label class="label">{{ item.label }}</label>
    <div class="inline-flex gap-2"><input class="input" type="number" value="0"><select v-model="value"><option v-for="o in item.options" :key="o">{{ o }}</option></select></div>
  </div>
  <div v-else-if="item.kind === 'ema'" class="flex flex-wrap gap-2 items-center">
    <label class="label">{{ item.label }}</label>
    <div><OoListbox v-model="value" :options="['None', 'Crosses Above', 'Crosses Below']"/></div>
    <div class="field"><label class="label">Minutes</label><div><OoListbox v-model="emaLeft" :options="minutes"/></div></div>
    <div class="muted">over</div>
    <div class="field"><label class="label">Minutes</label><div><OoListbox v-model="emaRight" :options="minutes"/></div></div>
  </div>
  <div v-else-if="item.kind === 'ma-exit'" class="flex flex-wrap gap-2 items-center">
    <label class="label">{{ item.label }}</label>
    <div><OoListbox v-model="value" :options="['None', 'Above', 'Below']"/></div>
    <div class="field"><label class="label">{{ item.sub }}</label><div><OoListbox v-model="maSub" :options="item.sub === 'Days' ? ['5', '10', '20', '50', '200'] : minutes"/></div></div>
  </div>
  <div v-else-if="item.kind === 'otm-short-put'" class="inline-flex gap-2">Exit When OTM Short Put is <input class="input w-32" type="number" value="0"> points ITM</div>
  <div v-else-if="item.kind === 'round-strikes'" class="inline-flex gap-2 mt-2">Round Strikes to Nearest <input class="input w-32" type="number" value="5"></div>
  <div v-else-if="item.kind === 'button'"><button type="button" class="btn mt-2">{{ item.text }}</button></div>
  <div v-else-if="item.kind === 'toggle'">
    <OoToggle :label="item.label" v-model="value"/>
    <Transition name="reveal">
      <div v-if="value && shown && item.reveals && item.reveals.length" class="reveal grid">
        <OoItem v-for="(it, i) in item.reveals" :key="i" :item="it" :cfg="cfg" :extra="extra" :revealDelay="revealDelay"/>
      </div>
    </Transition>
  </div>`,
}

const LINK = 'M19.902 4.098a3.75 3.75 0 00-5.304 0l-4.5 4.5a3.75 3.75 0 001.035 6.037.75.75 0 01-.646 1.353 5.25 5.25 0 01-1.449-8.45l4.5-4.5a5.25 5.25 0 117.424 7.424l-1.757 1.757a.75.75 0 11-1.06-1.06l1.757-1.757a3.75 3.75 0 000-5.304zm-7.389 4.267a.75.75 0 011-.353 5.25 5.25 0 011.449 8.45l-4.5 4.5a5.25 5.25 0 11-7.424-7.424l1.757-1.757a.75.75 0 111.06 1.06l-1.757 1.757a3.75 3.75 0 105.304 5.304l4.5-4.5a3.75 3.75 0 00-1.035-6.037.75.75 0 01-.354-1z'
const LOCK = 'M12 1.5a5.25 5.25 0 00-5.25 5.25v3a3 3 0 00-3 3v6.75a3 3 0 003 3h10.5a3 3 0 003-3v-6.75a3 3 0 00-3-3v-3c0-2.9-2.35-5.25-5.25-5.25zm3.75 8.25v-3a3.75 3.75 0 10-7.5 0v3h7.5z'
const XMARK = 'M5.47 5.47a.75.75 0 011.06 0L12 10.94l5.47-5.47a.75.75 0 111.06 1.06L13.06 12l5.47 5.47a.75.75 0 11-1.06 1.06L12 13.06l-5.47 5.47a.75.75 0 01-1.06-1.06L10.94 12 5.47 6.53a.75.75 0 010-1.06z'

const OoLegs = {
  props: ['cfg'],
  components: { OoListbox },
  setup(props) {
    const units = { delta: '±', premium: '$', otm: '%' }
    const unit = computed({
      get: () => units[props.cfg.strikeMode],
      set: v => { props.cfg.strikeMode = Object.keys(units).find(k => units[k] === v) },
    })
    const num = (leg, k, e) => { const n = Number(e.target.value); if (e.target.value.trim() !== '' && !Number.isNaN(n)) leg[k] = n }
    const add = () => props.cfg.legs.push({ side: 'sell', type: 'put', qty: 1, value: 16, dte: 0, linked: false })
    const remove = i => { if (props.cfg.legs.length > 1) props.cfg.legs.splice(i, 1); if (props.cfg.legs[0]) props.cfg.legs[0].linked = false }
    const active = leg => (leg.side === 'sell' ? 'bg-ooRed' : 'bg-ooGreen')
    return { unit, num, add, remove, active, LINK, LOCK, XMARK }
  },
  template: `
  <div class="space-y-4">
    <div v-for="(leg, i) in cfg.legs" :key="i" class="flex flex-wrap gap-2 items-center leg-row">
      <button type="button" :class="['seg', leg.side === 'sell' ? 'bg-ooRed' : '']" @click="leg.side = 'sell'">Sell</button>
      <button type="button" :class="['seg', leg.side === 'buy' ? 'bg-ooGreen' : '']" @click="leg.side = 'buy'">Buy</button>
      <button type="button" :class="['seg', leg.type === 'call' ? active(leg) : '']" @click="leg.type = 'call'">Call</button>
      <button type="button" :class="['seg', leg.type === 'put' ? active(leg) : '']" @click="leg.type = 'put'">Put</button>
      <div class="relative"><input class="input" style="width:80px" type="number" :value="leg.qty" @input="num(leg, 'qty', $event)"><div class="append-label">QTY</div></div>
      <div class="inline-flex input" style="padding:0">
        <input class="bg-transparent w-32" style="padding:6px 8px;color:inherit" type="number" step="any" :value="leg.value" @input="num(leg, 'value', $event)" @change="num(leg, 'value', $event)">
        <OoListbox v-model="unit" :options="['$', '±', '%']" nested/>
      </div>
      <div class="relative"><input class="input" style="width:80px" type="number" :value="leg.dte" @input="num(leg, 'dte', $event)"><div class="append-label">DTE</div></div>
      <button type="button" class="icon-btn" title="Link to the leg above" :disabled="i === 0" @click="leg.linked = !leg.linked">
        <svg viewBox="0 0 24 24" fill="currentColor" :class="leg.linked ? 'text-ooGreen' : ''"><path fill-rule="evenodd" :d="LINK"/></svg>
      </button>
      <button type="button" class="icon-btn" title="Exact strike"><svg viewBox="0 0 24 24" fill="currentColor"><path fill-rule="evenodd" :d="LOCK"/></svg></button>
      <button type="button" class="icon-btn" title="Remove leg" @click="remove(i)"><svg class="text-ooRed" viewBox="0 0 24 24" fill="currentColor"><path fill-rule="evenodd" :d="XMARK"/></svg></button>
      <span v-if="leg.linked" class="muted">linked</span>
    </div>
    <button type="button" class="btn" @click="add">Add Leg</button>
  </div>`,
}

const OoDates = {
  props: ['cfg'],
  setup(props) {
    const last = '2026-11-20'
    const back = days => { const d = new Date(last + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() - days); return d.toISOString().slice(0, 10) }
    const chips = { 'YTD': ['2026-01-02', last], 'Last 30 days': [back(30), last], 'Last 90 days': [back(90), last],
      'Last year': [back(365), last], 'Last 2 years': [back(730), last], 'SPX Dailies': ['2022-05-16', last], 'Covid Crash': ['2020-02-03', '2020-06-30'] }
    // like the real date fields: a date that is none, or outside the data (2013-01-02 to the
    // market's last day), is not taken and the field shows the date it holds again
    const set = (k, e) => {
      const iso = usToIso(e.target.value)
      if (iso && iso >= '2013-01-02' && iso <= last) props.cfg[k] = iso
      else e.target.value = isoToUs(props.cfg[k])
    }
    const pick = c => { props.cfg.startDate = chips[c][0]; props.cfg.endDate = chips[c][1] }
    return { chips, set, pick, isoToUs }
  },
  template: `
  <div>
    <div class="chips"><span v-for="(v, c) in chips" :key="c" class="chip rounded-full" @click="pick(c)">{{ c }}</span></div>
    <div class="grid">
      <div class="field"><label class="label">Start Date</label><input class="input" type="text" :value="isoToUs(cfg.startDate)" @change="set('startDate', $event)"></div>
      <div class="field"><label class="label">End Date</label><div><input class="input" type="text" :value="isoToUs(cfg.endDate)" @change="set('endDate', $event)"></div></div>
    </div>
  </div>`,
}

const BacktestDialog = {
  props: ['open', 'initial', 'reopen'],
  emits: ['close', 'run'],
  components: { Dialog, DialogPanel, DialogTitle, OoItem, OoLegs, OoDates },
  setup(props, { emit }) {
    const cfg = reactive(JSON.parse(JSON.stringify(props.initial)))
    const extra = reactive({})
    const faults = reactive({ renderDelayMs: 0, revealDelayMs: 0, overlayMs: 0, cancelIgnored: false, drift: false })
    const ready = ref(false), overlay = ref(false), cancels = ref(0)
    const secs = computed(() => sections(store.variant))
    let timers = []
    onMounted(async () => {
      try { Object.assign(faults, await api('GET', '/api/app-config?context=dialog' + (props.reopen ? '&reopen=1' : ''))) } catch (e) { /* defaults */ }
      // the drift fault: the reopened dialog holds other values than the last run's (a stop
      // loss 25 higher, commissions switched over), as if changed behind the user's back
      if (faults.drift) { cfg.pl.stopLoss = (Number(cfg.pl.stopLoss) || 0) + 25; cfg.misc.useCommissions = !cfg.misc.useCommissions }
      if (faults.overlayMs > 0) { overlay.value = true; timers.push(setTimeout(() => { overlay.value = false }, faults.overlayMs)) }
      if (faults.renderDelayMs > 0) timers.push(setTimeout(() => { ready.value = true }, faults.renderDelayMs))
      else ready.value = true
    })
    onBeforeUnmount(() => timers.forEach(clearTimeout))
    watch(() => extra['Common Strategies'], p => { if (presets[p]) cfg.legs.splice(0, cfg.legs.length, ...JSON.parse(JSON.stringify(presets[p]))) })
    const cancel = () => {
      if (faults.cancelIgnored && cancels.value++ === 0) return   // the stuck-modal fault
      emit('close')
    }
    const run = () => emit('run', JSON.parse(JSON.stringify(cfg)))
    return { cfg, extra, faults, ready, overlay, secs, cancel, run, W }
  },
  template: `
  <Dialog :open="open" @close="cancel" class="dialog-root">
    <div class="dialog-backdrop" aria-hidden="true"></div>
    <div class="dialog-wrap">
      <DialogPanel class="dialog-panel">
        <DialogTitle class="dialog-title">{{ W.newBacktest }}</DialogTitle>
        <div class="dialog-body">
          <div v-if="!ready" class="muted" style="padding:40px;text-align:center"><div class="spinner"></div>Loading…</div>
          <template v-else>
            <div v-for="s in secs" :key="s.title" class="section">
              <h3>{{ s.title }}</h3>
              <div>
                <template v-for="(it, i) in s.items" :key="i">
                  <OoDates v-if="it.kind === 'dates'" :cfg="cfg"/>
                  <OoLegs v-else-if="it.kind === 'legs'" :cfg="cfg"/>
                  <OoItem v-else :item="it" :cfg="cfg" :extra="extra" :revealDelay="faults.revealDelayMs"/>
                </template>
              </div>
            </div>
          </template>
        </div>
        <div class="dialog-footer flex-shrink-0">
          <button type="button" class="btn" @click="cancel">{{ W.cancel }}</button>
          <button type="button" :class="W.signInClass" @click="run"><span>{{ W.run }}</span></button>
        </div>
      </DialogPanel>
    </div>
    <div v-if="overlay" class="overlay-block">Please wait…</div>
  </Dialog>`,
}

// ---- pages -----------------------------------------------------------------------------------
const Landing = {
  setup() {
    const showForm = ref(false), email = ref(''), password = ref(''), error = ref(''), busy = ref(false)
    const submit = async () => {
      error.value = ''
      busy.value = true
      try {
        const me = await api('POST', '/api/login', { email: email.value, password: password.value })
        store.user = me.email
        navigate('/dashboard')
      } catch (e) { error.value = e.message } finally { busy.value = false }
    }
    return { showForm, email, password, error, busy, submit, W }
  },
  template: `
  <div class="hero">
    <h1 style="font-size:34px">Backtest options strategies in seconds</h1>
    <p>Test SPX, SPY, QQQ and IWM strategies on minute data since 2013.</p>
    <div v-if="!showForm" class="mt-4"><span :class="W.signInClass" @click="showForm = true">{{ W.signIn }}</span></div>
    <div v-else class="card" style="max-width:360px;margin:24px auto;text-align:left">
      <h2>{{ W.signIn }}</h2>
      <form @submit.prevent="submit">
        <div><input type="email" class="input" v-model="email" placeholder="Your email" autocomplete="username"></div>
        <div><input type="password" class="input" v-model="password" placeholder="Password" autocomplete="current-password"></div>
        <p v-if="error" role="alert" class="text-ooRed">{{ error }}</p>
        <button type="submit" :class="W.signInClass" :disabled="busy">{{ W.submit }}</button>
      </form>
    </div>
  </div>`,
}

const Dashboard = {
  setup() {
    const tests = ref(null)
    onMounted(async () => { try { tests.value = await api('GET', '/api/tests') } catch (e) { toast(e.message) } })
    const go = (e, t) => { e.preventDefault(); navigate(t.url) }
    return { tests, go }
  },
  template: `
  <div class="container">
    <h1>Backtests</h1>
    <div class="card">
      <table>
        <thead><tr><th>Name</th><th>Ticker</th><th class="right">Id</th></tr></thead>
        <tbody>
          <tr v-for="t in tests || []" :key="t.id">
            <td><a :href="t.url" @click="go($event, t)">{{ t.name }}</a></td><td>{{ t.ticker }}</td><td class="right muted">{{ t.id }}</td>
          </tr>
        </tbody>
      </table>
      <p v-if="tests === null" class="muted">Loading…</p>
    </div>
  </div>`,
}

function drawEquity(canvas, equity) {
  if (!canvas || !equity || !equity.length) return
  const dpr = window.devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight
  canvas.width = w * dpr; canvas.height = h * dpr
  const g = canvas.getContext('2d'); g.scale(dpr, dpr)
  const vals = equity.map(p => p[1]), lo = Math.min(...vals), hi = Math.max(...vals), pad = 30
  const x = i => pad + (w - 2 * pad) * i / Math.max(1, vals.length - 1), y = v => h - pad - (h - 2 * pad) * (v - lo) / Math.max(1e-9, hi - lo)
  g.strokeStyle = '#374151'; g.lineWidth = 1
  for (let k = 0; k <= 4; k++) { const yy = pad + (h - 2 * pad) * k / 4; g.beginPath(); g.moveTo(pad, yy); g.lineTo(w - pad, yy); g.stroke() }
  g.fillStyle = '#9ca3af'; g.font = '11px system-ui'; g.fillText(money0(hi), 4, pad - 6); g.fillText(money0(lo), 4, h - 8)
  g.fillText(equity[0][0], pad, h - 8); g.fillText(equity[equity.length - 1][0], w - pad - 64, h - 8)
  g.strokeStyle = vals[vals.length - 1] >= vals[0] ? '#22c55e' : '#ef4444'; g.lineWidth = 2; g.beginPath()
  vals.forEach((v, i) => (i ? g.lineTo(x(i), y(v)) : g.moveTo(x(i), y(v)))); g.stroke()
}

const Results = {
  props: ['testId', 'btId', 'testName'],
  emits: ['again'],
  setup(props) {
    const res = ref(null), trades = ref(null), tab = ref('summary'), canvas = ref(null)
    const load = async () => {
      res.value = null; trades.value = null
      try {
        res.value = await api('GET', `/api/backtests/${props.btId}/results`)
        await nextTick(); drawEquity(canvas.value, res.value.equity)
      } catch (e) { toast(e.message) }
    }
    onMounted(load)
    watch(() => props.btId, load)
    watch(tab, async t => {
      if (t === 'log' && !trades.value) { try { trades.value = await api('GET', `/api/backtests/${props.btId}/trades`) } catch (e) { toast(e.message) } }
      if (t === 'summary') { await nextTick(); drawEquity(canvas.value, res.value && res.value.equity) }
    })
    const m = computed(() => res.value && res.value.metrics)
    const rows = computed(() => {
      const x = m.value
      if (!x) return []
      const sg = Math.sign
      return [['P/L', money0(x.pl), sg(x.pl)], ['CAGR', pct1(x.cagr), sg(x.cagr)], ['Max Drawdown', pct1(x.maxDrawdown), sg(x.maxDrawdown)],
        ['MAR Ratio', x.mar.toFixed(2), sg(x.mar)], ['Win Percentage', pct1(x.winPercentage), 0], ['Total Premium', money0(x.totalPremium), 0],
        ['Capture Rate', pct1(x.captureRate), sg(x.captureRate)], ['Starting Capital', money0(x.startingCapital), 0],
        ['Ending Capital', money0(x.endingCapital), sg(x.endingCapital - x.startingCapital)], ['Trades', String(x.trades), 0],
        ['Winners', String(x.winners), 0], ['Avg Per Trade', perLot(x.avgPerTrade), sg(x.avgPerTrade)], ['Avg Winner', perLot(x.avgWinner), sg(x.avgWinner)],
        ['Avg Loser', perLot(x.avgLoser), sg(x.avgLoser)], ['Max Winner', money0(x.maxWinner), sg(x.maxWinner)], ['Max Loser', money0(x.maxLoser), sg(x.maxLoser)],
        ['Avg Minutes In Trade', String(Math.round(x.avgMinutesInTrade)), 0]]
    })
    const c = computed(() => res.value && res.value.config)
    const on = (b, s) => (b ? [s] : [])
    const entryList = computed(() => { const e = c.value.entry; return [`Entry Time ${e.time}`, `Frequency ${e.frequency}`,
      ...on(e.useVix, `VIX ${e.minVix}-${e.maxVix}`), ...on(e.useTechnicalIndicators, `RSI ${e.minRsi}-${e.maxRsi}`),
      ...on(e.useGaps, 'Gap filter'), ...on(e.useIntradayMovement, 'Intraday movement filter')] })
    const exitList = computed(() => { const p = c.value.pl, x = c.value.exit; return [`Profit Target ${p.profitTarget}${p.profitTargetUnit}`,
      p.stopLoss ? `Stop Loss ${p.stopLoss}${p.stopLossUnit}` : 'No Stop Loss', ...on(x.useEarlyExit, `Early Exit ${x.earlyExitTime}`),
      ...on(x.useUnderlyingMovement, `Underlying Movement ${x.exitMoveUp}% up / ${x.exitMoveDown}% down`),
      ...on(x.useShortLongRatio, `S/L Ratio below ${x.exitSlRatioBelow} / above ${x.exitSlRatioAbove}`), ...on(x.useDelta, 'Delta exit')] })
    const miscList = computed(() => { const x = c.value.misc, f = c.value.funds; return [`Margin Allocation ${f.marginAllocationPct}%`,
      ...on(x.useCommissions, `Commissions $${x.openingCommission} / $${x.closingCommission}`), ...on(x.useSlippage, `Slippage $${x.entrySlippage}`),
      ...on(x.useEntryShortLongRatio, `Entry S/L Ratio ${x.minEntrySlRatio}-${x.maxEntrySlRatio}`),
      ...on(x.useMinMaxEntryPremium, `Entry Premium $${x.minEntryPremium}-$${x.maxEntryPremium}`), ...on(x.reEnterTrades, 'Re-Enter Trades')] })
    const cols = ['Date Opened', 'Time Opened', 'Legs', 'Premium', 'Date Closed', 'Time Closed', 'Reason For Close', 'P/L', 'No. of Contracts']
    const csvUrl = computed(() => `/api/backtests/${props.btId}/tradelog.csv`)
    return { res, m, rows, c, tab, canvas, trades, entryList, exitList, miscList, cols, csvUrl, W, isoToUs }
  },
  template: `
  <div v-if="res">
    <div class="tabs" role="tablist">
      <button class="tab" role="tab" :aria-selected="tab === 'summary'" @click="tab = 'summary'">{{ W.summary }}</button>
      <button class="tab" role="tab" :aria-selected="tab === 'log'" @click="tab = 'log'">{{ W.tradeLog }}</button>
    </div>
    <div v-if="tab === 'summary'">
      <dl class="metrics">
        <div v-for="r in rows" :key="r[0]" :class="r[0] === 'P/L' ? (m.pl >= 0 ? 'bg-ooGreen' : 'bg-ooRed') : ''">
          <dt>{{ r[0] }}</dt><dd>{{ r[1] }}</dd>
          <span v-if="r[0] !== 'P/L'" :class="['indicator', r[2] > 0 ? 'bg-ooGreen' : r[2] < 0 ? 'bg-ooRed' : 'bg-ooGray']"></span>
        </div>
      </dl>
      <div class="card mt-4"><canvas ref="canvas" class="equity"></canvas></div>
      <div class="card mt-4">
        <dl class="summary">
          <dt>Underlying</dt><dd>{{ c.ticker }}</dd>
          <dt>Dates</dt><dd>{{ isoToUs(c.startDate) }} - {{ isoToUs(c.endDate) }}</dd>
          <dt>Legs</dt><dd><table><tbody><tr v-for="(l, i) in c.legs" :key="i"><td>{{ l.side }}</td><td>{{ l.qty }}</td><td>{{ l.type }}</td>
            <td>{{ l.linked ? 'linked ' : '' }}{{ l.value }}{{ c.strikeMode === 'delta' ? 'Δ' : c.strikeMode === 'otm' ? '%' : '$' }}</td><td>{{ l.dte }} DTE</td></tr></tbody></table></dd>
          <dt>Entry</dt><dd><ul><li v-for="x in entryList" :key="x">{{ x }}</li></ul></dd>
          <dt>Exit</dt><dd><ul><li v-for="x in exitList" :key="x">{{ x }}</li></ul></dd>
          <dt>Misc</dt><dd><ul><li v-for="x in miscList" :key="x">{{ x }}</li></ul></dd>
        </dl>
      </div>
    </div>
    <div v-else class="card">
      <div class="flex items-center" style="justify-content:space-between;margin-bottom:10px">
        <span class="muted">{{ m.trades }} trades</span>
        <a :href="csvUrl" download class="btn-outline">{{ W.download }}</a>
      </div>
      <div class="scroll-x"><table>
        <thead><tr><th v-for="k in cols" :key="k">{{ k }}</th></tr></thead>
        <tbody><tr v-for="(t, i) in (trades || []).slice(0, 500)" :key="i"><td v-for="k in cols" :key="k">{{ t[k] }}</td></tr></tbody>
      </table></div>
    </div>
  </div>
  <p v-else class="muted">Loading results…</p>`,
}

const TestPage = {
  components: { BacktestDialog, Results },
  setup() {
    const test = ref(null), dialog = ref(false), last = ref(null)
    const parts = computed(() => store.path.split('/'))   // ['', 'test', id, 'backtests', btid]
    const testId = computed(() => parts.value[2]), btId = computed(() => parts.value[4])
    const load = async () => {
      try { test.value = await api('GET', `/api/tests/${testId.value}`) } catch (e) { toast(e.message) }
    }
    onMounted(load)
    watch(testId, load)
    // the dialog reopens with the last run's values (what OptionOmega's does is not recorded: the
    // engine checks every field of a reopened dialog either way)
    const initial = computed(() => last.value || (test.value && test.value.config))
    const reopen = computed(() => !!last.value)
    const run = async cfg => {
      dialog.value = false
      last.value = cfg
      store.running = W.value.running
      try {
        const bt = await api('POST', `/api/tests/${testId.value}/backtests`, cfg)
        for (;;) {
          await new Promise(r => setTimeout(r, 250))          // poll the backtest, as the real app does
          const st = await api('GET', `/api/backtests/${bt.id}`)
          if (st.status === 'done') { navigate(`/test/${testId.value}/backtests/${bt.id}`); break }
          if (st.status === 'error') { toast(st.error || 'Backtest failed'); break }
        }
      } catch (e) { if (e.message !== 'Too many requests') toast(e.message) } finally { store.running = null }
    }
    return { test, dialog, initial, reopen, run, btId, testId, W }
  },
  template: `
  <div class="container" v-if="test">
    <div id="message-heading">
      <div><span style="font-size:22px;font-weight:700">{{ test.name }}</span>
        <div class="muted">{{ test.config.ticker }} · {{ test.config.legs.length }} legs · {{ test.config.startDate }} to {{ test.config.endDate }}</div></div>
      <div class="inline-flex gap-2">
        <button class="icon-btn inline-flex" type="button"><svg class="h-5 w-5 link-icon" viewBox="0 0 24 24" fill="currentColor"><path d="M6 3h12v18l-6-4-6 4z"/></svg><span class="tooltip">Save</span></button>
      </div>
    </div>
    <div :class="W.newBtnWrap"><button type="button" :class="W.signInClass" @click="dialog = true">{{ W.newBacktest }}</button></div>
    <Results v-if="btId" :testId="testId" :btId="btId" :key="btId"/>
    <div v-else class="card mt-4"><p class="muted">Run a backtest to see its results.</p></div>
    <BacktestDialog v-if="dialog" :open="dialog" :initial="initial" :reopen="reopen" @close="dialog = false" @run="run"/>
  </div>`,
}

const App = {
  components: { Landing, Dashboard, TestPage },
  setup() {
    onMounted(async () => {
      try { store.variant = (await api('GET', '/api/app-config')).variant || 1 } catch (e) { /* 1 */ }
      try { store.user = (await api('GET', '/api/me')).email } catch (e) { store.user = null }
      store.checked = true
    })
    const view = computed(() => {
      if (!store.checked) return null
      if (store.path.startsWith('/test/')) return 'TestPage'
      if (store.path === '/dashboard') return 'Dashboard'
      return 'Landing'
    })
    const logout = async () => { try { await api('POST', '/api/logout') } catch (e) { /* already out */ } store.user = null; navigate('/') }
    const home = e => { e.preventDefault(); navigate(store.user ? '/dashboard' : '/') }
    return { store, view, logout, home }
  },
  template: `
  <div>
    <nav class="nav">
      <a href="/" class="brand" @click="home">Option <b>Omega</b></a>
      <div v-if="store.user" class="inline-flex gap-2"><span class="muted">{{ store.user }}</span><button class="btn" @click="logout">Sign out</button></div>
    </nav>
    <component :is="view" v-if="view"/>
    <div v-if="store.running" class="popup"><div class="box"><div class="spinner"></div><div style="font-weight:600">{{ store.running }}</div><div class="muted">This may take a moment…</div></div></div>
    <div class="toasts"><div v-for="t in store.toasts" :key="t.id" class="toast" role="alert">{{ t.msg }}</div></div>
  </div>`,
}

createApp(App).mount('#app')
