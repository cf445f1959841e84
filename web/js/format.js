// format: numbers, times, durations, parameter values; the metrics the dashboard knows.
export const METRICS = [
  { key: 'cagr', label: 'CAGR' },
  { key: 'max_drawdown', label: 'Max DD' },
  { key: 'win_percentage', label: 'Win %' },
  { key: 'capture_rate', label: 'Capture' },
  { key: 'mar', label: 'MAR' },
  { key: 'pl', label: 'P/L' },
];
export const METRIC_KEYS = METRICS.map((m) => m.key);
export const metricLabel = (k) => (METRICS.find((m) => m.key === k) || { label: k }).label;

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
  return { total, done, pct, eta, failed: c.failed || 0, running: c.running || 0,
           okPct: share((c.completed || 0) + (c.skipped || 0)), failedPct: share(c.failed) };
}

// The best task of a list by a metric (higher is better; drawdowns: closest to zero).
export function bestBy(tasks, metric) {
  const score = (t) => {
    const v = t[metric];
    if (typeof v !== 'number') return null;
    return metric === 'max_drawdown' ? -Math.abs(v) : v;
  };
  let best = null, bestScore = null;
  for (const t of tasks) {
    const s = score(t);
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
