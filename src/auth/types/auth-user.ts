import { User } from '../../users/entities/user.entity';
import { Role } from '../../users/enums/role.enum';

/** What the access-token guard attaches to `request.user` (fresh from the database). */
export interface AuthUser {
  id: string;
  email: string;
  roles: Role[];
  sessionId: string;
  /** How the session was proven (`['pwd']` or `['pwd', 'otp']`) and when, last. */
  amr: string[];
  authTime: Date;
  /** The user row loaded by the same lookup, so handlers need not read it again. */
  account: User;
}

/** A refresh token whose signature, typ, iss and aud checked out; not yet looked up. */
export interface PresentedRefreshToken {
  token: string;
  jti: string;
  sid: string;
  sub: string;
  /** The JWT's `exp` (epoch seconds): tells a purged token from one that never existed. */
  exp: number;
}

export interface RequestMeta {
  userAgent: string | null;
  ip: string | null;
}
