import bcrypt from 'bcryptjs';
import { PasswordHasher } from '../src/auth/password/password-hasher.service';
import { User } from '../src/users/entities/user.entity';
import { bearer, DEFAULT_PASSWORD, login, registerUser, uniqueEmail } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

/** The app hashes at cost 5, so a cost-4 hash is one to upgrade. */
const COST = 5;
const NUL_PASSWORD = 'correct\u0000horse battery';

/**
 * Passwords: 8 to 72 UTF-8 bytes, no NUL, checked before any hashing; a stored hash of a lower
 * cost than BCRYPT_COST is upgraded at the next successful login.
 */
describe('passwords (e2e)', () => {
  let t: TestApp;
  let hash: jest.SpyInstance;

  beforeAll(async () => {
    t = await createTestApp({ BCRYPT_COST: String(COST) });
  });
  beforeEach(() => {
    hash = jest.spyOn(t.app.get(PasswordHasher), 'hash');
  });
  afterEach(() => hash.mockRestore());
  afterAll(() => t.close());

  const storedHash = async (id: string) =>
    (await t.dataSource.getRepository(User).findOneByOrFail({ id })).passwordHash;
  const userCount = (email: string) => t.dataSource.getRepository(User).countBy({ email });
  const attemptLogin = (email: string, password: string) =>
    t.http().post('/api/auth/login').send({ email, password });

  describe('register', () => {
    it.each([
      ['8 ASCII bytes', 'a'.repeat(8)],
      ['4 two-byte characters (8 bytes)', 'é'.repeat(4)],
      ['72 ASCII bytes', 'a'.repeat(72)],
      ['24 three-byte characters (72 bytes)', '€'.repeat(24)],
    ])('accepts a password of %s, and logs in with it', async (_label, password) => {
      const { email } = await registerUser(t.http, { password });
      await login(t.http, email, password);
    });

    it.each([
      ['7 ASCII bytes', 'validation_failed', 'a'.repeat(7)],
      [
        '3 two-byte characters and 1 ASCII (7 bytes, 4 characters)',
        'validation_failed',
        'ééé' + 'a',
      ],
      ['an empty string', 'validation_failed', ''],
      ['a NUL character', 'validation_failed', NUL_PASSWORD],
      ['a trailing NUL', 'validation_failed', 'correct horse battery\u0000'],
      ['73 ASCII bytes', 'password_too_long', 'a'.repeat(73)],
      [
        '71 ASCII bytes and one two-byte character (73 bytes)',
        'password_too_long',
        'a'.repeat(71) + 'é',
      ],
    ])('refuses a password of %s before hashing it: 400 %s', async (_label, code, password) => {
      const email = uniqueEmail('refused');
      const res = await t.http().post('/api/auth/register').send({ email, password });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code });
      if (code === 'validation_failed') {
        expect(res.body.message).toEqual([expect.stringContaining('password')]);
      }
      expect(hash).not.toHaveBeenCalled();
      expect(await userCount(email)).toBe(0);
    });

    it('names the NUL character in the message', async () => {
      const res = await t
        .http()
        .post('/api/auth/register')
        .send({ email: uniqueEmail(), password: NUL_PASSWORD });
      expect(res.body.message).toEqual(['password must not contain a NUL character']);
    });
  });

  describe('change-password', () => {
    it.each([
      ['a NUL character', 'validation_failed', NUL_PASSWORD],
      ['7 bytes', 'validation_failed', 'a'.repeat(7)],
      ['73 bytes', 'password_too_long', 'a'.repeat(73)],
    ])(
      'refuses a new password with %s before hashing it: 400 %s, nothing changes',
      async (_label, code, newPassword) => {
        const { email, password, pair } = await registerUser(t.http);
        hash.mockClear();
        const res = await t
          .http()
          .post('/api/auth/change-password')
          .set(bearer(pair.accessToken))
          .send({ currentPassword: password, newPassword });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, code });
        expect(hash).not.toHaveBeenCalled();
        await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
        await login(t.http, email, password);
      },
    );

    it('answers a current password with NUL like any wrong one: 403 invalid_current_password', async () => {
      const { pair } = await registerUser(t.http);
      const res = await t
        .http()
        .post('/api/auth/change-password')
        .set(bearer(pair.accessToken))
        .send({ currentPassword: DEFAULT_PASSWORD + '\u0000', newPassword: 'a fresh passphrase' });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'invalid_current_password' });
    });
  });

  describe('login', () => {
    // The rules for new passwords are not applied to a presented one: it goes through the
    // same bcrypt comparison and, being nobody's password, answers like any wrong password.
    it.each([
      ['a NUL inside the password', 'correct\u0000horse battery'],
      ['the right password plus NUL and more', DEFAULT_PASSWORD + '\u0000anything'],
      ['the right password plus a trailing NUL', DEFAULT_PASSWORD + '\u0000'],
      ['a password of 7 bytes', 'a'.repeat(7)],
    ])('answers %s with the same 401 as a wrong password', async (_label, password) => {
      const { email } = await registerUser(t.http);
      const wrong = await attemptLogin(email, 'wrong password!');
      const res = await attemptLogin(email, password);
      const unknown = await attemptLogin(uniqueEmail('ghost'), password);
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({ code: 'invalid_credentials' });
      for (const other of [res, unknown]) {
        expect(other.status).toBe(401);
        // Alike but for requestId, which every answer has its own of.
        expect({ ...other.body, requestId: 'id' }).toEqual({ ...wrong.body, requestId: 'id' });
      }
    });

    it('answers a password over 72 bytes 400 password_too_long, before any bcrypt work', async () => {
      const compare = jest.spyOn(t.app.get(PasswordHasher), 'compare');
      try {
        const res = await attemptLogin(uniqueEmail(), 'a'.repeat(73));
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'password_too_long' });
        expect(compare).not.toHaveBeenCalled();
      } finally {
        compare.mockRestore();
      }
    });
  });

  describe('bcrypt cost upgrade', () => {
    it('rehashes a cost-4 hash at BCRYPT_COST on the next successful login, and only then', async () => {
      const { email, password, pair } = await registerUser(t.http);
      const id = pair.user.id;
      expect(await storedHash(id)).toMatch(new RegExp(`^\\$2[aby]\\$0${COST}\\$`));
      const old = bcrypt.hashSync(password, 4);
      await t.dataSource.getRepository(User).update({ id }, { passwordHash: old });

      await attemptLogin(email, 'wrong password!').expect(401);
      expect(await storedHash(id)).toBe(old);

      await login(t.http, email, password);
      const upgraded = await storedHash(id);
      expect(old).toMatch(/^\$2b\$04\$/);
      expect(upgraded).toMatch(new RegExp(`^\\$2b\\$0${COST}\\$[./A-Za-z0-9]{53}$`));
      expect(bcrypt.compareSync(password, upgraded)).toBe(true);

      await login(t.http, email, password);
      expect(await storedHash(id)).toBe(upgraded);
    });
  });
});
