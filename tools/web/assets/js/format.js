// How numbers and times read on the page.
export const TIME_FORMAT = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };

export function fmt(v, digits) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return digits ? v.toFixed(digits) : String(Math.round(v));
}

// Elapsed seconds as [h:]mm:ss.
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600), mm = Math.floor(s / 60) % 60, ss = s % 60;
  return (hh ? hh + ':' : '') + String(mm).padStart(2, '0') + ':' + String(ss).padStart(2, '0');
}
