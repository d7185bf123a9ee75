import { ConfigModule } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { Test, TestingModule } from '@nestjs/testing';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Repository } from 'typeorm';
import { AuditLog } from '../common/audit/audit-log.service';
import { Clock } from '../common/clock';
import { AppException, ErrorCode } from '../common/errors';
import { KeySet } from '../keys/key-set.service';
import { authConfig } from '../config/auth.config';
import { sessionCacheConfig } from '../config/session-cache.config';
import { SessionCache } from '../session-cache/session-cache.service';
import { buildDataSourceOptions } from '../database/typeorm-options';
import { User } from '../users/entities/user.entity';
import { Role } from '../users/enums/role.enum';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session } from './entities/session.entity';
import { JwtKeys } from './jwt-keys';
import { SessionLookup } from './session-lookup';
import { TokenSigner } from './token-signer';
import { TokenService } from './token.service';
import { TokenStore } from './token-store';
import { PresentedRefreshToken } from './types/auth-user';
import { TokenPair } from './types/token-pair';

const ACCESS_SECRET = 'unit-access-secret-0123456789-abcdefghijklmnop';
const REFRESH_SECRET = 'unit-refresh-secret-0123456789-abcdefghijklmnop';
const META = { userAgent: 'jest', ip: '127.0.0.1' };
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A clock the test sets by hand; whole seconds so stored datetimes compare exactly. */
class FakeClock {
  current = new Date('2030-01-01T00:00:00.000Z');

  now(): Date {
    return new Date(this.current.getTime());
  }

  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

interface Harness {
  moduleRef: TestingModule;
  service: TokenService;
  clock: FakeClock;
  users: Repository<User>;
  sessions: Repository<Session>;
  tokens: Repository<RefreshToken>;
}

async function createHarness(env: Record<string, string> = {}): Promise<Harness> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    NODE_ENV: 'test',
    JWT_ACCESS_SECRET: ACCESS_SECRET,
    JWT_REFRESH_SECRET: REFRESH_SECRET,
    ACCESS_TOKEN_TTL: '15m',
    REFRESH_TOKEN_TTL: '7d',
    SESSION_MAX_TTL: '30d',
    REFRESH_REUSE_GRACE: '10s',
    ...env,
  });
  const clock = new FakeClock();
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [authConfig, sessionCacheConfig],
        }),
        TypeOrmModule.forRoot({
          ...buildDataSourceOptions({ type: 'sqlite', database: ':memory:' }),
          migrationsRun: true,
        }),
        TypeOrmModule.forFeature([Session, RefreshToken, User]),
        JwtModule.register({}),
      ],
      providers: [
        TokenService,
        TokenSigner,
        SessionLookup,
        SessionCache,
        TokenStore,
        JwtKeys,
        AuditLog,
        { provide: Clock, useValue: clock },
        // HS256, as these specs sign: no asymmetric key set (test/keys.e2e-spec.ts has those).
        { provide: KeySet, useValue: { enabled: false } },
      ],
    }).compile();
    return {
      moduleRef,
      service: moduleRef.get(TokenService),
      clock,
      users: moduleRef.get(getRepositoryToken(User)),
      sessions: moduleRef.get(getRepositoryToken(Session)),
      tokens: moduleRef.get(getRepositoryToken(RefreshToken)),
    };
  } finally {
    process.env = saved;
  }
}

async function insertUser(h: Harness, overrides: Partial<User> = {}): Promise<User> {
  const now = h.clock.now();
  return h.users.save(
    h.users.create({
      id: randomUUID(),
      email: `user-${randomUUID().slice(0, 8)}@example.com`,
      passwordHash: '$2b$04$abcdefghijklmnopqrstuuJ0QmJx5b6n7s1lY7Y1JmY6mKpFyC1y',
      name: null,
      roles: [Role.User],
      disabled: false,
      createdAt: now,
      updatedAt: now,
      ...overrides,
    }),
  );
}

function decode(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

function presented(token: string): PresentedRefreshToken {
  const { jti, sid, sub, exp } = decode(token);
  return { token, jti, sid, sub, exp };
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The AppException `promise` rejected with (fails the test if it resolved or threw anything else). */
async function rejection(promise: Promise<unknown>): Promise<AppException> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection, got a result');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppException);
  return error as AppException;
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode, status = 401): Promise<void> {
  const error = await rejection(promise);
  expect(error.code).toBe(code);
  expect(error.getStatus()).toBe(status);
}

describe('TokenService', () => {
  describe('with a 10 s reuse grace', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness();
    });
    afterAll(() => h.moduleRef.close());

    async function start(user?: User): Promise<{ user: User; pair: TokenPair }> {
      const owner = user ?? (await insertUser(h));
      return { user: owner, pair: (await h.service.startSession(owner, META)).pair };
    }

    it('startSession issues a pair whose refresh row stores only the SHA-256 of the token', async () => {
      const { user, pair } = await start();
      expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 604800 });
      expect(pair.user).toMatchObject({ id: user.id, email: user.email, roles: [Role.User] });

      const claims = decode(pair.refreshToken);
      expect(claims).toMatchObject({
        sub: user.id,
        iss: 'nest-auth-service',
        aud: 'nest-auth-service',
      });
      const access = decode(pair.accessToken);
      expect(access).toMatchObject({ sub: user.id, sid: claims.sid, roles: [Role.User] });

      const row = await h.tokens.findOneByOrFail({ id: claims.jti });
      expect(row).toMatchObject({ sessionId: claims.sid, parentId: null, spentAt: null });
      expect(row.tokenHash).toBe(sha256(pair.refreshToken));
      expect(row.tokenHash).not.toContain(pair.refreshToken);
      const raw: Record<string, unknown>[] = await h.tokens.query(
        'SELECT * FROM refresh_tokens WHERE id = ?',
        [claims.jti],
      );
      expect(JSON.stringify(raw)).not.toContain(pair.refreshToken);

      const session = await h.sessions.findOneByOrFail({ id: claims.sid });
      expect(session).toMatchObject({
        userId: user.id,
        revokedAt: null,
        userAgent: 'jest',
        ip: '127.0.0.1',
      });
    });

    it('rotate returns a successor in the same session, spends the parent and links parent_id', async () => {
      const { pair } = await start();
      const parent = decode(pair.refreshToken);
      h.clock.advance(1);
      const next = await h.service.rotate(presented(pair.refreshToken));
      const child = decode(next.refreshToken);

      expect(next.refreshToken).not.toBe(pair.refreshToken);
      expect(child.sid).toBe(parent.sid);
      expect(child.jti).not.toBe(parent.jti);
      expect(decode(next.accessToken).sid).toBe(parent.sid);

      const parentRow = await h.tokens.findOneByOrFail({ id: parent.jti });
      expect(parentRow.spentAt?.toISOString()).toBe(h.clock.now().toISOString());
      const childRow = await h.tokens.findOneByOrFail({ id: child.jti });
      expect(childRow).toMatchObject({
        parentId: parent.jti,
        sessionId: parent.sid,
        spentAt: null,
      });
      expect(childRow.tokenHash).toBe(sha256(next.refreshToken));
    });

    it('a replay of the parent within the grace returns the identical successor', async () => {
      const { pair } = await start();
      const first = await h.service.rotate(presented(pair.refreshToken));
      h.clock.advance(5);
      const replay = await h.service.rotate(presented(pair.refreshToken));
      expect(replay.refreshToken).toBe(first.refreshToken);

      const sid = decode(pair.refreshToken).sid;
      expect(await h.tokens.countBy({ sessionId: sid })).toBe(2);
      expect((await h.sessions.findOneByOrFail({ id: sid })).revokedAt).toBeNull();
    });

    it('a replay within the grace writes back a successor row that is missing, then it rotates', async () => {
      const { pair } = await start();
      const parent = await h.tokens.findOneByOrFail({ id: decode(pair.refreshToken).jti });
      h.clock.advance(1);
      const first = await h.service.rotate(presented(pair.refreshToken));
      const successorId = decode(first.refreshToken).jti;
      const sid = decode(pair.refreshToken).sid;
      // As if the successor's write had been lost: gone, and the session still at the parent.
      await h.tokens.delete({ id: successorId });
      await h.sessions.update({ id: sid }, { refreshExpiresAt: parent.expiresAt });
      h.clock.advance(4);

      const replay = await h.service.rotate(presented(pair.refreshToken));
      expect(replay.refreshToken).toBe(first.refreshToken);
      const restored = await h.tokens.findOneByOrFail({ id: successorId });
      expect(restored.tokenHash).toBe(sha256(first.refreshToken));
      expect(restored.spentAt).toBeNull();
      const session = await h.sessions.findOneByOrFail({ id: sid });
      expect(session.refreshExpiresAt).toEqual(restored.expiresAt);
      expect(restored.expiresAt.getTime()).toBeGreaterThan(parent.expiresAt.getTime());
      // A second replay finds the row there (no duplicate), and the successor still rotates.
      expect((await h.service.rotate(presented(pair.refreshToken))).refreshToken).toBe(
        first.refreshToken,
      );
      await h.service.rotate(presented(first.refreshToken));
      expect(await h.tokens.countBy({ sessionId: sid })).toBe(3);
    });

    it('a replay of the parent after the grace is reuse and revokes the session', async () => {
      const { pair } = await start();
      const next = await h.service.rotate(presented(pair.refreshToken));
      h.clock.advance(11);
      await expectCode(
        h.service.rotate(presented(pair.refreshToken)),
        ErrorCode.RefreshTokenReused,
      );

      const session = await h.sessions.findOneByOrFail({ id: decode(pair.refreshToken).sid });
      expect(session.revokedReason).toBe('reuse_detected');
      expect(session.revokedAt).not.toBeNull();
      await expectCode(
        h.service.rotate(presented(next.refreshToken)),
        ErrorCode.RefreshTokenRevoked,
      );
    });

    it('a replay of the grandparent, even within the grace, is reuse', async () => {
      const { pair } = await start();
      const child = await h.service.rotate(presented(pair.refreshToken));
      h.clock.advance(1);
      await h.service.rotate(presented(child.refreshToken));
      h.clock.advance(1);
      await expectCode(
        h.service.rotate(presented(pair.refreshToken)),
        ErrorCode.RefreshTokenReused,
      );

      const session = await h.sessions.findOneByOrFail({ id: decode(pair.refreshToken).sid });
      expect(session.revokedReason).toBe('reuse_detected');
    });

    it('10 concurrent rotations of one token all answer the same successor', async () => {
      const { pair } = await start();
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => h.service.rotate(presented(pair.refreshToken))),
      );
      const fulfilled = results.filter(
        (r): r is PromiseFulfilledResult<TokenPair> => r.status === 'fulfilled',
      );
      expect(fulfilled).toHaveLength(10);
      const successors = new Set(fulfilled.map((r) => r.value.refreshToken));
      expect(successors.size).toBe(1);
      const sid = decode(pair.refreshToken).sid;
      expect(await h.tokens.countBy({ sessionId: sid })).toBe(2);
      expect((await h.sessions.findOneByOrFail({ id: sid })).revokedAt).toBeNull();
    });

    it('an idle refresh token expires REFRESH_TOKEN_TTL after it was issued', async () => {
      const { pair } = await start();
      h.clock.advance(7 * 86400 + 1);
      await expectCode(
        h.service.rotate(presented(pair.refreshToken)),
        ErrorCode.RefreshTokenExpired,
      );
    });

    it('a refresh token of a revoked session is refused as revoked', async () => {
      const { pair } = await start();
      expect(await h.service.endSession(decode(pair.refreshToken).sid, 'logout')).toBe(true);
      await expectCode(
        h.service.rotate(presented(pair.refreshToken)),
        ErrorCode.RefreshTokenRevoked,
      );
    });

    it('a different token string carrying a known jti is invalid', async () => {
      const { pair } = await start();
      const claims = decode(pair.refreshToken);
      const forged = jwt.sign(
        { sub: claims.sub, sid: claims.sid },
        'another-secret-0123456789-abcdefghijklmnop',
        {
          jwtid: claims.jti,
          header: { alg: 'HS256', typ: 'rt+jwt' },
        },
      );
      expect(forged).not.toBe(pair.refreshToken);
      await expectCode(
        h.service.rotate({ ...presented(pair.refreshToken), token: forged }),
        ErrorCode.RefreshTokenInvalid,
      );
      // The genuine token still works: the forgery spent nothing.
      await expect(h.service.rotate(presented(pair.refreshToken))).resolves.toMatchObject({
        tokenType: 'Bearer',
      });
    });

    it('a jti with the wrong sid or sub is invalid', async () => {
      const { pair } = await start();
      const p = presented(pair.refreshToken);
      await expectCode(
        h.service.rotate({ ...p, sid: randomUUID() }),
        ErrorCode.RefreshTokenInvalid,
      );
      await expectCode(
        h.service.rotate({ ...p, sub: randomUUID() }),
        ErrorCode.RefreshTokenInvalid,
      );
      await expectCode(
        h.service.rotate({ ...p, jti: randomUUID() }),
        ErrorCode.RefreshTokenInvalid,
      );
    });

    it('rotation of a disabled user is refused as user_disabled', async () => {
      const { user, pair } = await start();
      await h.users.update({ id: user.id }, { disabled: true });
      await expectCode(h.service.rotate(presented(pair.refreshToken)), ErrorCode.UserDisabled);
      // Disabling also ends the sessions; the answer stays user_disabled, not refresh_token_revoked.
      await h.service.endAllSessions(user.id, 'user_disabled');
      await expectCode(h.service.rotate(presented(pair.refreshToken)), ErrorCode.UserDisabled);
    });

    describe('successor ids', () => {
      it('are v8 UUIDs derived from the parent: recomputing them gives the same token', async () => {
        const { pair } = await start();
        const parentJti = decode(pair.refreshToken).jti;
        const first = await h.service.rotate(presented(pair.refreshToken));
        const childJti = decode(first.refreshToken).jti;
        expect(childJti).toMatch(UUID_V8);

        // Drop the successor row: a replay within the grace must rebuild it, same id, same token.
        await h.tokens.delete({ id: childJti });
        h.clock.advance(2);
        const again = await h.service.rotate(presented(pair.refreshToken));
        expect(decode(again.refreshToken).jti).toBe(childJti);
        expect(again.refreshToken).toBe(first.refreshToken);
        const rebuilt = await h.tokens.findOneByOrFail({ id: childJti });
        expect(rebuilt.parentId).toBe(parentJti);
      });

      it('differ for different parents', async () => {
        const a = await start();
        const b = await start(a.user);
        const a1 = await h.service.rotate(presented(a.pair.refreshToken));
        const b1 = await h.service.rotate(presented(b.pair.refreshToken));
        h.clock.advance(1);
        const a2 = await h.service.rotate(presented(a1.refreshToken));

        const ids = [a.pair, b.pair, a1, b1, a2].map((p) => decode(p.refreshToken).jti);
        expect(new Set(ids).size).toBe(5);
        for (const jti of ids.slice(2)) expect(jti).toMatch(UUID_V8);
        expect((await h.tokens.findOneByOrFail({ id: ids[4] })).parentId).toBe(ids[2]);
      });
    });

    describe('checkAccess', () => {
      it('answers the user of an active session', async () => {
        const { user, pair } = await start();
        const sid = decode(pair.accessToken).sid;
        const auth = await h.service.checkAccess(sid, user.id);
        expect(auth).toMatchObject({
          id: user.id,
          email: user.email,
          roles: [Role.User],
          sessionId: sid,
        });
        expect(auth.account).toMatchObject({ id: user.id, email: user.email, disabled: false });
      });

      it('refuses an ended session as token_revoked', async () => {
        const { user, pair } = await start();
        const sid = decode(pair.accessToken).sid;
        await h.service.endSession(sid, 'logout');
        const error = await rejection(h.service.checkAccess(sid, user.id));
        expect(error.code).toBe(ErrorCode.TokenRevoked);
        expect(error.getStatus()).toBe(401);
        expect(error.bearerChallenge).toBe(true);
      });

      it('refuses a session past its absolute end as token_revoked', async () => {
        const { user, pair } = await start();
        h.clock.advance(30 * 86400 + 1);
        await expectCode(
          h.service.checkAccess(decode(pair.accessToken).sid, user.id),
          ErrorCode.TokenRevoked,
        );
      });

      it('refuses a disabled user as user_disabled', async () => {
        const { user, pair } = await start();
        await h.users.update({ id: user.id }, { disabled: true });
        await expectCode(
          h.service.checkAccess(decode(pair.accessToken).sid, user.id),
          ErrorCode.UserDisabled,
        );
        await h.service.endAllSessions(user.id, 'user_disabled');
        await expectCode(
          h.service.checkAccess(decode(pair.accessToken).sid, user.id),
          ErrorCode.UserDisabled,
        );
      });

      it('refuses a sub that does not own the session, and an unknown sid, as token_invalid', async () => {
        const { pair } = await start();
        const other = await insertUser(h);
        await expectCode(
          h.service.checkAccess(decode(pair.accessToken).sid, other.id),
          ErrorCode.TokenInvalid,
        );
        await expectCode(h.service.checkAccess(randomUUID(), other.id), ErrorCode.TokenInvalid);
      });
    });

    it("endAllSessions ends every session of one user and none of another's", async () => {
      const ann = await insertUser(h);
      const bob = await insertUser(h);
      const annSids = [
        (await h.service.startSession(ann, META)).sessionId,
        (await h.service.startSession(ann, META)).sessionId,
      ];
      const bobPair = (await h.service.startSession(bob, META)).pair;
      const bobSid = decode(bobPair.refreshToken).sid;

      await h.service.endAllSessions(ann.id, 'logout_all');

      for (const sid of annSids) {
        const session = await h.sessions.findOneByOrFail({ id: sid });
        expect(session.revokedReason).toBe('logout_all');
        expect(session.revokedAt).not.toBeNull();
        await expectCode(h.service.checkAccess(sid, ann.id), ErrorCode.TokenRevoked);
      }
      expect((await h.sessions.findOneByOrFail({ id: bobSid })).revokedAt).toBeNull();
      await expect(h.service.checkAccess(bobSid, bob.id)).resolves.toMatchObject({ id: bob.id });
      await expect(h.service.rotate(presented(bobPair.refreshToken))).resolves.toMatchObject({
        tokenType: 'Bearer',
      });
    });
  });

  describe('with the reuse grace off (REFRESH_REUSE_GRACE=0)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness({ REFRESH_REUSE_GRACE: '0' });
    });
    afterAll(() => h.moduleRef.close());

    it('an immediate replay of the parent is reuse and revokes the session', async () => {
      const user = await insertUser(h);
      const { pair } = await h.service.startSession(user, META);
      await h.service.rotate(presented(pair.refreshToken));
      await expectCode(
        h.service.rotate(presented(pair.refreshToken)),
        ErrorCode.RefreshTokenReused,
      );
      const session = await h.sessions.findOneByOrFail({ id: decode(pair.refreshToken).sid });
      expect(session.revokedReason).toBe('reuse_detected');
    });

    it('of 10 concurrent rotations of one token exactly one succeeds', async () => {
      const user = await insertUser(h);
      const { pair } = await h.service.startSession(user, META);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => h.service.rotate(presented(pair.refreshToken))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected).toHaveLength(9);
      for (const r of rejected) {
        expect(r.reason).toBeInstanceOf(AppException);
        expect([ErrorCode.RefreshTokenReused, ErrorCode.RefreshTokenRevoked]).toContain(
          (r.reason as AppException).code,
        );
      }
      const sid = decode(pair.refreshToken).sid;
      expect(await h.tokens.countBy({ sessionId: sid })).toBe(2);
    });
  });

  describe('with a session shorter than the refresh lifetime', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness({ SESSION_MAX_TTL: '1h', REFRESH_TOKEN_TTL: '45m' });
    });
    afterAll(() => h.moduleRef.close());

    it('caps the successor at the session end and refuses it once the session is over', async () => {
      const user = await insertUser(h);
      const loginAt = h.clock.now();
      const { pair } = await h.service.startSession(user, META);
      expect(pair.refreshExpiresIn).toBe(2700);

      h.clock.advance(30 * 60);
      const next = await h.service.rotate(presented(pair.refreshToken));
      const sessionEnd = new Date(loginAt.getTime() + 3600 * 1000);
      const row = await h.tokens.findOneByOrFail({ id: decode(next.refreshToken).jti });
      expect(row.expiresAt.toISOString()).toBe(sessionEnd.toISOString());
      expect(decode(next.refreshToken).exp).toBe(sessionEnd.getTime() / 1000);
      expect(next.refreshExpiresIn).toBe(1800);

      // 61 min after login: the successor's idle life (45 min from minute 30) is not over,
      // the session's absolute one is.
      h.clock.advance(31 * 60);
      await expectCode(
        h.service.rotate(presented(next.refreshToken)),
        ErrorCode.RefreshTokenExpired,
      );
    });
  });
});
