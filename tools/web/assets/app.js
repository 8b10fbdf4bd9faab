// Plinth dashboard: one WebSocket, the newest message per topic, drawn at the display's
// frame rate. Message format: schemas/dashboard.md.
'use strict';

(function () {
  const STALE_FRAME_MS = 2000;      // no pressure frame for this long: the stream is stale
  const STALE_STATUS_MS = 3500;     // status comes once a second
  const HEART_ABSENT_MS = 10000;    // no beat for this long: no heart-rate data
  const RELAX_STALE_MS = 15000;     // relaxation comes every 5 s during a session
  const COP_TRAIL_S = 10;           // centre-of-pressure trail length
  const METRICS_REFRESH_MS = 250;   // numbers change 4x a second: readable, not flickering
  const CONTROL_TIMEOUT_MS = 9000;  // the server gives up on the daemon after 6 s

  const $ = (id) => document.getElementById(id);
  const now = () => performance.now();

  // ---- Fixed clinical colour scale (mmHg) -------------------------------------------------
  // Blue -> green at 32 mmHg (the capillary-closing reference) -> yellow -> red at 100+.
  const SCALE_MAX = 100;
  const REFERENCE_MMHG = 32;
  const STOPS = [
    [1, [38, 62, 168]], [10, [30, 110, 214]], [20, [22, 170, 214]], [32, [40, 178, 74]],
    [50, [240, 210, 40]], [75, [242, 135, 28]], [100, [215, 25, 28]], [150, [128, 0, 16]],
  ];
  const EMPTY = [223, 229, 235];  // below 1 mmHg: no contact
  function colourOf(v) {
    if (v < STOPS[0][0]) return EMPTY;
    for (let i = 1; i < STOPS.length; i++) {
      const [v1, c1] = STOPS[i];
      if (v <= v1) {
        const [v0, c0] = STOPS[i - 1];
        const t = (v - v0) / (v1 - v0);
        return c0.map((c, k) => Math.round(c + (c1[k] - c) * t));
      }
    }
    return STOPS[STOPS.length - 1][1];
  }
  // One entry per whole mmHg (the server sends whole mmHg); 255 stands for everything above.
  const LUT = new Uint8ClampedArray(256 * 4);
  for (let v = 0; v < 256; v++) {
    const c = colourOf(v);
    LUT.set([c[0], c[1], c[2], 255], v * 4);
  }

  // ---- State --------------------------------------------------------------------------------
  const state = {
    ws: null, link: 'connecting', reconnectDelay: 500, hello: null, server: null, serverAt: 0,
    mat: null,                 // the mat shown (first seen)
    frame: null, frameDirty: false, frameAt: 0, framesReceived: 0, framesDrawn: 0, fpsCount: 0, fps: 0,
    metrics: null, metricsShownAt: 0, metricsAt: 0,
    cop: [],                   // [{t, row_cm, col_cm}] last COP_TRAIL_S seconds
    status: null, statusAt: 0,
    strap: null, beat: null, beatAt: 0, hrv: null,
    relax: null, relaxAt: 0,
    sessionId: '', sessionStartNs: null,
    trend: { t: [], relax: [], hr: [] }, markers: [],
    events: [],
    nextCommandId: 1, pending: null,
  };

  // ---- WebSocket ----------------------------------------------------------------------------
  function connect() {
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    const ws = new WebSocket(url);
    state.ws = ws;
    state.link = 'connecting';
    ws.onopen = () => { state.link = 'open'; state.reconnectDelay = 500; };
    ws.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      onMessage(message);
    };
    ws.onclose = () => {
      state.link = 'closed';
      state.server = null;
      if (state.pending) finishCommand(state.pending.id, { ok: false, error: 'connection to the dashboard server lost' });
      setTimeout(connect, state.reconnectDelay);
      state.reconnectDelay = Math.min(5000, state.reconnectDelay * 2);
    };
  }

  function onMessage(m) {
    switch (m.type) {
      case 'hello': state.hello = m; buildTechniqueButtons(m.techniques || []); break;
      case 'history': onHistory(m); break;
      case 'server': state.server = m; state.serverAt = now(); break;
      case 'control_reply': finishCommand(m.id, m.reply || { ok: false, error: 'empty reply' }); break;
      case 'data': onData(m.topic, m.data); break;
    }
  }

  function deviceOf(topic, prefix) { return topic.slice(prefix.length); }

  function onData(topic, d) {
    const h = d.header || {};
    noteSession(h);
    if (topic.startsWith('pressure.frame.')) {
      const id = deviceOf(topic, 'pressure.frame.');
      if (state.mat === null) state.mat = id;
      if (id !== state.mat) return;
      state.frame = d; state.frameDirty = true; state.frameAt = now(); state.framesReceived++;
    } else if (topic.startsWith('pressure.metrics.')) {
      const id = deviceOf(topic, 'pressure.metrics.');
      if (state.mat === null) state.mat = id;
      if (id !== state.mat) return;
      state.metrics = d; state.metricsAt = now();
      addCop(d);
    } else if (topic.startsWith('heart.beat.')) {
      const id = deviceOf(topic, 'heart.beat.');
      if (state.strap === null) state.strap = id;
      if (id !== state.strap) return;
      state.beat = d; state.beatAt = now();
      renderHeart();
    } else if (topic.startsWith('heart.hrv.')) {
      const id = deviceOf(topic, 'heart.hrv.');
      if (state.strap === null) state.strap = id;
      if (id !== state.strap) return;
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

  // A session id starts with its UTC start time (schemas/archive-layout.md: 20261123T091500Z-7f3a).
  function sessionIdStartNs(id) {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(id || '');
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) * 1e6 : null;
  }

  function noteSession(h) {
    if (!h.session_id || h.session_id === state.sessionId) return;
    state.sessionId = h.session_id;
    // The page may open long after the start: the id says when it was (session.start, if it is
    // in the history, gives the exact time).
    state.sessionStartNs = sessionIdStartNs(h.session_id) || h.host_time_ns || null;
    state.trend = { t: [], relax: [], hr: [] };
    state.markers = [];
    redrawTrend();
  }

  function onHistory(m) {
    state.trend = { t: [], relax: [], hr: [] };
    state.markers = [];
    for (const e of m.events || []) onData(e.topic, e.data);
    for (const r of m.relaxation || []) { noteSession(r.data.header || {}); addRelaxPoint(r.data, true); }
    for (const r of m.hrv || []) { noteSession(r.data.header || {}); addHrvPoint(r.data, true); }
    redrawTrend();
  }

  // ---- Centre-of-pressure trail --------------------------------------------------------------
  function addCop(m) {
    const t = (m.header && m.header.host_time_ns) ? m.header.host_time_ns / 1e9 : Date.now() / 1000;
    if (m.occupied && Number.isFinite(m.cop_row_cm) && Number.isFinite(m.cop_col_cm))
      state.cop.push({ t, row: m.cop_row_cm, col: m.cop_col_cm });
    else if (!m.occupied) state.cop.length = 0;
    while (state.cop.length && state.cop[0].t < t - COP_TRAIL_S) state.cop.shift();
  }

  // ---- Heat map -----------------------------------------------------------------------------
  const heat = $('heatmap');
  const heatCtx = heat.getContext('2d');
  const cells = document.createElement('canvas');
  const cellsCtx = cells.getContext('2d');
  let cellsImage = null;
  let layout = { rows: 0, cols: 0, cell: 0, dpr: 1 };

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

  function drawFrame() {
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

  function drawLegend() {
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

  // ---- Numbers ------------------------------------------------------------------------------
  function fmt(v, digits) {
    if (v === null || v === undefined || !Number.isFinite(v)) return '—';
    return digits ? v.toFixed(digits) : String(Math.round(v));
  }
  function setText(id, text) { const el = $(id); if (el.textContent !== text) el.textContent = text; }

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

  function renderHeart() {
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

  const TREND_ARROWS = { '1': '▲', '0': '▶', '-1': '▼' };
  function renderRelax() {
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

  // ---- Session, status, banners -------------------------------------------------------------
  const TIME_FORMAT = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const hh = Math.floor(s / 3600), mm = Math.floor(s / 60) % 60, ss = s % 60;
    return (hh ? hh + ':' : '') + String(mm).padStart(2, '0') + ':' + String(ss).padStart(2, '0');
  }

  function renderSession() {
    const st = state.status;
    const el = $('session');
    const statusFresh = st && now() - state.statusAt < STALE_STATUS_MS;
    const recording = statusFresh && st.state === 'recording';
    el.dataset.state = !statusFresh ? 'unknown' : st.state;
    setText('session-state', !st ? 'Waiting for the daemon…' : recording ? 'Recording' : st.state === 'idle' ? 'No session' : st.state);
    setText('session-clock', recording && state.sessionStartNs ? clock(Date.now() / 1000 - state.sessionStartNs / 1e9) : '');
    setText('session-id', recording && state.sessionId ? state.sessionId : '');
  }

  function pill(id, label, level, title) {
    let el = $(id);
    if (!el) {
      el = document.createElement('span');
      el.className = 'pill'; el.id = id;
      $('pills').appendChild(el);
    }
    el.dataset.level = level;
    el.title = title || '';
    if (el.textContent !== label) el.textContent = label;
  }

  function renderPills() {
    pill('pill-link', 'Dashboard link', state.link === 'open' ? 'ok' : state.link === 'connecting' ? 'warn' : 'bad');
    const statusFresh = state.status && now() - state.statusAt < STALE_STATUS_MS;
    pill('pill-daemon', 'Daemon', statusFresh ? 'ok' : 'bad');
    const devices = state.status ? state.status.devices || [] : [];
    const seen = new Set();
    for (const d of devices) {
      const id = 'pill-dev-' + d.id;
      seen.add(id);
      const level = !statusFresh ? 'warn' : d.state === 'connected' ? 'ok' : 'bad';
      pill(id, `${d.kind === 'heart' ? '♥ ' : ''}${d.id}`, level, `${d.kind} ${d.driver} on ${d.port}: ${d.state}`);
    }
    for (const el of [...$('pills').children]) if (el.id.startsWith('pill-dev-') && !seen.has(el.id)) el.remove();
  }

  function currentBanners() {
    const out = [];
    if (state.link !== 'open') {
      out.push({ kind: 'link', level: 'bad', text: 'Dashboard server not reachable', small: 'reconnecting… (is plinth web running?)' });
      return out;
    }
    const server = state.server;
    const ageMs = server ? server.data_age_ms : null;
    const endpoint = state.hello ? state.hello.data_endpoint : 'the data endpoint';
    if (server && (ageMs === null || ageMs > STALE_FRAME_MS)) {
      out.push({ kind: 'daemon', level: 'bad',
        text: ageMs === null ? 'No data from the daemon' : `No data from the daemon for ${Math.round(ageMs / 1000)} s`,
        small: `is plinthd running? (${endpoint})` });
      return out;
    }
    const statusFresh = state.status && now() - state.statusAt < STALE_STATUS_MS;
    const devices = statusFresh ? state.status.devices || [] : [];
    for (const d of devices) {
      if (d.state === 'connected') continue;
      const what = d.kind === 'heart' ? 'HEART-RATE STRAP' : 'MAT';
      const why = d.state === 'searching' ? 'unplugged or not found — searching for it' : d.state === 'lost' ? 'connection lost' : d.state;
      out.push({ kind: 'device', device: d.id, level: 'bad', text: `${what} ${d.id} ${d.state.toUpperCase()}`, small: `${why} (${d.port})` });
    }
    const matDown = devices.some((d) => d.id === state.mat && d.state !== 'connected');
    if (state.mat && !matDown && now() - state.frameAt > STALE_FRAME_MS) {
      const s = state.frameAt ? Math.round((now() - state.frameAt) / 1000) : null;
      out.push({ kind: 'stale', device: state.mat, level: 'bad',
        text: s ? `No pressure frames from ${state.mat} for ${s} s` : `No pressure frames from ${state.mat}`, small: 'the picture is not live' });
    }
    if (state.status && !statusFresh)
      out.push({ kind: 'status', level: 'warn', text: 'No status from the daemon', small: 'device states are unknown' });
    const archiveError = statusFresh && state.status.archive && state.status.archive.error;
    if (archiveError) out.push({ kind: 'archive', level: 'warn', text: 'Session is NOT being archived', small: archiveError });
    return out;
  }

  function renderBanners() {
    const list = currentBanners();
    const box = $('banners');
    const key = JSON.stringify(list);
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.replaceChildren(...list.map((b) => {
      const el = document.createElement('div');
      el.className = 'banner';
      el.dataset.kind = b.kind;
      el.dataset.level = b.level;
      if (b.device) el.dataset.device = b.device;
      el.append(b.text);
      if (b.small) { const s = document.createElement('small'); s.textContent = '— ' + b.small; el.append(s); }
      return el;
    }));
    const stale = list.some((b) => b.kind !== 'archive' && b.kind !== 'status' && (b.kind !== 'device' || b.device === state.mat));
    $('map-wrap').dataset.stale = String(stale);
    $('metrics').dataset.stale = String(stale);
    $('map-stale').hidden = !stale;
  }

  function renderFrameInfo() {
    const f = state.frame;
    if (!f) return;
    const seq = f.header ? f.header.device_seq : '';
    const dropped = state.server ? state.server.dropped : 0;
    setText('frame-info', `${f.rows}×${f.cols} · ${state.fps} fps · frame ${seq}` + (dropped ? ` · ${dropped} stale skipped` : '') +
      (f.suspect ? ' · SUSPECT FRAME' : '') + (f.saturated_count ? ` · ${f.saturated_count} saturated` : ''));
    setText('mat-name', state.mat ? '· ' + state.mat : '');
  }

  // ---- Trend chart (uPlot when vendored, plain canvas otherwise) ----------------------------
  function addRelaxPoint(r, quiet) {
    const t = r.header && r.header.host_time_ns ? r.header.host_time_ns / 1e9 : Date.now() / 1000;
    pushTrend(t, r.state === 'live' && Number.isFinite(r.index) ? r.index : null, undefined);
    if (!quiet) redrawTrend();
  }
  function addHrvPoint(v, quiet) {
    if (v.window_kind && v.window_kind !== 'sliding') return;
    const t = v.header && v.header.host_time_ns ? v.header.host_time_ns / 1e9 : Date.now() / 1000;
    pushTrend(t, undefined, Number.isFinite(v.hr_bpm) ? v.hr_bpm : null);
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

  let chart = null;
  let fallbackCanvas = null;
  const chartBox = $('trend-chart');

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

  function makeChart() {
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
  }

  function redrawTrend() {
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

  function resizeChart() {
    if (chart) chart.setSize({ width: chartBox.clientWidth, height: Math.max(140, chartBox.clientHeight) });
    else redrawTrend();
  }

  // ---- Events -------------------------------------------------------------------------------
  const EVENT_KINDS = new Set(['marker', 'pain', 'session.start', 'session.stop', 'baseline', 'device.connected', 'device.lost', 'device.searching', 'archive.error']);
  function onEvent(e) {
    if (e.kind === 'session.start') state.sessionStartNs = e.header ? e.header.host_time_ns : state.sessionStartNs;
    if (e.kind === 'session.start') hideSummary(true);
    if (e.kind === 'session.stop') requestSummary(true);
    if (!EVENT_KINDS.has(e.kind)) return;
    const t = e.header && e.header.host_time_ns ? e.header.host_time_ns / 1e9 : Date.now() / 1000;
    if (state.events.some((x) => x.seq === (e.header && e.header.seq) && x.t === t)) return;
    state.events.push({ t, seq: e.header ? e.header.seq : null, kind: e.kind, label: e.label, value: e.value, detail: e.detail });
    if (state.events.length > 50) state.events.shift();
    if (e.kind === 'marker' || e.kind === 'pain') {
      state.markers.push({ t, kind: e.kind, label: e.kind === 'pain' ? `pain ${e.value}` : e.label });
      if (chart) chart.redraw(false, false);
    }
    renderEvents();
  }

  const EVENT_LOOK = {
    marker: ['Marker', 'marker'], pain: ['Pain', 'pain'], baseline: ['Baseline', 'session'],
    'session.start': ['Session start', 'session'], 'session.stop': ['Session stop', 'session'],
    'device.connected': ['Connected', 'ok'], 'device.lost': ['Device lost', 'device'],
    'device.searching': ['Searching', 'device'], 'archive.error': ['Archive error', 'device'],
  };
  function renderEvents() {
    const list = $('events');
    const recent = state.events.slice(-4).reverse();
    list.replaceChildren(...recent.map((e) => {
      const li = document.createElement('li');
      const time = document.createElement('time');
      time.textContent = new Date(e.t * 1000).toLocaleTimeString([], TIME_FORMAT);
      const kind = document.createElement('span');
      const look = EVENT_LOOK[e.kind] || [e.kind, 'session'];
      kind.className = 'kind kind-' + look[1];
      kind.textContent = look[0];
      const text = document.createElement('span');
      text.textContent = e.kind === 'pain' ? `${e.value} / 10` : e.label + (e.detail ? ` — ${e.detail}` : '');
      li.append(time, kind, text);
      return li;
    }));
  }

  // ---- Session summary (schemas/dashboard.md) -----------------------------------------------
  // After session.stop `plinth web` computes the stopped session's report with the code of
  // `plinth report`; the panel shows its numbers (same keys as the report's data-key) and links it.
  const SUMMARY_POLL_MS = 1500;
  const summary = { timer: null, data: null, epoch: 0 };
  function requestSummary(show) {
    clearTimeout(summary.timer);
    const epoch = summary.epoch;
    if (show) { $('summary-panel').hidden = false; $('summary-panel').dataset.state = 'computing'; $('summary-status').textContent = 'Preparing the summary…'; }
    fetch('/session/summary.json', { cache: 'no-store' })
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
  function hideSummary(forget) {
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
  $('summary-close').addEventListener('click', () => hideSummary(false));
  $('summary-link').addEventListener('click', () => { if (summary.data) { renderSummary(summary.data); $('summary-panel').hidden = false; } else requestSummary(true); });

  // ---- Markers and pain scores --------------------------------------------------------------
  function buildTechniqueButtons(names) {
    const box = $('technique-buttons');
    box.replaceChildren(...names.map((name) => {
      const b = document.createElement('button');
      b.type = 'button'; b.className = 'btn technique'; b.dataset.label = name; b.textContent = name;
      b.addEventListener('click', () => sendCommand({ cmd: 'marker', label: name }, `marker “${name}”`));
      return b;
    }));
  }

  function buildPainButtons() {
    const box = $('pain-buttons');
    for (let score = 0; score <= 10; score++) {
      const b = document.createElement('button');
      b.type = 'button'; b.dataset.score = String(score); b.textContent = String(score);
      const hue = 120 - score * 12;  // green to red
      b.style.background = `hsl(${hue}, 65%, ${score >= 4 && score <= 7 ? 38 : 36}%)`;
      b.title = `Pain score ${score} of 10`;
      b.addEventListener('click', () => sendCommand({ cmd: 'pain', score }, `pain score ${score}`));
      box.appendChild(b);
    }
  }

  function feedback(kind, text, id) {
    const el = $('control-feedback');
    el.dataset.state = kind;
    el.dataset.id = id === undefined ? '' : String(id);
    el.textContent = text;
  }

  function setButtonsDisabled(disabled) {
    for (const b of document.querySelectorAll('.actions-card button')) b.disabled = disabled;
  }

  function sendCommand(request, what) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
      feedback('error', `✗ Not recorded: ${what} — not connected to the dashboard server`);
      return;
    }
    if (state.pending) return;
    const id = state.nextCommandId++;
    state.pending = { id, what, timer: setTimeout(() => finishCommand(id, { ok: false, error: 'no answer from the dashboard server' }), CONTROL_TIMEOUT_MS) };
    setButtonsDisabled(true);
    feedback('pending', `Sending ${what}…`, id);
    state.ws.send(JSON.stringify({ type: 'control', id, request }));
  }

  function finishCommand(id, reply) {
    const p = state.pending;
    if (p && p.id === id) {
      clearTimeout(p.timer);
      state.pending = null;
      setButtonsDisabled(false);
    }
    const what = p && p.id === id ? p.what : 'command';
    const at = new Date().toLocaleTimeString([], TIME_FORMAT);
    if (reply.ok) {
      const archived = reply.archived === false ? ' (not archived: no session is recording)' : '';
      feedback('ok', `✓ Recorded ${what} at ${at}${archived}`, id);
    } else {
      feedback('error', `✗ Not recorded: ${what} — ${reply.error || 'unknown error'}`, id);
    }
  }

  $('note-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('note-text');
    const text = input.value.trim();
    if (!text) { feedback('error', '✗ Type a note first'); return; }
    sendCommand({ cmd: 'marker', label: text }, `note “${text}”`);
    input.value = '';
  });

  // ---- Loops --------------------------------------------------------------------------------
  function animate() {
    if (state.frameDirty) { state.frameDirty = false; drawFrame(); }
    if (state.metrics && now() - state.metricsShownAt >= METRICS_REFRESH_MS && state.metricsAt > state.metricsShownAt) renderMetrics();
    requestAnimationFrame(animate);
  }

  function everyHalfSecond() {
    renderSession(); renderPills(); renderBanners(); renderHeart(); renderRelax(); renderFrameInfo();
  }

  function onResize() {
    if (layout.rows) fitHeatmap(layout.rows, layout.cols);
    state.frameDirty = true;
    drawLegend();
    resizeChart();
  }

  buildPainButtons();
  drawLegend();
  makeChart();
  window.addEventListener('resize', onResize);
  // Banners come and go and change the space the panels get.
  new ResizeObserver(() => resizeChart()).observe(chartBox);
  new ResizeObserver(() => { if (layout.rows) { fitHeatmap(layout.rows, layout.cols); state.frameDirty = true; } drawLegend(); }).observe($('map-wrap'));
  setInterval(everyHalfSecond, 500);
  setInterval(() => { state.fps = state.fpsCount; state.fpsCount = 0; }, 1000);
  everyHalfSecond();
  requestAnimationFrame(animate);
  connect();
  requestSummary(false);  // a session stopped before this page opened: offer its summary
})();
