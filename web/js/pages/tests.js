// Tests: the OptionOmega tests worked with; rename one, or delete it from the history (its
// runs and results stay).
import { ref, onMounted } from '/vendor/vue/dist/vue.esm-browser.prod.js';
import { api } from '../api.js';
import { when } from '../format.js';

export default {
  setup() {
    const tests = ref([]), error = ref(''), editing = ref(null), draft = ref(''), loaded = ref(false), deleting = ref(null);
    const load = async () => {
      try { tests.value = await api.tests(); error.value = ''; } catch (e) { error.value = e.message; }
      loaded.value = true;
    };
    onMounted(load);
    const edit = (t) => { editing.value = t.id; draft.value = t.name || ''; };
    const save = async (t) => {
      try {
        const updated = await api.renameTest(t.id, draft.value.trim() || null);
        Object.assign(t, updated);
        editing.value = null;
        error.value = '';
      } catch (e) { error.value = e.message; }
    };
    const remove = async (t) => {
      deleting.value = null;
      try { await api.deleteTest(t.id); await load(); } catch (e) { error.value = e.message; }
    };
    return { tests, error, editing, draft, loaded, deleting, edit, save, remove, when };
  },
  template: `
    <section class="page tests">
      <h2>Tests</h2>
      <p v-if="error" class="error" role="alert">{{ error }}</p>
      <table class="card tests-table" :data-rows="tests.length">
        <thead><tr><th>#</th><th>Name</th><th>URL</th><th>Runs</th><th>Last run</th><th></th></tr></thead>
        <tbody>
          <tr v-for="t in tests" :key="t.id" :data-test-id="t.id">
            <td>{{ t.id }}</td>
            <td class="test-name">
              <form v-if="editing === t.id" @submit.prevent="save(t)" class="inline">
                <input v-model="draft" name="rename" maxlength="200" aria-label="new name">
                <button type="submit" name="save">Save</button>
                <button type="button" class="link" @click="editing = null">cancel</button>
              </form>
              <span v-else>{{ t.name || '(unnamed)' }}</span>
            </td>
            <td class="muted small">{{ t.url }}</td>
            <td>{{ t.run_count }}</td>
            <td>{{ when(t.last_run_at) }}</td>
            <td class="actions">
              <button v-if="editing !== t.id" class="link" @click="edit(t)" data-action="rename">rename</button>
              <button v-if="deleting !== t.id" class="link danger" @click="deleting = t.id" data-action="delete">delete</button>
              <span v-else class="confirm">Remove it from the saved tests (its runs stay)?
                <button class="link danger" @click="remove(t)" data-action="confirm-delete">remove</button>
                <button class="link" @click="deleting = null" data-action="keep">keep</button></span>
            </td>
          </tr>
          <tr v-if="loaded && !tests.length"><td colspan="6" class="muted">no saved tests: a run on a new test URL saves it</td></tr>
        </tbody>
      </table>
    </section>`,
};
