// The heart-rate tiles: the strap's newest beat and HRV (schemas/hrv.md), or why there is none.
import { $, setText } from './dom.js';
import { fmt } from './format.js';
import { now, state } from './state.js';

const HEART_ABSENT_MS = 10000;  // no beat for this long: no heart-rate data

export function renderHeart() {
  const b = state.beat, v = state.hrv;
  const fresh = b && now() - state.beatAt < HEART_ABSENT_MS;
  const heart = $('heart');
  heart.dataset.state = fresh ? 'live' : 'absent';
  setText('h-rate', fresh ? fmt(b.hr_bpm) : '—');
  $('h-rate').dataset.beatIndex = fresh ? String(b.beat_index) : '';
  setText('h-rmssd', fresh && v ? fmt(v.rmssd_ms) : '—');
  setText('h-window', v && Number.isFinite(v.window_s) ? `· ${Math.round(v.window_s)} s window` : '');
  let note;
  if (fresh) {
    // Percent change of RMSSD itself (rmssd_change_pct = 100·(e^Δln − 1)), not of its logarithm.
    const c = v && Number.isFinite(v.rmssd_change_pct) ? v.rmssd_change_pct : null;
    note = `Strap ${state.strap}` + (b.contact === false ? ' · poor skin contact' : '') +
      (c !== null ? ` · RMSSD ${c >= 0 ? '+' : '−'}${Math.abs(c).toFixed(0)} % vs baseline` : '');
  } else {
    const straps = state.status ? (state.status.devices || []).filter((x) => x.kind === 'heart') : [];
    if (straps.length && straps.every((s) => s.state !== 'connected'))
      note = `No heart-rate data: strap ${straps[0].id} is ${straps[0].state}`;
    else if (state.status && !straps.length) note = 'No heart-rate strap configured — relaxation uses stillness only';
    else note = 'No heart-rate data — is the strap worn and connected?';
  }
  setText('heart-note', note);
}
