// The session trend: relaxation and heart rate over the session, with markers and pain scores
// as labelled lines. uPlot when it was vendored at build time, a plain canvas otherwise.
import { $ } from './dom.js';
import { messageTimeS, state } from './state.js';

let chart = null;
let fallbackCanvas = null;
const chartBox = $('trend-chart');

export function clearTrend() {
  state.trend = { t: [], relax: [], hr: [] };
  state.markers = [];
}

// quiet: the caller redraws once after adding many (the history on connect).
export function addRelaxPoint(r, quiet) {
  pushTrend(messageTimeS(r), r.state === 'live' && Number.isFinite(r.index) ? r.index : null, undefined);
  if (!quiet) redrawTrend();
}
export function addHrvPoint(v, quiet) {
  if (v.window_kind && v.window_kind !== 'sliding') return;
  pushTrend(messageTimeS(v), undefined, Number.isFinite(v.hr_bpm) ? v.hr_bpm : null);
  if (!quiet) redrawTrend();
}
function pushTrend(t, relax, hr) {
  const tr = state.trend;
  let i = tr.t.length;
  while (i > 0 && tr.t[i - 1] > t) i--;
  tr.t.splice(i, 0, t);
  tr.relax.splice(i, 0, relax === undefined ? null : relax);
  tr.hr.splice(i, 0, hr === undefined ? null : hr);
  if (tr.t.length > 6000) { tr.t.shift(); tr.relax.shift(); tr.hr.shift(); }
}

export function addMarker(marker) {
  state.markers.push(marker);
  if (chart) chart.redraw(false, false);
}

function markerLines(u) {
  const ctx = u.ctx;
  const [x0, x1] = [u.scales.x.min, u.scales.x.max];
  ctx.save();
  ctx.font = `${Math.round(12 * devicePixelRatio)}px sans-serif`;
  let lastX = -Infinity, row = 0;
  for (const m of state.markers) {
    if (m.t < x0 || m.t > x1) continue;
    const x = Math.round(u.valToPos(m.t, 'x', true));
    row = x - lastX < 90 * devicePixelRatio ? (row + 1) % 4 : 0;  // stagger labels that would overlap
    lastX = x;
    ctx.strokeStyle = m.kind === 'pain' ? 'rgba(163,56,28,0.8)' : 'rgba(11,95,138,0.7)';
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fillText(m.label, x + 3 * devicePixelRatio, u.bbox.top + (12 + 14 * row) * devicePixelRatio);
  }
  if (!state.trend.relax.some((v) => v !== null)) {
    ctx.fillStyle = '#5d6b7a';
    ctx.font = `${Math.round(15 * devicePixelRatio)}px sans-serif`;
    ctx.textAlign = 'center';
    const r = state.relax;
    const text = r && r.state === 'baseline' ? 'Relaxation is plotted once the baseline is complete'
      : 'No relaxation readings yet';
    ctx.fillText(text, u.bbox.left + u.bbox.width / 2, u.bbox.top + u.bbox.height / 2);
  }
  ctx.restore();
}

// The axis spans at least 10 minutes, so the first readings do not fill it edge to edge.
function trendRange(min, max) {
  const start = state.sessionStartNs ? state.sessionStartNs / 1e9 : min;
  const lo = Number.isFinite(start) ? Math.min(start, Number.isFinite(min) ? min : start) : Date.now() / 1000;
  const hi = Math.max(Number.isFinite(max) ? max : lo, lo + 600);
  return [lo, hi];
}
function sparse(u, seriesIndex) {
  const values = u.data[seriesIndex] || [];
  let n = 0;
  for (const v of values) if (v !== null && v !== undefined) n++;
  return n < 40;
}

export function makeChart() {
  const width = chartBox.clientWidth, height = Math.max(140, chartBox.clientHeight);
  if (window.uPlot) {
    const axisFont = '14px sans-serif';
    chart = new window.uPlot({
      width, height,
      cursor: { drag: { x: false, y: false } },
      legend: { show: false },
      scales: { x: { time: true, range: (u, min, max) => trendRange(min, max) }, relax: { range: [0, 100] }, hr: { range: (u, min, max) => [Math.min(50, Math.floor((min || 60) - 5)), Math.max(100, Math.ceil((max || 80) + 5))] } },
      series: [
        {},
        { label: 'Relaxation', scale: 'relax', stroke: '#1d8a3e', width: 3, spanGaps: true, points: { show: sparse, size: 7, fill: '#1d8a3e' } },
        { label: 'Heart rate (bpm)', scale: 'hr', stroke: '#c8102e', width: 2, dash: [8, 5], spanGaps: true, points: { show: sparse, size: 5, fill: '#c8102e' } },
      ],
      axes: [
        { font: axisFont, grid: { stroke: '#edf1f4' }, space: 70,
          values: (u, splits) => splits.map((t) => new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })) },
        { scale: 'relax', font: axisFont, grid: { stroke: '#edf1f4' }, splits: () => [0, 25, 50, 75, 100] },
        { scale: 'hr', side: 1, font: axisFont, grid: { show: false }, stroke: '#c8102e' },
      ],
      hooks: { draw: [markerLines] },
    }, [[], [], []], chartBox);
  } else {
    fallbackCanvas = document.createElement('canvas');
    fallbackCanvas.className = 'fallback';
    chartBox.appendChild(fallbackCanvas);
  }
  // Banners come and go and change the space the panels get.
  new ResizeObserver(() => resizeChart()).observe(chartBox);
}

export function redrawTrend() {
  if (!chart && !fallbackCanvas) return;
  const tr = state.trend;
  if (chart) { chart.setData([tr.t, tr.relax, tr.hr]); return; }
  // Plain canvas: relaxation 0-100 over the session.
  const c = fallbackCanvas, dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth, h = c.clientHeight;
  c.width = w * dpr; c.height = h * dpr;
  const ctx = c.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = '#edf1f4'; ctx.fillStyle = '#5d6b7a'; ctx.font = '13px sans-serif';
  for (const v of [0, 50, 100]) {
    const y = h - 16 - v / 100 * (h - 28);
    ctx.beginPath(); ctx.moveTo(32, y); ctx.lineTo(w, y); ctx.stroke();
    ctx.fillText(String(v), 4, y + 4);
  }
  const pts = tr.t.map((t, i) => [t, tr.relax[i]]).filter((p) => p[1] !== null);
  if (pts.length < 2) return;
  const t0 = pts[0][0], t1 = pts[pts.length - 1][0];
  ctx.strokeStyle = '#1d8a3e'; ctx.lineWidth = 3; ctx.beginPath();
  pts.forEach(([t, v], i) => {
    const x = 32 + (t - t0) / Math.max(1, t1 - t0) * (w - 40), y = h - 16 - v / 100 * (h - 28);
    if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
  });
  ctx.stroke();
}

export function resizeChart() {
  if (chart) chart.setSize({ width: chartBox.clientWidth, height: Math.max(140, chartBox.clientHeight) });
  else redrawTrend();
}
