// One treatment table's tile on the clinic overview, drawn from its /clinic.json entry
// (schemas/dashboard.md §Clinic overview); the whole tile links to that table's own page.
import { fmt } from './format.js';

const RELAX_STATES = { live: 'live', baseline: 'collecting baseline', settling: 'settling', no_data: 'no data' };
const TREND_ARROWS = { '1': '▲', '0': '▶', '-1': '▼' };

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function reading(label, key, value, unit) {
  const box = el('div', 'reading reading-' + key);
  const number = el('span', 'reading-value', value);
  number.dataset.key = key;
  box.append(el('div', 'reading-label', label), number, el('small', '', unit));
  return box;
}

function occupancy(tile) {
  if (tile.occupied === null) return 'no pressure data';
  return tile.occupied ? 'client on the table' : 'table empty';
}

function sessionLine(tile) {
  if (tile.recording === null) return 'state unknown';
  return tile.recording ? 'Recording' : 'No session';
}

function deviceLine(d) {
  const li = el('li', 'device');
  li.dataset.state = d.state;
  li.dataset.device = d.id;
  li.append(el('b', '', `${d.kind === 'heart' ? '♥ ' : ''}${d.id}`), ` ${d.state}`,
    el('span', 'counters', ` · CRC ${d.crc_errors} · framing ${d.framing_errors} · lost ${d.frames_lost} · reconnects ${d.reconnects}`));
  return li;
}

function archiveLine(a) {
  if (!a) return 'Archive: unknown';
  if (!a.ok) return 'Archive: ' + a.error;
  return 'Archive OK' + (a.free_disk_bytes ? ` · ${(a.free_disk_bytes / 1e9).toFixed(1)} GB free` : '');
}

// Replaces the tile's content (or makes a new one): a tile has a few dozen nodes, redrawn once a second.
export function renderTile(existing, tile) {
  const a = existing || el('a', 'station-tile');
  a.href = '/?station=' + encodeURIComponent(tile.station);
  a.dataset.station = tile.station;
  a.dataset.level = tile.level;
  a.dataset.loadSeq = tile.load_seq === null ? '' : String(tile.load_seq);
  const head = el('div', 'tile-head');
  const dot = el('span', 'rec-dot');
  head.dataset.recording = String(tile.recording);
  head.append(el('h2', 'station-name', tile.station || '(no station name)'), dot, el('span', 'tile-session', sessionLine(tile)));
  const relax = tile.relaxation;
  const relaxValue = !relax ? '—' : relax.state === 'live' ? fmt(relax.index) : relax.state === 'baseline' ? '50' : '—';
  const readings = el('div', 'readings');
  readings.append(
    reading('Load', 'load', fmt(tile.load_n), 'N'),
    reading('Heart rate', 'hr', fmt(tile.hr_bpm), 'bpm'),
    reading('Relaxation', 'relax', relaxValue + (relax && relax.state === 'live' ? ' ' + (TREND_ARROWS[String(relax.trend)] || '') : ''), '/ 100'));
  const occupied = el('div', 'tile-occupied', occupancy(tile) +
    (relax ? ` · relaxation ${RELAX_STATES[relax.state] || relax.state}` : ''));
  occupied.dataset.occupied = String(tile.occupied);
  const alarms = el('ul', 'tile-alarms');
  alarms.replaceChildren(...tile.alarms.map((x) => {
    const li = el('li', 'alarm', x.text);
    li.dataset.kind = x.kind;
    li.dataset.level = x.level;
    return li;
  }));
  const devices = el('ul', 'tile-devices');
  devices.replaceChildren(...tile.devices.map(deviceLine));
  a.replaceChildren(head, alarms, readings, occupied, devices, el('div', 'tile-archive', archiveLine(tile.archive)));
  return a;
}
