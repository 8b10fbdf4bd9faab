// The load card: total load, contact area, peak pressure and its index, mean pressure, sway
// and left/right symmetry of the newest metrics (schemas/pressure-metrics.md).
import { $, setText } from './dom.js';
import { fmt } from './format.js';
import { now, state } from './state.js';

const METRICS_REFRESH_MS = 250;  // numbers change 4x a second: readable, not flickering

// Called every display frame; renders only newer metrics, and at most every METRICS_REFRESH_MS.
export function refreshMetrics() {
  if (state.metrics && now() - state.metricsShownAt >= METRICS_REFRESH_MS && state.metricsAt > state.metricsShownAt)
    renderMetrics();
}

function renderMetrics() {
  const m = state.metrics;
  if (!m) return;
  const section = $('metrics');
  setText('m-load', fmt(m.total_load_n));
  setText('m-area', fmt(m.contact_area_cm2));
  setText('m-peak', fmt(m.peak_pressure_mmhg));
  setText('m-ppi', fmt(m.peak_pressure_index_mmhg));
  setText('m-mean', fmt(m.mean_pressure_mmhg));
  const sway = m.sway || {};
  setText('m-sway', fmt(sway.mean_velocity_cm_s, 2));
  setText('m-sway-window', Number.isFinite(sway.window_s) && sway.window_s > 0 ? `· last ${Math.round(sway.window_s)} s` : '');
  const sym = m.symmetry_index_pct;
  setText('m-sym', Number.isFinite(sym) ? (sym > 0 ? '+' : '') + sym.toFixed(1) : '—');
  const dot = $('m-sym-dot');
  if (Number.isFinite(sym) && m.occupied) {
    dot.style.display = 'block';
    // Left heavier (positive index) moves the dot left; ±50 % fills the bar.
    dot.style.left = (50 - Math.max(-50, Math.min(50, sym))) + '%';
  } else {
    dot.style.display = 'none';
  }
  setText('metrics-occupied', m.occupied ? '' : '· nobody on the table');
  section.dataset.deviceSeq = String(m.header ? m.header.device_seq : '');
  section.dataset.seq = String(m.header ? m.header.seq : '');
  state.metricsShownAt = now();
}
