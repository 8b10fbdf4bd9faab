// The session summary panel (schemas/dashboard.md). After session.stop `plinth web` computes
// the stopped session's report with the code of `plinth report`; the panel shows its numbers
// (same keys as the report's data-key) and links it.
import { $ } from './dom.js';
import { state } from './state.js';

// A chosen station's page asks for that station's session only (behind a hub another table's
// session may have stopped last).
const stationQuery = (first) => state.requestedStation ? (first ? '?' : '&') + 'station=' + encodeURIComponent(state.requestedStation) : '';

const SUMMARY_POLL_MS = 1500;
const summary = { timer: null, data: null, epoch: 0 };

export function requestSummary(show) {
  clearTimeout(summary.timer);
  const epoch = summary.epoch;
  if (show) { $('summary-panel').hidden = false; $('summary-panel').dataset.state = 'computing'; $('summary-status').textContent = 'Preparing the summary…'; }
  fetch('/session/summary.json' + stationQuery(true), { cache: 'no-store' })
    .then((r) => r.json())
    .then((s) => { if (epoch === summary.epoch) onSummary(s, show); })
    .catch(() => { if (epoch === summary.epoch) summary.timer = setTimeout(() => requestSummary(show), SUMMARY_POLL_MS * 2); });
}
function onSummary(s, show) {
  const panel = $('summary-panel');
  if (s.state === 'computing') { summary.timer = setTimeout(() => requestSummary(show), SUMMARY_POLL_MS); return; }
  if (s.state !== 'ready') {
    if (s.state === 'error') { panel.dataset.state = 'error'; $('summary-status').textContent = 'No summary: ' + s.error; }
    else if (show) hideSummary(false);
    return;
  }
  summary.data = s;
  $('summary-link').hidden = false;
  renderSummary(s);
  if (show) panel.hidden = false;
}
export function hideSummary(forget) {
  clearTimeout(summary.timer);
  if (forget) summary.epoch++;  // answers to earlier requests are for the session that ended
  $('summary-panel').hidden = true;
  if (forget) { $('summary-link').hidden = true; summary.data = null; }
}
function summaryNumber(key, value, digits) {
  const span = document.createElement('span');
  span.dataset.key = key;
  span.dataset.value = value === null || value === undefined ? '' : String(value);
  span.textContent = value === null || value === undefined ? '–' : Number(value).toFixed(digits);
  return span;
}
function renderSummary(s) {
  const r = s.report;
  const panel = $('summary-panel');
  panel.dataset.state = 'ready';
  panel.dataset.sessionId = s.session_id;
  $('summary-session').textContent = s.session_id + (r.end_state === 'clean' ? '' : ' — did not end cleanly');
  $('summary-line').textContent = r.summary;
  const mat = (r.mats || [])[0];
  const heart = (r.hearts || [])[0];
  const first = heart && heart.comparisons && heart.comparisons[0];
  const tiles = [
    ['Duration', 'duration_min', r.duration_s === null ? null : r.duration_s / 60, 1, 'min'],
    ['Pain first', 'pain.before', r.pain.before, 0, '/ 10'],
    ['Pain last', 'pain.after', r.pain.after, 0, '/ 10'],
  ];
  if (mat) tiles.push(
    ['On the table', 'mat.0.time_on_table_min', mat.time_on_table_s === null ? null : mat.time_on_table_s / 60, 1, 'min'],
    ['Peak pressure, mean', 'mat.0.peak_pressure_mmhg.mean', mat.peak_pressure_mmhg.mean, 0, 'mmHg'],
    ['Peak pressure index, mean', 'mat.0.ppi_mmhg.mean', mat.ppi_mmhg.mean, 0, 'mmHg'],
    ['Contact area, mean', 'mat.0.contact_area_cm2.mean', mat.contact_area_cm2.mean, 0, 'cm²'],
    ['Symmetry, mean', 'mat.0.symmetry_index_pct.mean', mat.symmetry_index_pct.mean, 1, '%'],
    [`≥ ${mat.exposure.threshold_mmhg} mmHg for 5 min+`, 'mat.0.exposure.area_above_5min_cm2', mat.exposure.area_above_5min_cm2, 0, 'cm²']);
  if (first) tiles.push(
    ['Heart rate first', 'heart.0.comparison.0.before.hr_bpm', first.before.hr_bpm, 1, 'bpm'],
    ['Heart rate last', 'heart.0.comparison.0.after.hr_bpm', first.after.hr_bpm, 1, 'bpm'],
    ['RMSSD change', 'heart.0.comparison.0.rmssd_change_pct', first.rmssd_change_pct, 0, '%']);
  tiles.push(['Relaxation at the end', 'relaxation.last_index', r.relaxation.last_index, 0, '/ 100']);
  $('summary-tiles').replaceChildren(...tiles.map(([label, key, value, digits, unit]) => {
    const tile = document.createElement('div');
    tile.className = 'summary-tile';
    const l = document.createElement('div'); l.className = 'tile-label'; l.textContent = label;
    const n = document.createElement('div'); n.className = 'tile-number';
    const u = document.createElement('small'); u.textContent = unit;
    n.append(summaryNumber(key, value, digits), u);
    tile.append(l, n);
    return tile;
  }));
  $('summary-quality').replaceChildren(...(r.quality || []).map((q) => { const li = document.createElement('li'); li.textContent = q; return li; }));
}

export function startSessionSummary() {
  $('summary-open').href = '/session/report.html' + stationQuery(true);
  $('summary-download').href = '/session/report.html?download=1' + stationQuery(false);
  $('summary-close').addEventListener('click', () => hideSummary(false));
  $('summary-link').addEventListener('click', () => { if (summary.data) { renderSummary(summary.data); $('summary-panel').hidden = false; } else requestSummary(true); });
  requestSummary(false);  // a session stopped before this page opened: offer its summary
}
