import { loadAuthConfig } from '../../config/auth.config';
import { readdirSync, readFileSync } from 'node:fs';
import { BCRYPT_WORKER_NICE, PasswordHasher } from './password-hasher.service';

const SECRETS = {
  JWT_ACCESS_SECRET: 'hasher-spec-access-secret-0123456789-abcdef',
  JWT_REFRESH_SECRET: 'hasher-spec-refresh-secret-0123456789-abcdef',
};

const hasherWithCost = (cost: number) =>
  new PasswordHasher(loadAuthConfig({ ...SECRETS, BCRYPT_COST: String(cost) }));

describe('PasswordHasher', () => {
  const hasher = hasherWithCost(4);
  const stricter = hasherWithCost(5);
  const slow = hasherWithCost(12);

  afterAll(async () => {
    await Promise.all([
      hasher.onModuleDestroy(),
      stricter.onModuleDestroy(),
      slow.onModuleDestroy(),
    ]);
  });

  it('hashes with the configured cost and verifies only the right password', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^\$2[aby]\$04\$[./A-Za-z0-9]{53}$/);
    expect(hash).not.toContain('correct horse battery');
    await expect(hasher.compare('correct horse battery', hash)).resolves.toBe(true);
    await expect(hasher.compare('correct horse batterY', hash)).resolves.toBe(false);
    await expect(hasher.compare('', hash)).resolves.toBe(false);
  });

  it('runs its workers at a lower priority than the event loop (Linux: per-thread nice)', async () => {
    await hasher.hash('warm the pool up');
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value.
    const niceOf = (tid: string) =>
      Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
    if (process.platform !== 'linux') {
      expect(hasher.stats().workers).toBeGreaterThan(0);
      return;
    }
    const nices = readdirSync('/proc/self/task').map(niceOf);
    expect(niceOf(String(process.pid))).toBe(0);
    expect(nices.filter((nice) => nice === BCRYPT_WORKER_NICE).length).toBeGreaterThanOrEqual(1);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hasher.hash('same password'), hasher.hash('same password')]);
    expect(a).not.toBe(b);
    await expect(hasher.compare('same password', b)).resolves.toBe(true);
  });

  it('flags a hash of a lower cost than configured for rehashing, and only that', async () => {
    const cost4 = await hasher.hash('upgrade me please');
    expect(stricter.needsRehash(cost4)).toBe(true);
    expect(hasher.needsRehash(cost4)).toBe(false);
    const cost5 = await stricter.hash('upgrade me please');
    expect(stricter.needsRehash(cost5)).toBe(false);
    expect(hasher.needsRehash(cost5)).toBe(false);
  });

  it('compareWithDummy always answers false, even for the dummy password itself', async () => {
    await expect(hasher.compareWithDummy('any password at all')).resolves.toBe(false);
    await expect(hasher.compareWithDummy('dummy-password-for-timing')).resolves.toBe(false);
  });

  it('makes the dummy hash once, at start, as a well-formed hash of the configured cost', async () => {
    // bcryptjs answers a malformed hash at once, and a cheaper one sooner: either would let
    // an unknown email answer faster than a wrong password.
    const fresh = hasherWithCost(5);
    const hash = jest.spyOn(fresh, 'hash');
    const compare = jest.spyOn(fresh, 'compare');
    try {
      fresh.onModuleInit();
      expect(hash).toHaveBeenCalledTimes(1);
      await fresh.compareWithDummy('first attempt');
      await fresh.compareWithDummy('second attempt');
      expect(hash).toHaveBeenCalledTimes(1);
      const [first, second] = compare.mock.calls.map(([, against]) => against);
      expect(first).toMatch(/^\$2[aby]\$05\$[./A-Za-z0-9]{53}$/);
      expect(second).toBe(first);
    } finally {
      await fresh.onModuleDestroy();
    }
  });

  it('makes the dummy hash again when the pool refused it, instead of failing every later call', async () => {
    const tight = new PasswordHasher(
      loadAuthConfig({
        ...SECRETS,
        BCRYPT_COST: '4',
        BCRYPT_WORKERS: '1',
        BCRYPT_QUEUE_LIMIT: '1',
      }),
    );
    try {
      // Worker answers arrive as later events: within this tick the pool stays full.
      const busy = [tight.hash('running'), tight.hash('queued')];
      const refused = tight.compareWithDummy('first attempt');
      expect(tight.stats()).toMatchObject({ workers: 1, running: 1, queued: 1, rejected: 1 });
      await expect(refused).rejects.toMatchObject({ code: 'service_unavailable', retryAfter: 1 });
      await Promise.all(busy);
      await expect(tight.compareWithDummy('second attempt')).resolves.toBe(false);
      expect(tight.stats()).toMatchObject({ running: 0, queued: 0, rejected: 1 });
    } finally {
      await tight.onModuleDestroy();
    }
  });

  it('answers false, instead of hanging, for a malformed hash', async () => {
    await expect(hasher.compare('password', 'not-a-bcrypt-hash')).resolves.toBe(false);
  });

  it('keeps the event loop free while a cost-12 hash runs', async () => {
    // Start the worker pool first, so only the hash itself is in flight below.
    await slow.compare('warm up', await hasher.hash('warm up'));

    const events: string[] = [];
    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    setTimeout(() => events.push('timer'), 10);

    const hash = await slow.hash('a slow password').finally(() => {
      events.push('hash');
      ticking = false;
    });

    expect(hash).toMatch(/^\$2[aby]\$12\$/);
    expect(events[0]).toBe('timer');
    expect(events).toEqual(['timer', 'hash']);
    expect(ticks).toBeGreaterThan(1);
    // A cost-12 hash at nice 10 on a machine busy with other work can take seconds.
  }, 60_000);
});
