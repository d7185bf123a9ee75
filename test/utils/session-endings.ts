import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Every way a session ends, as HTTP calls against one base URL, for the session-cache tests:
 * the same instance (e2e) and another instance sharing the database and Redis (cluster).
 * Each `end` ends the victim's session (the one of `victim.accessToken`) and checks the
 * route's own answer; the access token must then answer 401 with `code`.
 */
export interface Victim {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string };
  password: string;
}

export interface EndingContext {
  base: string;
  adminToken: string;
  /** Inserts a usable password-reset token for the user and returns the token itself. */
  insertResetToken(userId: string, token: string, hash: string): Promise<void>;
}

export interface SessionEnding {
  name: string;
  /** The access token's answer once its session has ended. */
  code: 'token_revoked' | 'user_disabled';
  end(ctx: EndingContext, victim: Victim): Promise<void>;
}

export interface HttpReply {
  status: number;
  body: any;
}

export async function send(
  base: string,
  method: string,
  path: string,
  options: { json?: unknown; form?: Record<string, string>; token?: string } = {},
): Promise<HttpReply> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

async function expectStatus(reply: Promise<HttpReply>, status: number, what: string) {
  const res = await reply;
  if (res.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, as both databases store a DATETIME(3). */
export function sqlDate(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

export const SESSION_ENDINGS: SessionEnding[] = [
  {
    name: 'logout',
    code: 'token_revoked',
    end: (ctx, v) =>
      expectStatus(
        send(ctx.base, 'POST', '/api/auth/logout', { json: { refreshToken: v.refreshToken } }),
        204,
        'logout',
      ),
  },
  {
    name: 'logout-all',
    code: 'token_revoked',
    end: (ctx, v) =>
      expectStatus(
        send(ctx.base, 'POST', '/api/auth/logout-all', { token: v.accessToken }),
        204,
        'logout-all',
      ),
  },
  {
    name: 'delete session',
    code: 'token_revoked',
    end: (ctx, v) => {
      const sid = JSON.parse(Buffer.from(v.accessToken.split('.')[1], 'base64url').toString())
        .sid as string;
      return expectStatus(
        send(ctx.base, 'DELETE', `/api/auth/sessions/${sid}`, { token: v.accessToken }),
        204,
        'delete session',
      );
    },
  },
  {
    name: 'change password',
    code: 'token_revoked',
    end: (ctx, v) =>
      expectStatus(
        send(ctx.base, 'POST', '/api/auth/change-password', {
          token: v.accessToken,
          json: { currentPassword: v.password, newPassword: `${v.password} changed` },
        }),
        200,
        'change password',
      ),
  },
  {
    name: 'password reset',
    code: 'token_revoked',
    end: async (ctx, v) => {
      const token = randomBytes(32).toString('base64url');
      await ctx.insertResetToken(
        v.user.id,
        token,
        createHash('sha256').update(token).digest('hex'),
      );
      await expectStatus(
        send(ctx.base, 'POST', '/api/auth/password/reset', {
          json: { token, password: `${v.password} reset` },
        }),
        204,
        'password reset',
      );
    },
  },
  {
    name: 'reuse detection',
    code: 'token_revoked',
    end: async (ctx, v) => {
      const refresh = () =>
        send(ctx.base, 'POST', '/api/auth/refresh', { json: { refreshToken: v.refreshToken } });
      await expectStatus(refresh(), 200, 'first refresh');
      // REFRESH_REUSE_GRACE=0 in these tests: presenting the spent token again is reuse.
      const replay = await refresh();
      if (replay.status !== 401 || replay.body?.code !== 'refresh_token_reused') {
        throw new Error(`replay: ${replay.status} ${JSON.stringify(replay.body)}`);
      }
    },
  },
  {
    name: 'OAuth revocation (RFC 7009, by the holder)',
    code: 'token_revoked',
    end: (ctx, v) =>
      expectStatus(
        send(ctx.base, 'POST', '/api/oauth/revoke', {
          form: { token: v.refreshToken, token_type_hint: 'refresh_token' },
        }),
        200,
        'oauth revoke',
      ),
  },
  {
    name: 'admin: end all sessions',
    code: 'token_revoked',
    end: (ctx, v) =>
      expectStatus(
        send(ctx.base, 'DELETE', `/api/admin/users/${v.user.id}/sessions`, {
          token: ctx.adminToken,
        }),
        204,
        'admin revoke',
      ),
  },
  {
    name: 'admin: disable the user',
    code: 'user_disabled',
    end: (ctx, v) =>
      expectStatus(
        send(ctx.base, 'PATCH', `/api/admin/users/${v.user.id}`, {
          token: ctx.adminToken,
          json: { disabled: true },
        }),
        200,
        'admin disable',
      ),
  },
];

/** A new user with one session (register), on `base`. */
export async function newVictim(base: string, label: string): Promise<Victim> {
  const email = `cache-${label}-${randomUUID().slice(0, 12)}@example.com`;
  const password = 'correct horse battery';
  const res = await send(base, 'POST', '/api/auth/register', { json: { email, password } });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...(res.body as Omit<Victim, 'password'>), password };
}

/** The reset-token row a mailed link stands for (what POST /password/forgot writes). */
export function resetTokenRow(userId: string, hash: string) {
  const now = new Date();
  return [randomUUID(), userId, hash, sqlDate(now), sqlDate(new Date(now.getTime() + 3_600_000))];
}

export const INSERT_RESET_TOKEN =
  'INSERT INTO password_reset_tokens (id, user_id, token_hash, created_at, expires_at) ' +
  'VALUES (?, ?, ?, ?, ?)';
