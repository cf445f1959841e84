// format: numbers, times, durations, parameter values; the metrics, from the one list the
// server serves (GET /api/metrics: lua/oo/metrics.lua's key, label, column, format, sense),
// formatted as the command line formats them (lua/oo/metrics.lua's format_value).
import { reactive } from '/vendor/vue/dist/vue.esm-browser.prod.js';

export const METRICS = reactive([]);

// Loads the list once, before the app mounts (an empty list when the server has none).
export async function loadMetrics(api) {
  try {
    const list = await api.metrics();
    METRICS.splice(0, METRICS.length, ...(Array.isArray(list) ? list : []));
  } catch (e) {
    console.error('the list of metrics did not load:', e.message);
  }
}

export const metricOf = (k) => METRICS.find((m) => m.key === k);
export const metricLabel = (k) => (metricOf(k) || { label: k }).label;
// The default results table's metrics, in the list's order.
export const tableMetrics = () => METRICS.filter((m) => m.table);
// The metrics a run can be optimized by (they have a sense).
export const optimizable = () => METRICS.filter((m) => m.sense);
// A metric's value in a task or result row (the store's column).
export function metricValue(row, k) {
  const m = metricOf(k);
  if (!row) return undefined;
  return row[m ? m.column : k];
}

const thousands = (v) => Math.round(Math.abs(v)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// One formatting of a value by its metric's format: money $13,376, pct 12.0% (stored as a
// fraction), ratio 5.88, minutes 42 min, int 505; the analysis' own days (412 days) and month
// ({year, month, pl}: Mar 2021 ($4,210)), as lua/oo/analysis/result.lua's format(); missing "-".
export function formatValue(format, v) {
  if (format === 'month') {
    return v && typeof v === 'object' && MONTHS[v.month - 1] ? `${MONTHS[v.month - 1]} ${v.year} (${formatValue('money', v.pl)})` : '-';
  }
  if (typeof v !== 'number' || !isFinite(v)) return '-';
  switch (format) {
    case 'days': return `${Math.trunc(v)} days`;
    case 'money': return (v < 0 ? '-$' : '$') + thousands(v);
    case 'pct': return (v * 100).toFixed(1) + '%';
    case 'ratio': return v.toFixed(2);
    case 'minutes': return v.toFixed(0) + ' min';
    default: return String(Math.floor(v + 0.5));
  }
}

export const fmtMetric = (k, v) => formatValue((metricOf(k) || {}).format || 'ratio', v);

// A metric's score, higher is better (drawdowns: closest to zero), as lua/oo/metrics.lua's
// score(); null when the value is missing or the metric has no sense.
export function score(k, v) {
  const m = metricOf(k);
  if (!m || !m.sense || typeof v !== 'number' || isNaN(v)) return null;
  return m.sense === 'min_abs' ? -Math.abs(v) : v;
}

export function num(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  const digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : 4;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits });
}

// SQLite's CURRENT_TIMESTAMP is UTC "YYYY-MM-DD HH:MM:SS"; events carry ISO with a Z.
export function parseTime(s) {
  if (!s) return null;
  const iso = /Z$|[+-]\d\d:?\d\d$/.test(s) ? s : s.replace(' ', 'T') + 'Z';
  const d = new Date(iso);
  return isNaN(d) ? null : d;
}

export function when(s) {
  const d = parseTime(s);
  return d ? d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

export function duration(ms) {
  if (ms === null || ms === undefined || !isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

export function valuesText(values) {
  if (!values || typeof values !== 'object') return '';
  return Object.entries(values).map(([k, v]) => `${k}=${v}`).join(', ');
}

// Progress of a run from its counts, and an ETA from how long the done part took.
export function progress(run, now = Date.now()) {
  const c = (run && run.counts) || {};
  const total = c.total || 0;
  const done = (c.completed || 0) + (c.failed || 0) + (c.skipped || 0);
  const pct = total ? Math.round((100 * done) / total) : 0;
  let eta = null;
  const started = parseTime(run && run.started_at);
  if (started && done > 0 && done < total && run.status === 'running') {
    eta = ((now - started.getTime()) / done) * (total - done);
  }
  const share = (n) => (total ? (100 * (n || 0)) / total : 0);
  return { total, done, pct, eta, failed: c.failed || 0, skipped: c.skipped || 0, running: c.running || 0,
           okPct: share((c.completed || 0) + (c.skipped || 0)), failedPct: share(c.failed) };
}

// The best task of a list by a metric, as lua/oo/objective.lua picks it: the highest score, ties
// to the earlier task; tasks without a score never win.
export function bestBy(tasks, metric) {
  let best = null, bestScore = null;
  for (const t of tasks) {
    const s = score(metric, metricValue(t, metric));
    if (s === null) continue;
    if (best === null || s > bestScore) { best = t; bestScore = s; }
  }
  return best;
}

// Compares parameter values for sorting: numbers numerically, "HH:MM" as text.
export function cmp(a, b) {
  const na = a === null || a === undefined, nb = b === null || b === undefined;
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}
