// Whether the page can be trusted: a pill per link and device in the top bar, and a banner for
// each thing that is down or stale (schemas/dashboard.md §The page), which also greys the map.
import { $ } from './dom.js';
import { now, state, statusIsFresh, STALE_FRAME_MS } from './state.js';

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

export function renderPills() {
  pill('pill-link', 'Dashboard link', state.link === 'open' ? 'ok' : state.link === 'connecting' ? 'warn' : 'bad');
  const statusFresh = statusIsFresh();
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
  const statusFresh = statusIsFresh();
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

export function renderBanners() {
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
