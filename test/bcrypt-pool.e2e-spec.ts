import * as bcryptjs from 'bcryptjs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import type { Response } from 'supertest';
import { PasswordHasher } from '../src/auth/password/password-hasher.service';
import { registerUser, uniqueEmail } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

/** Cost 13: one bcrypt run takes most of a second, far longer than any HTTP round trip here. */
const COST = '13';

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds (the pool's state changes as requests reach it). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

function attempt(t: TestApp, email: string, password: string) {
  return t
    .http()
    .post('/api/auth/login')
    .send({ email, password })
    .then((res) => ({ res, at: performance.now() }));
}

function expectBusy(res: Response): void {
  expect(res.status).toBe(503);
  expect(res.body).toMatchObject({
    statusCode: 503,
    error: 'Service Unavailable',
    code: 'service_unavailable',
    message: 'Server is busy; retry shortly',
  });
  expect(res.headers['retry-after']).toBe('1');
}

/**
 * Issue 5: bcrypt runs on a pool of worker threads with a bounded queue. Past the queue a login
 * is answered at once with 503 and `Retry-After: 1` (beyond the contract, whose 503 names only
 * an unreachable database), never left to hang; and however many hashes are in flight, the
 * event loop goes on serving.
 */
describe('bcrypt worker pool (e2e)', () => {
  describe('full (BCRYPT_WORKERS=1, BCRYPT_QUEUE_LIMIT=1)', () => {
    let t: TestApp;
    let hasher: PasswordHasher;
    let email: string;
    let password: string;

    beforeAll(async () => {
      t = await createTestApp({ BCRYPT_WORKERS: '1', BCRYPT_QUEUE_LIMIT: '1', BCRYPT_COST: COST });
      hasher = t.app.get(PasswordHasher);
      ({ email, password } = await registerUser(t.http));
    });
    afterAll(() => t?.close());

    it('refuses logins past the queue at once with 503 + Retry-After: 1, serves the admitted ones, then recovers', async () => {
      const before = hasher.stats();
      expect(before).toMatchObject({ size: 1, queueLimit: 1, running: 0, queued: 0 });

      // One login takes the worker, a second one the only queue place.
      const admitted = [attempt(t, email, password), attempt(t, email, password)];
      await until(() => hasher.stats().queued === 1, 'two logins to reach the pool');
      expect(hasher.stats()).toMatchObject({ running: 1, queued: 1 });

      // Five more at once: a known email, a wrong password and unknown emails all get the same
      // refusal, so a full pool tells nothing about which accounts exist.
      const refused = await Promise.all([
        attempt(t, email, password),
        attempt(t, email, password),
        attempt(t, email, 'not the password at all'),
        attempt(t, uniqueEmail('ghost'), password),
        attempt(t, uniqueEmail('ghost'), 'whatever it is'),
      ]);
      for (const { res } of refused) expectBusy(res);

      const served = await Promise.all(admitted);
      for (const { res } of served) {
        expect(res.status).toBe(200);
        expect(typeof res.body.accessToken).toBe('string');
      }
      // The refusals came while both admitted logins still waited on bcrypt: not after a wait.
      const lastRefusal = Math.max(...refused.map(({ at }) => at));
      expect(lastRefusal).toBeLessThan(Math.min(...served.map(({ at }) => at)));

      // Nothing stuck or leaked: the pool is idle, and the next login goes through.
      expect(hasher.stats()).toMatchObject({
        workers: 1,
        running: 0,
        queued: 0,
        rejected: before.rejected + 5,
        crashed: 0,
      });
      const after = await attempt(t, email, password);
      expect(after.res.status).toBe(200);
      expect(hasher.stats()).toMatchObject({ running: 0, queued: 0 });
    });

    it('replaces a worker killed mid-login: that login gets 503, the next one 200', async () => {
      const pending = attempt(t, email, password);
      await until(() => hasher.stats().running === 1, 'the login to reach the worker');
      // The pool's worker threads are internal: kill the one running by way of the pool's own
      // bookkeeping, as an out-of-memory or native crash would.
      const { slots } = (hasher as unknown as { pool: { slots: { worker: Worker }[] } }).pool;
      await slots[0].worker.terminate();
      expectBusy((await pending).res);
      expect(hasher.stats()).toMatchObject({ running: 0, queued: 0, crashed: 1 });
      expect((await attempt(t, email, password)).res.status).toBe(200);
      expect(hasher.stats()).toMatchObject({ workers: 1, running: 0, queued: 0 });
    });
  });

  describe('off the event loop (BCRYPT_WORKERS=2)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ BCRYPT_WORKERS: '2', BCRYPT_COST: COST });
    });
    afterAll(() => t?.close());

    it('keeps the event-loop delay far below one hash while four logins hash', async () => {
      const { email, password } = await registerUser(t.http);
      const histogram = monitorEventLoopDelay({ resolution: 5 });

      // Calibration: one hash run right here on the main thread. Its time is what a login
      // would stall the loop for, and the monitor must see that stall.
      histogram.enable();
      await sleep(20);
      const started = performance.now();
      bcryptjs.hashSync(password, Number(COST));
      const hashMs = performance.now() - started;
      await sleep(20);
      histogram.disable();
      const blockedMaxMs = histogram.max / 1e6;
      expect(blockedMaxMs).toBeGreaterThan(hashMs * 0.8);

      // Four logins at once on two workers: two rounds of hashing. bcryptjs's async API on
      // the main thread would only cut the stall into slices (100 ms and more each), so no bcryptjs call
      // of any kind may happen on this thread.
      const bcryptModule = jest.requireActual<Record<string, unknown>>('bcryptjs');
      const spies = ['hash', 'hashSync', 'compare', 'compareSync'].map((name) =>
        jest.spyOn(bcryptModule as Record<string, () => unknown>, name),
      );
      histogram.reset();
      histogram.enable();
      const begun = performance.now();
      const logins = await Promise.all(
        Array.from({ length: 4 }, () => attempt(t, email, password)),
      ).finally(() => histogram.disable());
      const loginsMs = performance.now() - begun;
      const mainThreadCalls = spies.map((spy) => spy.mock.calls.length);
      for (const spy of spies) spy.mockRestore();
      for (const { res } of logins) expect(res.status).toBe(200);
      expect(mainThreadCalls).toEqual([0, 0, 0, 0]);
      const meanMs = histogram.mean / 1e6;
      const maxMs = histogram.max / 1e6;
      const p99Ms = histogram.percentile(99) / 1e6;

      process.stdout.write(
        `bcrypt pool, cost ${COST}: one hash on the main thread ${hashMs.toFixed(0)} ms ` +
          `(event-loop delay max ${blockedMaxMs.toFixed(0)} ms); 4 logins on 2 workers ` +
          `${loginsMs.toFixed(0)} ms, event-loop delay max ${maxMs.toFixed(1)} ms, ` +
          `p99 ${p99Ms.toFixed(1)} ms, mean ${meanMs.toFixed(1)} ms\n`,
      );
      // The hashing really happened while the loop was watched…
      expect(loginsMs).toBeGreaterThan(hashMs);
      // …and the loop never stalled for anything like one hash, nor for slices of one.
      expect(maxMs).toBeLessThan(hashMs / 2);
      expect(meanMs).toBeLessThan(hashMs / 10);
    });
  });
});
