// Opens a `plinth report` / `plinth history` page in Debian's Chromium (playwright-core) and
// says what it shows: every number with its data-key, the pictures, the layout, and every
// request the page tried to make (a self-contained page makes none but its own file).
// Run by tests/integration/report_test.py.
// Usage: node report_page_test.mjs URL SCREENSHOT.png [WIDTH]
// Prints one JSON object on stdout.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [url, shot, width] = process.argv.slice(2);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-report-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.PLINTH_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: Number(width || 900), height: 1200 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const requests = [];
const consoleErrors = [];
let result = {};
try {
  const page = await context.newPage();
  page.setDefaultTimeout(60000);
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  // Anything but the page itself is refused, so a stray reference cannot reach the network.
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  const response = await page.goto(url);
  result = await page.evaluate(() => {
    const numbers = {};
    for (const el of document.querySelectorAll('[data-key]'))
      numbers[el.dataset.key] = { value: el.dataset.value, text: el.textContent };
    const svgs = [...document.querySelectorAll('svg')].map((s) => {
      const box = s.getBoundingClientRect();
      return { id: s.id, cls: s.getAttribute('class'), rects: s.querySelectorAll('rect').length,
        paths: s.querySelectorAll('path.line').length, points: Number(s.dataset.points || 0),
        width: box.width, height: box.height };
    });
    const sections = [...document.querySelectorAll('section')].map((s) => s.id);
    return {
      title: document.title,
      numbers,
      svgs,
      sections,
      summary: (document.getElementById('summary') || {}).textContent || '',
      notice: (document.getElementById('notice') || {}).textContent || '',
      scroll_width: document.documentElement.scrollWidth,
      inner_width: window.innerWidth,
      rows: document.querySelectorAll('tr.session').length,
      groups: [...document.querySelectorAll('tr.session')].map((r) => r.dataset.calibrationGroup),
    };
  });
  result.status = response ? response.status() : null;
  await page.screenshot({ path: shot, fullPage: true });
} catch (e) {
  result.error = String(e && e.stack || e);
  process.exitCode = 1;
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
result.requests = requests;
result.console_errors = consoleErrors;
process.stdout.write(JSON.stringify(result) + '\n');
