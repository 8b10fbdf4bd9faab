// Plinth clinic overview: one tile per treatment table, from GET /clinic.json once a second
// (schemas/dashboard.md §Clinic overview). What a tile says and which alarms it raises is
// decided by plinth web (tools/web/station_tile.cpp); this page only draws it.
import { $ } from './js/dom.js';
import { renderTile } from './js/clinic-tile.js';

const POLL_MS = 1000;

function renderBoard(board) {
  const tiles = board.stations || [];
  const box = $('clinic');
  const byStation = new Map([...box.querySelectorAll('.station-tile')].map((el) => [el.dataset.station, el]));
  const wanted = tiles.map((tile) => {
    const el = renderTile(byStation.get(tile.station), tile);
    byStation.delete(tile.station);
    return el;
  });
  for (const gone of byStation.values()) gone.remove();
  wanted.forEach((el, i) => { if (box.children[i + 1] !== el) box.insertBefore(el, box.children[i + 1] || null); });
  $('clinic-empty').hidden = tiles.length > 0;
  const alarmed = tiles.filter((t) => t.level !== 'ok').length;
  $('clinic-count').textContent = `${tiles.length} table${tiles.length === 1 ? '' : 's'}` +
    (alarmed ? ` · ${alarmed} need${alarmed === 1 ? 's' : ''} attention` : '');
}

function setLink(ok) {
  const pill = $('pill-link');
  pill.dataset.level = ok ? 'ok' : 'bad';
  document.body.dataset.connection = ok ? 'open' : 'closed';
  const banner = ok ? [] : [Object.assign(document.createElement('div'), {
    className: 'banner', textContent: 'Dashboard server not reachable — retrying' })];
  if (!ok) banner[0].dataset.kind = 'link';
  if ($('banners').childElementCount !== banner.length) $('banners').replaceChildren(...banner);
}

async function poll() {
  try {
    const response = await fetch('/clinic.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(String(response.status));
    renderBoard(await response.json());
    setLink(true);
  } catch (e) {
    setLink(false);
  }
  setTimeout(poll, POLL_MS);
}

poll();
