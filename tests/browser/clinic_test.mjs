// Drives Debian's Chromium (playwright-core) against `plinth web` behind a hub with two
// stations: the clinic overview, one station's page, a station that stops. Run by
// tests/integration/clinic_test.py (which owns the processes and the independent subscriber);
// one JSON object per line on stdout; at {"step":"stop-room1"} it waits for a line on stdin.
// Usage: node clinic_test.mjs URL SCREENSHOT_DIR
import path from 'node:path';
import { nextLine, say, watchedPage, withChromium } from './chromium.mjs';

const [url, shotDir] = process.argv.slice(2);
const origin = new URL(url).origin;
const readTiles = () => Object.fromEntries([...document.querySelectorAll('.station-tile')].map((t) => [t.dataset.station, {
  level: t.dataset.level,
  href: t.getAttribute('href'),
  load_seq: t.dataset.loadSeq === '' ? null : Number(t.dataset.loadSeq),
  load: t.querySelector('[data-key="load"]').textContent,
  hr: t.querySelector('[data-key="hr"]').textContent,
  relax: t.querySelector('[data-key="relax"]').textContent,
  alarms: [...t.querySelectorAll('.alarm')].map((a) => a.textContent),
}]));
await withChromium(async (context, consoleErrors) => {
  const page = await watchedPage(context, consoleErrors);
  const externalRequests = [];
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) externalRequests.push(r.url()); });

  // Two tiles with live loads.
  await page.goto(url.replace(/\/$/, '') + '/clinic');
  await page.waitForFunction(() => {
    const tiles = [...document.querySelectorAll('.station-tile')];
    return tiles.length === 2 && tiles.every((t) => t.dataset.loadSeq !== '' && t.dataset.level === 'ok');
  });
  for (let i = 0; i < 4; i++) {
    say({ step: 'tiles', tiles: await page.evaluate(readTiles) });
    await page.waitForTimeout(1100);
  }
  await page.screenshot({ path: path.join(shotDir, 'clinic.png') });

  // A tile leads to its table's page, which shows that table only.
  await page.click('.station-tile[data-station="room2"]');
  await page.waitForURL('**/?station=room2');
  await page.waitForFunction(() => Number(document.getElementById('heatmap').dataset.frames) >= 10);
  await page.waitForFunction(() => document.getElementById('metrics').dataset.deviceSeq !== '');
  say({ step: 'station-page', url: page.url(), ...(await page.evaluate(() => ({
    station: document.getElementById('station-name').textContent,
    markers_visible: document.querySelector('.actions-row').offsetParent !== null,
  }))) });
  for (let i = 0; i < 6; i++) {
    say({ step: 'station-metrics', ...(await page.evaluate(() => ({
      device_seq: Number(document.getElementById('metrics').dataset.deviceSeq),
      load: document.getElementById('m-load').textContent,
    }))) });
    await page.waitForTimeout(300);
  }
  await page.waitForFunction(() => document.querySelectorAll('.banner').length === 0);
  await page.waitForTimeout(1200);
  await page.screenshot({ path: path.join(shotDir, 'clinic-station.png') });

  // The page without a station shows one of them (the first heard), never a mix, and links
  // to the overview.
  await page.goto(url);
  await page.waitForFunction(() => Number(document.getElementById('heatmap').dataset.frames) >= 10 &&
    document.getElementById('station-name').textContent !== '' && !document.getElementById('pill-clinic').hidden);
  for (let i = 0; i < 6; i++) {
    say({ step: 'default-metrics', ...(await page.evaluate(() => ({
      station: document.getElementById('station-name').textContent,
      device_seq: Number(document.getElementById('metrics').dataset.deviceSeq),
      load: document.getElementById('m-load').textContent,
    }))) });
    await page.waitForTimeout(300);
  }

  // room1's daemon stops: its tile turns red with the stale-station alarm.
  await page.goto(url.replace(/\/$/, '') + '/clinic');
  await page.waitForSelector('.station-tile[data-station="room1"]');
  say({ step: 'stop-room1' });
  await nextLine();
  await page.waitForSelector('.station-tile[data-station="room1"] .alarm[data-kind="silent"]');
  await page.waitForTimeout(1100);
  const tiles = await page.evaluate(readTiles);
  await page.screenshot({ path: path.join(shotDir, 'clinic-alarm.png') });
  say({ step: 'silent', alarm: tiles.room1.alarms.join(' | '), room2_level: tiles.room2.level });

  say({ step: 'done', console_errors: consoleErrors, external_requests: externalRequests });
});
