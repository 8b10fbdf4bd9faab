// Plinth dashboard: one WebSocket, the newest message per topic, drawn at the display's
// frame rate. Message format: schemas/dashboard.md. This module routes each message to the
// panel it is for and runs the page's clocks; the panels live in js/.
import { connect } from './js/connection.js';
import { $ } from './js/dom.js';
import { now, state } from './js/state.js';
import { addCop, drawFrame, refitHeatmap, renderFrameInfo } from './js/heat-map.js';
import { drawLegend } from './js/legend.js';
import { refreshMetrics } from './js/metrics-panel.js';
import { renderHeart } from './js/heart-panel.js';
import { renderRelax } from './js/relaxation-panel.js';
import { addHrvPoint, addRelaxPoint, clearTrend, makeChart, redrawTrend, resizeChart } from './js/trend-chart.js';
import { noteSession, renderSession } from './js/session-header.js';
import { renderBanners, renderPills } from './js/device-status.js';
import { onEvent } from './js/events-panel.js';
import { startSessionSummary } from './js/session-summary.js';
import { buildTechniqueButtons, failPendingCommand, finishCommand, startMarkerControls } from './js/marker-controls.js';

function onMessage(m) {
  switch (m.type) {
    case 'hello': state.hello = m; buildTechniqueButtons(m.techniques || []); break;
    case 'history': onHistory(m); break;
    case 'server': state.server = m; state.serverAt = now(); break;
    case 'control_reply': finishCommand(m.id, m.reply || { ok: false, error: 'empty reply' }); break;
    case 'data': onData(m.topic, m.data); break;
  }
}

// The first mat and the first strap seen are the ones shown; the others' messages are ignored.
function isShown(slot, topic, prefix) {
  const id = topic.slice(prefix.length);
  if (state[slot] === null) state[slot] = id;
  return id === state[slot];
}

function onData(topic, d) {
  const h = d.header || {};
  noteSession(h);
  if (topic.startsWith('pressure.frame.')) {
    if (!isShown('mat', topic, 'pressure.frame.')) return;
    state.frame = d; state.frameDirty = true; state.frameAt = now(); state.framesReceived++;
  } else if (topic.startsWith('pressure.metrics.')) {
    if (!isShown('mat', topic, 'pressure.metrics.')) return;
    state.metrics = d; state.metricsAt = now();
    addCop(d);
  } else if (topic.startsWith('heart.beat.')) {
    if (!isShown('strap', topic, 'heart.beat.')) return;
    state.beat = d; state.beatAt = now();
    renderHeart();
  } else if (topic.startsWith('heart.hrv.')) {
    if (!isShown('strap', topic, 'heart.hrv.')) return;
    if (d.window_kind === 'sliding' || !state.hrv) state.hrv = d;
    addHrvPoint(d);
    renderHeart();
  } else if (topic === 'relaxation') {
    state.relax = d; state.relaxAt = now();
    addRelaxPoint(d);
    renderRelax();
  } else if (topic === 'status') {
    state.status = d; state.statusAt = now();
  } else if (topic === 'session.event') {
    onEvent(d);
  }
}

// On connect: the session's events and trend so far, so a page opened late is complete.
function onHistory(m) {
  clearTrend();
  for (const e of m.events || []) onData(e.topic, e.data);
  for (const r of m.relaxation || []) { noteSession(r.data.header || {}); addRelaxPoint(r.data, true); }
  for (const r of m.hrv || []) { noteSession(r.data.header || {}); addHrvPoint(r.data, true); }
  redrawTrend();
}

function animate() {
  if (state.frameDirty) { state.frameDirty = false; drawFrame(); }
  refreshMetrics();
  requestAnimationFrame(animate);
}

function everyHalfSecond() {
  renderSession(); renderPills(); renderBanners(); renderHeart(); renderRelax(); renderFrameInfo();
}

function onResize() {
  refitHeatmap();
  drawLegend();
  resizeChart();
}

if (state.requestedStation) {
  document.title = `Plinth — ${state.requestedStation}`;
  document.body.dataset.readonly = 'true';
  $('control-feedback').textContent = $('control-feedback').dataset.readonlyText;
}
startMarkerControls();
drawLegend();
makeChart();
window.addEventListener('resize', onResize);
// Banners come and go and change the space the map gets.
new ResizeObserver(() => { refitHeatmap(); drawLegend(); }).observe($('map-wrap'));
setInterval(everyHalfSecond, 500);
setInterval(() => { state.fps = state.fpsCount; state.fpsCount = 0; }, 1000);
everyHalfSecond();
requestAnimationFrame(animate);
connect(onMessage, () => failPendingCommand('connection to the dashboard server lost'));
startSessionSummary();
