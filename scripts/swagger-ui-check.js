#!/usr/bin/env node
// Drives Swagger UI in a real headless Chromium (Debian's /usr/bin/chromium, `apt-get install
// chromium`): loads /docs, authorizes with a fresh access token, reloads (the token must
// persist), runs "Try it out" on GET /api/users/me, and saves a screenshot.
// Usage: npm run build && node scripts/swagger-ui-check.js [screenshot.png]
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { chromium } = require('playwright-core');
const { startServer } = require('./lib/server');

const port = 3458;
const shot = process.argv[2] || join(tmpdir(), 'swagger-ui.png');

function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) process.exitCode = 1;
}

(async () => {
  const { base, stop } = await startServer({ port });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const res = await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'swagger-ui@example.com', password: 'correct horse battery' }),
    });
    const { accessToken } = await res.json();
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(`${base}/docs`);
    await page.waitForSelector('.opblock');
    check((await page.$$('.opblock')).length >= 19, 'Swagger UI lists every operation');
    await page.click('button.authorize');
    await page.fill('.auth-container input[type=text]', accessToken);
    await page.click('.auth-btn-wrapper button.authorize');
    await page.click('button.btn-done');
    await page.reload();
    await page.waitForSelector('.opblock');
    const stored = await page.evaluate(() => localStorage.getItem('authorized'));
    check(Boolean(stored && stored.includes(accessToken)), 'bearer token persists across a reload');
    const op = page.locator('#operations-users-UsersController_findMe');
    await op.locator('.opblock-summary').click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();
    const cell = op.locator('.live-responses-table tbody .response-col_status').first();
    await cell.waitFor();
    check((await cell.textContent()).trim() === '200', 'Try it out on GET /api/users/me answers 200');
    await page.screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
  } finally {
    await browser.close();
    await stop();
  }
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
