#!/usr/bin/env node
// Drives Swagger UI in a real headless Chromium (Debian's /usr/bin/chromium, `apt-get install
// chromium`) through playwright-core, against the built server with a short ACCESS_TOKEN_TTL:
//   1. /docs loads under its own strict CSP, every operation listed, grouped by tag;
//   2. POST /api/auth/login through "Try it out" answers 200 and authorizes the UI by itself;
//   3. GET /api/users/me through "Try it out" answers 200 with the email;
//   4. past the TTL, Execute again: the UI sees 401 token_expired, refreshes once through the
//      cookie and retries: 200 with the email (checked on the network: /me 401, one POST
//      /api/auth/refresh 200, /me 200), and the next call needs no refresh;
//   5. the authorization survives a reload; refresh and logout run from the UI with the cookie
//      alone (body {}), logout removes the authorization;
//   6. a second user with TOTP enrolled through the API (codes computed here, RFC 6238): login
//      from the UI answers mfaRequired and authorizes nothing; "Try it out" on mfa/verify starts
//      with the login's mfaToken in the body; a body left with the example's placeholder token
//      still sends the real one (a wrong code then answers 401 mfa_code_invalid); the right code
//      answers the token pair, which authorizes the UI; /users/me answers 200 for that user;
//      logout from the UI (the verify's cookie) removes it;
//   7. a token pasted into the Authorize dialog works too.
// Any CSP violation (a "Refused to …" console error, or a securitypolicyviolation event) fails
// the check. Screenshots: <out>/swagger-ui-login.png, <out>/swagger-ui-refresh.png,
// <out>/swagger-ui-mfa.png, and on a failure <out>/swagger-ui-failure.png.
// Usage: npm run build && node scripts/swagger-ui-check.js [output-dir, default test-output]
const { createHmac } = require('node:crypto');
const { mkdirSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { chromium } = require('playwright-core');
const { freePort, startServer } = require('./lib/server');

const outDir = resolve(process.argv[2] || 'test-output');
const TTL_SECONDS = 5;
const EMAIL = 'swagger-ui@example.com';
const MFA_EMAIL = 'swagger-ui-mfa@example.com';
const PASSWORD = 'correct horse battery';

let current = 'start';
function check(ok, what) {
  if (!ok) throw new Error(what);
  console.log(`ok   ${what}`);
}
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret at time step `step`. */
function totp(secret, step) {
  let bits = '';
  for (const char of secret.replace(/=+$/, '').toUpperCase()) {
    bits += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(char).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const number = mac.readUInt32BE(mac[mac.length - 1] & 0x0f) & 0x7fffffff;
  return String(number % 1_000_000).padStart(6, '0');
}
const stepNow = () => Math.floor(Date.now() / 30_000);

/** JSON over fetch from node (outside the page). */
async function api(base, method, path, { token, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: JSON.stringify(body ?? {}) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** One operation block of the page, by tag and operationId, with the steps the check needs. */
function operation(page, tag, operationId) {
  const block = page.locator(`#operations-${tag}-${operationId}`);
  const status = block.locator('.live-responses-table tbody .response-col_status').first();
  return {
    block,
    /** Expanded, in "Try it out" mode. */
    async open() {
      if (!(await block.evaluate((el) => el.classList.contains('is-open')))) {
        await block.locator('.opblock-summary').first().click();
      }
      const tryOut = block.locator('button.try-out__btn:not(.reset)');
      if ((await tryOut.textContent()).trim() === 'Try it out') await tryOut.click();
    },
    body: () => block.locator('textarea.body-param__text'),
    /** Clears the previous answer, presses Execute, returns the status and body shown. */
    async execute() {
      const clear = block.locator('button.btn-clear');
      if (await clear.count()) await clear.click();
      await block.locator('button.execute').click();
      await status.waitFor();
      const shown = block.locator('.live-responses-table tbody .response-col_description').first();
      return { status: (await status.textContent()).trim(), text: await shown.textContent() };
    },
  };
}

(async () => {
  mkdirSync(outDir, { recursive: true });
  const { base, stop } = await startServer({
    port: await freePort(),
    env: { ACCESS_TOKEN_TTL: `${TTL_SECONDS}s`, BCRYPT_COST: '4', AUTH_RATE_LIMIT: '1000/60s' },
  });
  let browser;
  let page;
  const stopAll = async () => {
    await browser?.close();
    await stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  }
  try {
    current = 'register a user through the API';
    const registered = await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    check(registered.status === 201, `POST /api/auth/register answers 201 (${registered.status})`);

    current = 'launch Chromium';
    // launch() runs a fresh, throwaway profile (user-data-dir) every time.
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    page.setDefaultTimeout(15_000);
    const violations = [];
    page.on('console', (message) => {
      if (/Refused to|Content Security Policy/i.test(message.text()))
        violations.push(message.text());
    });
    // Also the events themselves, which the console may word differently between versions.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(
          `Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`,
        );
      });
    });
    /** Every API exchange the page makes, in order. */
    const network = [];
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (!url.pathname.startsWith('/api/')) return;
      const request = response.request();
      network.push({
        what: `${request.method()} ${url.pathname} ${response.status()}`,
        authorization: request.headers().authorization,
        postData: request.postData(),
        response,
      });
    });
    const since = (mark) => network.slice(mark).map((entry) => entry.what);
    const find = (mark, what) => network.slice(mark).find((entry) => entry.what === what);
    const refreshes = (mark) =>
      since(mark).filter((what) => what.startsWith('POST /api/auth/refresh'));
    const authorized = () =>
      page.evaluate(() => JSON.parse(localStorage.getItem('authorized') || '{}'));

    current = 'open /docs';
    const docs = await page.goto(`${base}/docs`);
    const csp = docs.headers()['content-security-policy'] || '';
    check(
      /script-src 'self'(;|$)/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp),
      `/docs is served under a CSP without unsafe-inline/unsafe-eval (${csp})`,
    );
    await page.waitForSelector('.opblock');
    check((await page.$$('.opblock')).length >= 19, 'Swagger UI lists every operation');
    const tags = await page.$$eval('.opblock-tag[data-tag]', (els) =>
      els.map((el) => el.dataset.tag),
    );
    check(
      ['auth', 'users', 'articles', 'admin', 'health'].every((tag) => tags.includes(tag)),
      `routes are grouped by tag (${tags.join(', ')})`,
    );

    current = 'log in through "Try it out"';
    const login = operation(page, 'auth', 'AuthController_login');
    await login.open();
    await login.body().fill(JSON.stringify({ email: EMAIL, password: PASSWORD }));
    const loggedIn = await login.execute();
    const loginAt = Date.now();
    check(
      loggedIn.status === '200',
      `POST /api/auth/login from the UI answers 200 (${loggedIn.status})`,
    );
    await page.locator('button.authorize.locked').first().waitFor();
    const token = (await authorized()).bearer?.value;
    check(
      typeof token === 'string' && loggedIn.text.includes(token),
      'the login response authorized the UI with its accessToken (persisted in localStorage)',
    );
    await login.block.screenshot({ path: join(outDir, 'swagger-ui-login.png') });

    current = 'GET /api/users/me through "Try it out"';
    const me = operation(page, 'users', 'UsersController_findMe');
    await me.open();
    let mark = network.length;
    const first = await me.execute();
    check(
      first.status === '200' && first.text.includes(EMAIL),
      `GET /api/users/me answers 200 with the email (${first.status})`,
    );
    check(network[mark]?.authorization === `Bearer ${token}`, 'it was sent with the login token');
    check(
      Date.now() - loginAt < (TTL_SECONDS - 1) * 1000 && refreshes(0).length === 0,
      'no refresh yet (the token is still fresh)',
    );

    current = `wait out ACCESS_TOKEN_TTL=${TTL_SECONDS}s, then Execute again`;
    await sleep(Math.max(0, loginAt + (TTL_SECONDS + 1.5) * 1000 - Date.now()));
    mark = network.length;
    const again = await me.execute();
    check(
      again.status === '200' && again.text.includes(EMAIL),
      `after expiry GET /api/users/me still shows 200 with the email (${again.status})`,
    );
    const exchange = since(mark);
    check(
      JSON.stringify(exchange) ===
        JSON.stringify([
          'GET /api/users/me 401',
          'POST /api/auth/refresh 200',
          'GET /api/users/me 200',
        ]),
      `the UI refreshed exactly once and retried: ${exchange.join(' → ')}`,
    );
    const expired = await network[mark].response.json();
    check(expired.code === 'token_expired', `the first answer was 401 ${expired.code}`);
    const renewed = (await authorized()).bearer?.value;
    check(
      renewed && renewed !== token && network[mark + 2].authorization === `Bearer ${renewed}`,
      'the retry carried the refreshed token, which now authorizes the UI',
    );
    await me.block.scrollIntoViewIfNeeded();
    await me.block.screenshot({ path: join(outDir, 'swagger-ui-refresh.png') });
    mark = network.length;
    const third = await me.execute();
    check(
      third.status === '200' && refreshes(mark).length === 0,
      `the next call answers 200 with no further refresh (${since(mark).join(' → ')})`,
    );

    current = 'reload: the authorization persists';
    await page.reload();
    await page.waitForSelector('.opblock');
    check(
      (await authorized()).bearer?.value === renewed,
      'the refreshed token persists across a reload',
    );

    current = 'POST /api/auth/refresh from the UI, cookie only';
    const refresh = operation(page, 'auth', 'AuthController_refresh');
    await refresh.open();
    check(
      (await refresh.body().inputValue()).replace(/\s/g, '') === '{}',
      'Try it out starts the refresh body as {} (the cookie carries the token)',
    );
    const refreshed = await refresh.execute();
    const fromUi = (await authorized()).bearer?.value;
    check(
      refreshed.status === '200' && fromUi && fromUi !== renewed && refreshed.text.includes(fromUi),
      `refresh from the UI answers 200 and authorizes the UI with the new token (${refreshed.status})`,
    );

    current = 'POST /api/auth/logout from the UI, cookie only';
    const logout = operation(page, 'auth', 'AuthController_logout');
    await logout.open();
    const loggedOut = await logout.execute();
    check(loggedOut.status === '204', `logout from the UI answers 204 (${loggedOut.status})`);
    await page.locator('button.authorize.unlocked').first().waitFor();
    check(!(await authorized()).bearer, 'logout removed the authorization');
    await me.open();
    mark = network.length;
    const anonymous = await me.execute();
    check(
      anonymous.status === '401' && anonymous.text.includes('token_missing'),
      `GET /api/users/me now answers 401 token_missing (${anonymous.status})`,
    );

    current = 'MFA: enrol a second user through the API';
    const spec = await (await fetch(`${base}/docs-json`)).json();
    const verifySpec = spec.paths['/api/auth/mfa/verify']?.post;
    check(verifySpec?.operationId, 'the document has POST /api/auth/mfa/verify');
    const mfaRegistered = await api(base, 'POST', '/api/auth/register', {
      body: { email: MFA_EMAIL, password: PASSWORD },
    });
    check(mfaRegistered.status === 201, `register answers 201 (${mfaRegistered.status})`);
    const setup = await api(base, 'POST', '/api/auth/mfa/totp/setup', {
      token: mfaRegistered.body.accessToken,
    });
    check(
      setup.status === 200 && /^[A-Z2-7]+=*$/.test(setup.body?.secret ?? ''),
      `POST /api/auth/mfa/totp/setup answers 200 with a base32 secret (${setup.status})`,
    );
    const secret = setup.body.secret;
    let lastStep = stepNow();
    /** The code of a step after the last one used (each step counts once), within ±1 step. */
    const nextCode = async () => {
      while (lastStep + 1 > stepNow() + 1) await sleep(30_000 - (Date.now() % 30_000) + 50);
      lastStep = Math.max(stepNow(), lastStep + 1);
      return totp(secret, lastStep);
    };
    const confirmed = await api(base, 'POST', '/api/auth/mfa/totp/confirm', {
      token: mfaRegistered.body.accessToken,
      body: { code: totp(secret, lastStep) },
    });
    check(
      confirmed.status === 200 && confirmed.body?.recoveryCodes?.length === 10,
      `POST /api/auth/mfa/totp/confirm answers 200 with 10 recovery codes (${confirmed.status})`,
    );

    current = 'MFA: log in through "Try it out"';
    await login.open();
    await login.body().fill(JSON.stringify({ email: MFA_EMAIL, password: PASSWORD }));
    mark = network.length;
    const challenged = await login.execute();
    const challenge = await find(mark, 'POST /api/auth/login 200')?.response.json();
    check(
      challenged.status === '200' &&
        challenge?.mfaRequired === true &&
        /^[\w-]{43}$/.test(challenge.mfaToken) &&
        challenge.accessToken === undefined,
      `login from the UI answers 200 mfaRequired with an mfaToken and no tokens (${challenged.status})`,
    );
    check(
      !(await authorized()).bearer && (await page.locator('button.authorize.unlocked').count()) > 0,
      'the challenge authorized nothing',
    );

    current = 'MFA: POST /api/auth/mfa/verify through "Try it out"';
    const verifyTag = verifySpec.tags?.[0] ?? 'default';
    const verify = operation(page, verifyTag, verifySpec.operationId);
    await verify.open();
    const prefilled = JSON.parse(await verify.body().inputValue());
    check(
      prefilled.mfaToken === challenge.mfaToken,
      "Try it out on mfa/verify starts with the login's mfaToken in the body",
    );
    // A body reset to the document's example keeps its placeholder token: the request carries
    // the captured one anyway. A wrong code (none of steps -2…+2) leaves the token usable.
    const near = [-2, -1, 0, 1, 2].map((d) => totp(secret, stepNow() + d));
    let wrong = '000000';
    while (near.includes(wrong)) wrong = String(Number(wrong) + 1).padStart(6, '0');
    const placeholder = verifySpec.requestBody.content['application/json'];
    const exampleToken =
      Object.values(placeholder.examples ?? {})[0]?.value?.mfaToken ??
      placeholder.example?.mfaToken ??
      'string';
    await verify.body().fill(JSON.stringify({ mfaToken: exampleToken, code: wrong }, null, 2));
    mark = network.length;
    const refused = await verify.execute();
    const refusedAt = find(mark, 'POST /api/auth/mfa/verify 401');
    check(
      refused.status === '401' && refused.text.includes('mfa_code_invalid'),
      `a wrong code answers 401 mfa_code_invalid (${refused.status})`,
    );
    check(
      JSON.parse(refusedAt.postData).mfaToken === challenge.mfaToken,
      `the body's placeholder mfaToken (${exampleToken}) was sent as the captured token`,
    );
    check(!(await authorized()).bearer, 'a refused code authorized nothing');
    // What a user does: the body as Try it out filled it, with their code typed in.
    await verify.body().fill(JSON.stringify({ ...prefilled, code: await nextCode() }, null, 2));
    mark = network.length;
    const verified = await verify.execute();
    const mfaToken = (await authorized()).bearer?.value;
    check(
      verified.status === '200' && typeof mfaToken === 'string' && verified.text.includes(mfaToken),
      `the right code answers 200 and authorizes the UI with its accessToken (${verified.status})`,
    );
    check(
      JSON.parse(Buffer.from(mfaToken.split('.')[1], 'base64url')).amr?.includes('otp'),
      'that access token says the session was proven with the second factor (amr otp)',
    );
    await verify.block.scrollIntoViewIfNeeded();
    await verify.block.screenshot({ path: join(outDir, 'swagger-ui-mfa.png') });
    mark = network.length;
    const mfaMe = await me.execute();
    check(
      mfaMe.status === '200' &&
        mfaMe.text.includes(MFA_EMAIL) &&
        network[mark]?.authorization === `Bearer ${mfaToken}`,
      `GET /api/users/me answers 200 for the MFA user with that token (${mfaMe.status})`,
    );
    const mfaLogout = await logout.execute();
    check(
      mfaLogout.status === '204',
      `logout from the UI answers 204 (the verify's cookie) (${mfaLogout.status})`,
    );
    await page.locator('button.authorize.unlocked').first().waitFor();
    check(!(await authorized()).bearer, 'logout removed the authorization');

    current = 'a token pasted into the Authorize dialog';
    const pair = await (
      await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
      })
    ).json();
    await page.click('button.authorize');
    await page.fill('.auth-container input[type=text]', pair.accessToken);
    await page.click('.auth-btn-wrapper button.authorize');
    await page.click('button.btn-done');
    const pasted = await me.execute();
    check(
      pasted.status === '200' && pasted.text.includes(EMAIL),
      `with a pasted token GET /api/users/me answers 200 (${pasted.status})`,
    );

    current = 'CSP';
    check(
      violations.length === 0,
      `no CSP violation${violations.map((v) => `\n     ${v}`).join('')}`,
    );
    console.log(
      `screenshots: ${['login', 'refresh', 'mfa'].map((n) => join(outDir, `swagger-ui-${n}.png`)).join(', ')}`,
    );
  } catch (error) {
    console.error(`FAIL ${current}: ${error.message}`);
    if (page) {
      await page
        .screenshot({ path: join(outDir, 'swagger-ui-failure.png'), fullPage: true })
        .catch(() => {});
      console.error(`     page: ${join(outDir, 'swagger-ui-failure.png')}`);
    }
    process.exitCode = 1;
  } finally {
    await stopAll();
  }
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
