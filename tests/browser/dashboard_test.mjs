// Drives Debian's Chromium (playwright-core, no browser download) against `plinth web`.
// Run by tests/integration/web_test.py, which owns the processes and the independent ZeroMQ
// subscriber. Protocol: this script prints one JSON object per line on stdout; where it
// needs the test to act (unplug the mat) it prints {"step":"unplug"} and waits for a line
// on stdin.
// Usage: node dashboard_test.mjs URL SCREENSHOT_DIR
import path from 'node:path';
import { nextLine, say, watchedPage, withChromium } from './chromium.mjs';

const [url, shotDir] = process.argv.slice(2);

await withChromium(async (context, consoleErrors) => {
  const page = await watchedPage(context, consoleErrors);
  const response = await page.goto(url);
  say({ step: 'loaded', status: response.status(), uplot: await page.evaluate(() => typeof window.uPlot === 'function') });

  // Live frames: the heat map has drawn several frames.
  await page.waitForFunction(() => Number(document.getElementById('heatmap').dataset.frames) >= 20);
  await page.waitForFunction(() => document.getElementById('metrics').dataset.deviceSeq !== '');
  say({ step: 'frames', frames: Number(await page.getAttribute('#heatmap', 'data-frames')) });

  // What the page shows, several times, with the device seq of the metrics shown.
  for (let i = 0; i < 6; i++) {
    const shown = await page.evaluate(() => {
      const t = (id) => document.getElementById(id).textContent;
      return {
        device_seq: Number(document.getElementById('metrics').dataset.deviceSeq),
        load: t('m-load'), area: t('m-area'), peak: t('m-peak'), ppi: t('m-ppi'), symmetry: t('m-sym'),
      };
    });
    say({ step: 'metrics', ...shown });
    await page.waitForTimeout(300);
  }

  // The heart panel shows the strap's latest beat.
  await page.waitForFunction(() => document.getElementById('h-rate').dataset.beatIndex);
  say({ step: 'heart', ...(await page.evaluate(() => ({
    beat_index: Number(document.getElementById('h-rate').dataset.beatIndex),
    hr: document.getElementById('h-rate').textContent,
    state: document.getElementById('heart').dataset.state,
  }))) });

  // A technique marker goes through the daemon; the page shows the reply.
  await page.click('button.technique[data-label="effleurage"]');
  await page.waitForFunction(() => ['ok', 'error'].includes(document.getElementById('control-feedback').dataset.state));
  say({ step: 'marker', state: await page.getAttribute('#control-feedback', 'data-state'),
    text: await page.textContent('#control-feedback') });

  // A pain score too.
  await page.click('#pain-buttons button[data-score="3"]');
  await page.waitForFunction(() => {
    const el = document.getElementById('control-feedback');
    return el.dataset.state !== 'pending' && el.textContent.includes('pain score 3');
  });
  say({ step: 'pain', state: await page.getAttribute('#control-feedback', 'data-state') });

  // The relaxation readout appears (every 5 s during a session).
  await page.waitForFunction(() => document.getElementById('relax').dataset.state !== 'absent');
  say({ step: 'relaxation', state: await page.getAttribute('#relax', 'data-state'),
    value: await page.textContent('#relax-value'), note: await page.textContent('#relax-note') });

  // No banner while everything is live; then the healthy screenshot.
  await page.waitForFunction(() => document.querySelectorAll('.banner').length === 0);
  await page.waitForTimeout(1200);  // let the session clock and trend chart tick once more
  await page.screenshot({ path: path.join(shotDir, 'dashboard.png') });
  say({ step: 'screenshot', path: path.join(shotDir, 'dashboard.png') });

  // Without uPlot (npm unavailable at build time) the page falls back to a plain canvas.
  const bare = await context.newPage();
  bare.on('pageerror', (e) => consoleErrors.push('fallback page: ' + String(e)));
  await bare.route('**/vendor/uplot.js', (r) => r.fulfill({ contentType: 'text/javascript', body: '// no uPlot' }));
  await bare.goto(url);
  await bare.waitForFunction(() => Number(document.getElementById('heatmap').dataset.frames) >= 5);
  say({ step: 'fallback', canvas: await bare.isVisible('#trend-chart canvas.fallback'),
    uplot: await bare.evaluate(() => typeof window.uPlot) });
  await bare.close();

  // The mat is unplugged: a red banner names it.
  say({ step: 'unplug' });
  await nextLine();
  await page.waitForSelector('.banner[data-device="mat0"]');
  const banner = await page.textContent('.banner[data-device="mat0"]');
  await page.screenshot({ path: path.join(shotDir, 'dashboard-unplugged.png') });
  say({ step: 'banner', text: banner, stale_overlay: await page.isVisible('#map-stale') });

  // The daemon stops: the page says so.
  say({ step: 'stop-daemon' });
  await nextLine();
  await page.waitForSelector('.banner[data-kind="daemon"]');
  say({ step: 'daemon-banner', text: await page.textContent('.banner[data-kind="daemon"]') });

  say({ step: 'done', console_errors: consoleErrors });
});
