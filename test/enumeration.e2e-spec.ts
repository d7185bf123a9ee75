import type { Response } from 'supertest';
import { PasswordHasher } from '../src/auth/password/password-hasher.service';
import { bearer, loginAdmin, registerUser, uniqueEmail } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

/** bcryptjs at cost 10 takes tens of milliseconds: far above the noise of one HTTP round trip. */
const COST = 10;
const WRONG_PASSWORD = 'not the password at all';
const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
/** Headers that differ between any two requests, whatever they ask. */
const REQUEST_SPECIFIC = new Set(['date', 'x-request-id']);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

/**
 * OWASP ASVS 5.0 (V6, authentication) and the contract: login must not tell which emails have
 * an account. An unknown email, a wrong password and a disabled account with a wrong password
 * answer the same status, body and headers, in about the same time (one bcrypt comparison of
 * the current cost each); only the right password learns `user_disabled`.
 */
describe('account enumeration (e2e)', () => {
  let t: TestApp;
  let existing: string;
  let disabled: string;
  let disabledPassword: string;

  beforeAll(async () => {
    t = await createTestApp({ BCRYPT_COST: String(COST) });
    existing = (await registerUser(t.http)).email;
    const victim = await registerUser(t.http);
    disabled = victim.email;
    disabledPassword = victim.password;
    const admin = await loginAdmin(t.http);
    await t
      .http()
      .patch(`/api/admin/users/${victim.pair.user.id}`)
      .set(bearer(admin.accessToken))
      .send({ disabled: true })
      .expect(200);
  });
  afterAll(() => t.close());

  const attempt = (email: string, password = WRONG_PASSWORD) =>
    t
      .http()
      .post('/api/auth/login')
      .set('User-Agent', 'enumeration-test')
      .send({ email, password });

  const comparable = (res: Response) => ({
    status: res.status,
    // Every answer has its own requestId (as it has its own X-Request-Id): compared apart.
    body: { ...(res.body as Record<string, unknown>), requestId: typeof res.body.requestId },
    headers: Object.fromEntries(
      Object.entries(res.headers).filter(([name]) => !REQUEST_SPECIFIC.has(name.toLowerCase())),
    ),
  });

  it('answers an unknown email, a wrong password and a disabled account alike: status, body and every header', async () => {
    // One attempt per email: rate-limit state (per IP and email) is the same for all three.
    const unknown = comparable(await attempt(uniqueEmail('ghost')));
    const wrong = comparable(await attempt(existing));
    const off = comparable(await attempt(disabled));

    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'invalid_credentials',
      message: 'Invalid email or password',
      requestId: 'string',
    });
    expect(unknown.headers).not.toHaveProperty('set-cookie');
    expect(wrong).toEqual(unknown);
    expect(off).toEqual(unknown);
  });

  it('tells a disabled account only to whoever has its password', async () => {
    const res = await attempt(disabled, disabledPassword);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'user_disabled' });
  });

  it('runs exactly one bcrypt comparison for an unknown email, against a valid hash of BCRYPT_COST made once', async () => {
    const hasher = t.app.get(PasswordHasher);
    const compare = jest.spyOn(hasher, 'compare');
    const hash = jest.spyOn(hasher, 'hash');
    try {
      await attempt(uniqueEmail('ghost')).expect(401);
      await attempt(uniqueEmail('ghost')).expect(401);
      expect(compare).toHaveBeenCalledTimes(2);
      const [first, second] = compare.mock.calls.map(([, against]) => against);
      // bcryptjs answers a malformed hash at once: only a real hash costs the real time.
      expect(first).toMatch(BCRYPT_HASH);
      expect(BCRYPT_HASH.exec(first)?.[1]).toBe(String(COST));
      expect(second).toBe(first);
      expect(hash).not.toHaveBeenCalled();
    } finally {
      compare.mockRestore();
      hash.mockRestore();
    }
  });

  it('takes about the same time for the three (medians within a factor of 2)', async () => {
    const times: Record<'unknown' | 'wrong' | 'disabled', number[]> = {
      unknown: [],
      wrong: [],
      disabled: [],
    };
    const timed = async (email: string) => {
      const started = process.hrtime.bigint();
      await attempt(email).expect(401);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    // Interleaved, so a slow moment of the machine hits all three alike.
    for (let i = 0; i < 7; i++) {
      times.unknown.push(await timed(uniqueEmail('ghost')));
      times.wrong.push(await timed(existing));
      times.disabled.push(await timed(disabled));
    }
    const wrong = median(times.wrong);
    for (const path of ['unknown', 'disabled'] as const) {
      const ratio = median(times[path]) / wrong;
      expect({ path, ratio: ratio > 0.5 && ratio < 2 }).toEqual({ path, ratio: true });
    }
  });
});
