// The pressure map card: the newest frame in the clinical colours, with the centre-of-pressure
// trail, the left/right midline, the CoP and the peak pressure index on top, and the line
// under it (size, frame rate, frame seq).
import { $, setText } from './dom.js';
import { LUT } from './colour-scale.js';
import { messageTimeS, state } from './state.js';

const COP_TRAIL_S = 10;  // centre-of-pressure trail length

const heat = $('heatmap');
const heatCtx = heat.getContext('2d');
const cells = document.createElement('canvas');
const cellsCtx = cells.getContext('2d');
let cellsImage = null;
let layout = { rows: 0, cols: 0, cell: 0, dpr: 1 };

export function addCop(m) {
  const t = messageTimeS(m);
  if (m.occupied && Number.isFinite(m.cop_row_cm) && Number.isFinite(m.cop_col_cm))
    state.cop.push({ t, row: m.cop_row_cm, col: m.cop_col_cm });
  else if (!m.occupied) state.cop.length = 0;
  while (state.cop.length && state.cop[0].t < t - COP_TRAIL_S) state.cop.shift();
}

function fitHeatmap(rows, cols) {
  const wrap = $('map-wrap');
  const availW = wrap.clientWidth;
  const availH = wrap.clientHeight - 44;  // HEAD/FEET labels
  const cell = Math.max(2, Math.min(availW / cols, availH / rows));
  const dpr = window.devicePixelRatio || 1;
  heat.style.width = Math.floor(cols * cell) + 'px';
  heat.style.height = Math.floor(rows * cell) + 'px';
  heat.width = Math.floor(cols * cell * dpr);
  heat.height = Math.floor(rows * cell * dpr);
  if (cells.width !== cols || cells.height !== rows) {
    cells.width = cols; cells.height = rows;
    cellsImage = cellsCtx.createImageData(cols, rows);
  }
  layout = { rows, cols, cell, dpr };
}

// The space for the map changed (window, banners): fit it again and redraw.
export function refitHeatmap() {
  if (layout.rows) fitHeatmap(layout.rows, layout.cols);
  state.frameDirty = true;
}

export function drawFrame() {
  const f = state.frame;
  if (!f || !f.rows || !f.cols || !Array.isArray(f.mmhg)) return;
  if (f.rows !== layout.rows || f.cols !== layout.cols) fitHeatmap(f.rows, f.cols);
  const px = cellsImage.data;
  const values = f.mmhg;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] > 255 ? 255 : values[i];
    const o = v * 4, p = i * 4;
    px[p] = LUT[o]; px[p + 1] = LUT[o + 1]; px[p + 2] = LUT[o + 2]; px[p + 3] = 255;
  }
  cellsCtx.putImageData(cellsImage, 0, 0);
  const { cell, dpr } = layout;
  heatCtx.setTransform(1, 0, 0, 1, 0, 0);
  heatCtx.imageSmoothingEnabled = false;
  heatCtx.drawImage(cells, 0, 0, heat.width, heat.height);
  heatCtx.setTransform(dpr, 0, 0, dpr, 0, 0);
  drawOverlays(f, cell);
  heat.dataset.deviceSeq = String(f.header ? f.header.device_seq : '');
  heat.dataset.frames = String(++state.framesDrawn);
  state.fpsCount++;
}

function drawOverlays(f, cell) {
  const pitch = f.pitch_cm > 0 ? f.pitch_cm : 1;
  const toPx = (cm) => cm / pitch * cell;
  // CoP trail: older points fainter.
  const trail = state.cop;
  if (trail.length > 1) {
    const tEnd = trail[trail.length - 1].t;
    heatCtx.lineCap = 'round';
    for (let i = 1; i < trail.length; i++) {
      const age = (tEnd - trail[i].t) / COP_TRAIL_S;
      heatCtx.strokeStyle = `rgba(0,0,0,${(0.85 * (1 - age)).toFixed(3)})`;
      heatCtx.lineWidth = 3;
      heatCtx.beginPath();
      heatCtx.moveTo(toPx(trail[i - 1].col), toPx(trail[i - 1].row));
      heatCtx.lineTo(toPx(trail[i].col), toPx(trail[i].row));
      heatCtx.stroke();
    }
  }
  const m = state.metrics;
  if (m && m.occupied && Number.isFinite(m.midline_row_cm) && Number.isFinite(m.midline_col_cm)) {
    // The left/right split line: through the contact area's centroid along the body's axis
    // (schemas/pressure-metrics.md §Symmetry); u = (cos, sin) in (row, col).
    const theta = (Number.isFinite(m.axis_angle_deg) ? m.axis_angle_deg : 0) * Math.PI / 180;
    const cx = toPx(m.midline_col_cm), cy = toPx(m.midline_row_cm);
    const reach = 2 * Math.max(heat.width, heat.height);
    const dx = Math.sin(theta) * reach, dy = Math.cos(theta) * reach;
    heatCtx.save();
    heatCtx.setLineDash([8, 6]);
    heatCtx.lineWidth = 2;
    heatCtx.strokeStyle = 'rgba(255,255,255,0.9)';
    heatCtx.beginPath(); heatCtx.moveTo(cx - dx, cy - dy); heatCtx.lineTo(cx + dx, cy + dy); heatCtx.stroke();
    heatCtx.restore();
  }
  if (m && m.occupied && Number.isFinite(m.cop_row_cm)) {
    heatCtx.beginPath();
    heatCtx.arc(toPx(m.cop_col_cm), toPx(m.cop_row_cm), Math.max(6, cell * 0.6), 0, 2 * Math.PI);
    heatCtx.fillStyle = '#ffffff';
    heatCtx.fill();
    heatCtx.lineWidth = 3;
    heatCtx.strokeStyle = '#111';
    heatCtx.stroke();
  }
  if (m && m.ppi_row >= 0 && m.ppi_col >= 0) {
    // The PPI window is 1x2 or 2x1 sensels at 2.54 cm pitch (schemas/pressure-metrics.md);
    // a 2x2 box from its top-left sensel covers both orientations.
    const x = m.ppi_col * cell, y = m.ppi_row * cell, s = 2 * cell;
    heatCtx.lineWidth = 5; heatCtx.strokeStyle = '#fff'; heatCtx.strokeRect(x - 2, y - 2, s + 4, s + 4);
    heatCtx.lineWidth = 3; heatCtx.strokeStyle = '#111'; heatCtx.strokeRect(x - 2, y - 2, s + 4, s + 4);
    heatCtx.font = 'bold 13px sans-serif';
    const labelX = x + s + 8 + 34 < layout.cols * cell ? x + s + 6 : x - 40;
    heatCtx.fillStyle = 'rgba(255,255,255,0.9)';
    heatCtx.fillRect(labelX - 2, y - 2, 34, 18);
    heatCtx.fillStyle = '#111';
    heatCtx.fillText('PPI', labelX + 3, y + 12);
  }
}

export function renderFrameInfo() {
  const f = state.frame;
  if (!f) return;
  const seq = f.header ? f.header.device_seq : '';
  const dropped = state.server ? state.server.dropped : 0;
  setText('frame-info', `${f.rows}×${f.cols} · ${state.fps} fps · frame ${seq}` + (dropped ? ` · ${dropped} stale skipped` : '') +
    (f.suspect ? ' · SUSPECT FRAME' : '') + (f.saturated_count ? ` · ${f.saturated_count} saturated` : ''));
  setText('mat-name', state.mat ? '· ' + state.mat : '');
}
