// What the dashboard's browser tests share: Debian's Chromium through playwright-core (no
// browser download) in a throw-away profile, and the line protocol with the Python test that
// runs them (one JSON object per line on stdout; a line on stdin when the test has acted).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export const TIMEOUT = 60000;  // generous: a 2-core machine shared with compilers

export const say = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

const lines = readline.createInterface({ input: process.stdin });
export const nextLine = () => new Promise((resolve) => lines.once('line', resolve));

// Runs `steps(context, consoleErrors)`; an exception becomes the `error` step and exit code 1.
export async function withChromium(steps) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.PLINTH_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const consoleErrors = [];
  try {
    await steps(context, consoleErrors);
  } catch (e) {
    say({ step: 'error', error: String(e && e.stack || e), console_errors: consoleErrors });
    process.exitCode = 1;
  } finally {
    await context.close();
    lines.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// A page that records console errors and uncaught exceptions.
export async function watchedPage(context, consoleErrors) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  return page;
}
