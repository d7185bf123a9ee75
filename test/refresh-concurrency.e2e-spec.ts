import { bearer, decodeJwt, registerUser, TokenPairBody } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

const CONCURRENCY = 10;
const ROUNDS = [1, 2, 3];

const sidOf = (token: string) => decodeJwt(token).sid as string;

/** Presents one refresh token CONCURRENCY times at once. */
function refreshConcurrently(t: TestApp, refreshToken: string) {
  return Promise.all(
    Array.from({ length: CONCURRENCY }, () =>
      t.http().post('/api/auth/refresh').send({ refreshToken }),
    ),
  );
}

async function tokenRows(t: TestApp, sid: string) {
  const rows: { id: string; parent_id: string | null; spent_at: unknown }[] =
    await t.dataSource.query(
      'SELECT id, parent_id, spent_at FROM refresh_tokens WHERE session_id = ?',
      [sid],
    );
  return rows;
}

describe('concurrent refreshes (e2e)', () => {
  describe('with REFRESH_REUSE_GRACE=0', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ REFRESH_REUSE_GRACE: '0' });
    });
    afterAll(() => t.close());

    it.each(ROUNDS)(
      'round %i: exactly one of 10 succeeds, the rest answer refresh_token_reused',
      async () => {
        const { pair } = await registerUser(t.http);
        const sid = sidOf(pair.accessToken);

        const responses = await refreshConcurrently(t, pair.refreshToken);

        const winners = responses.filter((res) => res.status === 200);
        const losers = responses.filter((res) => res.status !== 200);
        expect(winners).toHaveLength(1);
        expect(losers.map((res) => res.status)).toEqual(
          Array.from({ length: CONCURRENCY - 1 }, () => 401),
        );

        const winner = winners[0].body as TokenPairBody;
        expect(sidOf(winner.accessToken)).toBe(sid);
        expect(winner.refreshToken).not.toBe(pair.refreshToken);

        // Reuse revoked the session, the winner's tokens included.
        const refresh = await t
          .http()
          .post('/api/auth/refresh')
          .send({ refreshToken: winner.refreshToken });
        expect(refresh.status).toBe(401);
        expect(refresh.body).toMatchObject({ statusCode: 401, code: 'refresh_token_revoked' });
        const access = await t.http().get('/api/users/me').set(bearer(winner.accessToken));
        expect(access.status).toBe(401);
        expect(access.body).toMatchObject({ statusCode: 401, code: 'token_revoked' });

        const rows = await tokenRows(t, sid);
        expect(rows).toHaveLength(2);
        expect(rows.filter((row) => row.spent_at === null)).toHaveLength(1);

        // Every loser presented an already-rotated token with no grace: that is reuse, whether it
        // reached the server before or after another loser revoked the session.
        expect(losers.map((res) => res.body)).toEqual(
          Array.from({ length: CONCURRENCY - 1 }, () =>
            expect.objectContaining({ statusCode: 401, code: 'refresh_token_reused' }),
          ),
        );
      },
    );
  });

  describe('with the default grace (10s)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it.each(ROUNDS)(
      'round %i: all 10 succeed with the same successor, which then rotates',
      async () => {
        const { pair } = await registerUser(t.http);
        const sid = sidOf(pair.accessToken);

        const responses = await refreshConcurrently(t, pair.refreshToken);

        expect(responses.map((res) => [res.status, res.body.code])).toEqual(
          Array.from({ length: CONCURRENCY }, () => [200, undefined]),
        );
        const successors = new Set(
          responses.map((res) => (res.body as TokenPairBody).refreshToken),
        );
        expect(successors.size).toBe(1);
        const [successor] = successors;
        expect(successor).not.toBe(pair.refreshToken);
        for (const res of responses) {
          expect(sidOf(res.body.accessToken)).toBe(sid);
        }
        const me = await t
          .http()
          .get('/api/users/me')
          .set(bearer(responses[CONCURRENCY - 1].body.accessToken));
        expect(me.status).toBe(200);

        let rows = await tokenRows(t, sid);
        expect(rows).toHaveLength(2);
        expect(rows.filter((row) => row.spent_at === null).map((row) => row.id)).toEqual([
          decodeJwt(successor).jti,
        ]);

        const next = await t.http().post('/api/auth/refresh').send({ refreshToken: successor });
        expect(next.status).toBe(200);
        expect(next.body.refreshToken).not.toBe(successor);
        expect(sidOf(next.body.accessToken)).toBe(sid);

        rows = await tokenRows(t, sid);
        expect(rows).toHaveLength(3);
        const live = rows.filter((row) => row.spent_at === null);
        expect(live.map((row) => row.id)).toEqual([decodeJwt(next.body.refreshToken).jti]);
        expect(live[0].parent_id).toBe(decodeJwt(successor).jti);
      },
    );
  });
});
