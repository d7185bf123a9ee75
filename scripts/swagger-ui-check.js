#!/usr/bin/env node
// Drives Swagger UI in a real headless Chromium (Debian's /usr/bin/chromium, `apt-get install
// chromium`): loads /docs, authorizes with a fresh access token, reloads (the token must
// persist), runs "Try it out" on GET /api/users/me, and saves a screenshot. The page runs under
// the server's real Content-Security-Policy: any CSP violation (a "Refused to …" console error,
// or a securitypolicyviolation event) fails the check.
// Usage: npm run build && node scripts/swagger-ui-check.js [screenshot.png]
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { chromium } = require('playwright-core');
const { startServer } = require('./lib/server');

/** A port nothing listens on now, so a check never talks to another run's server. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const shot = process.argv[2] || join(tmpdir(), 'swagger-ui.png');

function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) process.exitCode = 1;
}

(async () => {
  const { base, stop } = await startServer({ port: await freePort() });
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
    const violations = [];
    page.on('console', (message) => {
      if (/Refused to|Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    // Also the events themselves, which the console may word differently between versions.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    const docs = await page.goto(`${base}/docs`);
    const csp = docs.headers()['content-security-policy'] || '';
    check(/script-src 'self'(;|$)/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp),
      `/docs is served under a CSP without unsafe-inline/unsafe-eval (${csp})`);
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
    check(violations.length === 0, `no CSP violation${violations.map((v) => `\n     ${v}`).join('')}`);
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
