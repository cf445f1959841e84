// Settings: the login, browsers, timeouts and rate limit. The password can be set or cleared;
// the server keeps it in a file of its own (never in the database) and never sends it back.
import { ref, reactive, onMounted } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api } from '../api.js';

export default {
  setup() {
    const s = reactive({ email: '', browsers: 2, headless: true, timeout_s: null, rate_limit: 10 });
    const password = ref(''), passwordSet = ref(false), error = ref(''), saved = ref(false), loaded = ref(false);
    const fill = (v) => {
      for (const k of Object.keys(s)) s[k] = v[k] ?? (k === 'email' ? '' : null);
      passwordSet.value = !!v.password_set;
    };
    onMounted(async () => {
      try { fill(await api.settings()); } catch (e) { error.value = e.message; }
      loaded.value = true;
    });
    const save = async (extra = {}) => {
      saved.value = false;
      const body = { ...s, ...extra };
      if (password.value) body.password = password.value;
      for (const k of ['browsers', 'timeout_s', 'rate_limit']) if (body[k] === '' || body[k] === undefined) body[k] = null;
      try {
        fill(await api.saveSettings(body));
        password.value = '';
        error.value = '';
        saved.value = true;
      } catch (e) {
        error.value = e.message;
      }
    };
    const clearPassword = () => save({ password: null });
    return { s, password, passwordSet, error, saved, loaded, save, clearPassword };
  },
  template: `
    <section class="page settings">
      <h2>Settings</h2>
      <form class="card" v-if="loaded" @submit.prevent="save()">
        <fieldset><legend>OptionOmega login</legend>
          <label class="field"><span class="field-label">Email</span><input v-model="s.email" name="email" type="email" autocomplete="username"></label>
          <label class="field"><span class="field-label">Password</span>
            <input v-model="password" name="password" type="password" autocomplete="new-password"
                   :placeholder="passwordSet ? 'set (type to replace)' : 'not set'"></label>
          <p class="small muted"><span class="password-state">{{ passwordSet ? 'A password is set.' : 'No password is set.' }}</span>
            It is kept in a file readable by you only, never in the database, and never shown again.
            <button v-if="passwordSet" type="button" class="link" @click="clearPassword" name="clear-password">clear it</button></p>
        </fieldset>
        <fieldset><legend>Browsers and pace</legend>
          <label class="field"><span class="field-label">Browsers at once</span><input v-model.number="s.browsers" name="browsers" type="number" min="1" max="8"></label>
          <label class="field checkbox"><input v-model="s.headless" name="headless" type="checkbox"> <span>Headless (no windows)</span></label>
          <label class="field"><span class="field-label">Timeout of one backtest (s)</span><input v-model.number="s.timeout_s" name="timeout_s" type="number" min="5" max="3600"></label>
          <label class="field"><span class="field-label">Rate limit (backtests per minute, 0 = none)</span><input v-model.number="s.rate_limit" name="rate_limit" type="number" min="0" max="10000"></label>
        </fieldset>
        <p v-if="error" class="error" role="alert">{{ error }}</p>
        <p v-if="saved" class="ok" role="status">Saved.</p>
        <button type="submit" class="primary" name="save">Save</button>
      </form>
    </section>`,
};
