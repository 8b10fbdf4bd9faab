// The relaxation readout: index 0-100 (50 = as at baseline), its trend and what it is made of
// (schemas/relaxation.md).
import { $, setText } from './dom.js';
import { fmt } from './format.js';
import { now, state } from './state.js';

const RELAX_STALE_MS = 15000;  // relaxation comes every 5 s during a session
const TREND_ARROWS = { '1': '▲', '0': '▶', '-1': '▼' };

export function renderRelax() {
  const r = state.relax;
  const el = $('relax');
  if (!r || now() - state.relaxAt > RELAX_STALE_MS) {
    el.dataset.state = 'absent';
    setText('relax-value', '—');
    setText('relax-trend', '');
    setText('relax-state', r ? 'no recent reading' : 'waiting');
    setText('relax-note', r ? 'No relaxation reading for a while (it comes every 5 s during a session).'
      : 'The readout comes every 5 s during a session.');
    return;
  }
  el.dataset.state = r.state || 'live';
  const live = r.state === 'live' && Number.isFinite(r.index);
  setText('relax-value', live ? fmt(r.index) : r.state === 'baseline' ? '50' : '—');
  const trend = $('relax-trend');
  trend.dataset.trend = live ? String(r.trend) : '';
  setText('relax-trend', live ? (TREND_ARROWS[String(r.trend)] || '') : '');
  setText('relax-state', { live: 'live', settling: 'settling on the table', baseline: 'collecting baseline', no_data: 'no data' }[r.state] || r.state || '');
  const parts = [];
  if (r.note) parts.push(r.note);
  else if (!r.heart_available) parts.push('No heart-rate data: stillness only');
  if (live) {
    const w = Object.fromEntries((r.weights || []).map((x) => [x.name, x.value]));
    const uses = [];
    if (w.parasympathetic > 0) uses.push('HRV (5-min window)');
    if (w.stillness > 0) uses.push('stillness');
    parts.push(uses.length ? uses.join(' + ') : 'no inputs');
  }
  if (r.state === 'baseline') parts.push('index is 50 until the baseline is complete');
  setText('relax-note', parts.join(' · '));
  el.dataset.seq = String(r.header ? r.header.seq : '');
}
