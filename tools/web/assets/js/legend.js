// The colour bar beside the heat map, with the 32 mmHg reference drawn heavier.
import { $ } from './dom.js';
import { colourOf, REFERENCE_MMHG, SCALE_MAX } from './colour-scale.js';

export function drawLegend() {
  const c = $('legend');
  const dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth, h = c.clientHeight;
  if (!w || !h) return;
  c.width = w * dpr; c.height = h * dpr;
  const ctx = c.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const top = 10, bottom = h - 10, barX = 4, barW = 26;
  const yOf = (v) => bottom - (Math.min(v, SCALE_MAX) / SCALE_MAX) * (bottom - top);
  for (let y = top; y <= bottom; y++) {
    const v = (bottom - y) / (bottom - top) * SCALE_MAX;
    const col = colourOf(v < 1 ? 0 : v);
    ctx.fillStyle = `rgb(${col[0]},${col[1]},${col[2]})`;
    ctx.fillRect(barX, y, barW, 1.5);
  }
  ctx.strokeStyle = '#8c99a6'; ctx.lineWidth = 1; ctx.strokeRect(barX + 0.5, top + 0.5, barW - 1, bottom - top - 1);
  ctx.textBaseline = 'middle';
  for (const v of [0, 10, 20, REFERENCE_MMHG, 50, 75, 100]) {
    const y = yOf(v);
    const ref = v === REFERENCE_MMHG;
    ctx.fillStyle = '#14212e';
    ctx.fillRect(barX + barW, y - (ref ? 1.5 : 0.5), ref ? 12 : 6, ref ? 3 : 1);
    ctx.font = (ref ? 'bold 17px' : '15px') + ' sans-serif';
    ctx.fillText(v === 100 ? '100+' : String(v), barX + barW + (ref ? 15 : 9), y);
  }
  // The reference line across the bar.
  ctx.fillStyle = '#14212e';
  ctx.fillRect(barX, yOf(REFERENCE_MMHG) - 1, barW, 2);
}
