import { Injectable, Logger } from '@nestjs/common';

/** Who made the request: the client IP (honouring TRUST_PROXY) and its User-Agent. */
export interface AuditClient {
  ip: string | null;
  userAgent: string | null;
}

/**
 * Every audit event and its fields. Ids, reasons and the client only: never a token, a
 * password or a hash (test/audit-log.e2e-spec.ts scans a whole flow's log for them).
 */
export interface AuditEvents {
  /** `sessionId` null under REQUIRE_VERIFIED_EMAIL (no session until the address is verified). */
  'auth.register': AuditClient & { userId: string; sessionId: string | null };
  'auth.login.succeeded': AuditClient & { userId: string; sessionId: string };
  /**
   * The attempted email is logged (OWASP: record the identity an attempt claimed; ASVS 16.2.1
   * "who"); it passed the email check first, so a password typed into the email field is a
   * 400 and never reaches this line. `userId` is null when no account has that email.
   */
  'auth.login.failed': AuditClient & {
    reason: 'invalid_credentials' | 'user_disabled' | 'email_not_verified';
    email: string;
    userId: string | null;
  };
  /** `grace`: the just-rotated parent presented again inside REFRESH_REUSE_GRACE. */
  'auth.refresh': AuditClient & { userId: string; sessionId: string; grace: boolean };
  'auth.refresh.reuse_detected': AuditClient & {
    userId: string;
    sessionId: string;
    tokenId: string;
    spentAt: string;
  };
  /** `ended`: false when the session had already ended (logout is idempotent). */
  'auth.logout': AuditClient & { userId: string; sessionId: string; ended: boolean };
  'auth.logout_all': AuditClient & { userId: string; sessionId: string };
  /** `sessionId` is the session ended; `callerSessionId` the one that asked. */
  'auth.session.deleted': AuditClient & {
    userId: string;
    sessionId: string;
    callerSessionId: string;
  };
  /** `sessionId` is the new session; every other session of the user ended. */
  'auth.password.changed': AuditClient & { userId: string; sessionId: string };
  'auth.password.change_failed': AuditClient & {
    userId: string;
    sessionId: string;
    reason: 'invalid_current_password';
  };
  'admin.user.roles_changed': AuditClient & {
    actorId: string;
    userId: string;
    previousRoles: string[];
    roles: string[];
  };
  'admin.user.disabled': AuditClient & { actorId: string; userId: string };
  'admin.user.enabled': AuditClient & { actorId: string; userId: string };
  'admin.user.sessions_revoked': AuditClient & { actorId: string; userId: string };
  'admin.user.email_verified': AuditClient & { actorId: string; userId: string };
  'admin.user.email_unverified': AuditClient & { actorId: string; userId: string };
  /**
   * RFC 7009 revocation. `clientId` is the resource server that asked, null when the token's
   * holder did; `ended` is false when the session had already ended.
   */
  'oauth.token_revoked': AuditClient & {
    userId: string;
    sessionId: string;
    tokenType: 'access_token' | 'refresh_token';
    clientId: string | null;
    ended: boolean;
  };
  /**
   * `rotate-keys` (actorId `cli:<user>`) or KEY_ROTATION_INTERVAL (actorId `scheduler`): key
   * ids and times only, never key material.
   */
  'keys.rotated': AuditClient & {
    actorId: string;
    promoted: string;
    activatesAt: string;
    retired: string[];
    next: string;
  };
  /**
   * POST /api/auth/password/forgot: `userId` null when no enabled account has the email (no
   * mail then); the email is not logged (the answer is the same for every address).
   */
  'auth.password_reset.requested': AuditClient & { userId: string | null; rateLimited?: true };
  /** A reset link used: the password replaced, every session ended. */
  'auth.password_reset.completed': AuditClient & { userId: string };
  /** POST /api/auth/email/resend: a new verification link queued. */
  'auth.email_verification.requested': AuditClient & { userId: string; sessionId: string };
  /** The right password of an enrolled user: an mfa token issued, no session yet. */
  'auth.login.mfa_challenged': AuditClient & { userId: string };
  /** TOTP confirmed: the factor is active, 10 recovery codes issued (never logged). */
  'auth.mfa.enrolled': AuditClient & { userId: string; sessionId: string };
  /** The factor removed by its owner (password and a code). */
  'auth.mfa.removed': AuditClient & { userId: string; sessionId: string };
  /** Login's second step passed with a recovery code (one fewer left). */
  'auth.mfa.recovery_code_used': AuditClient & { userId: string };
  /** A wrong or replayed second-factor code (verify, confirm, removal, reauthenticate). */
  'auth.mfa.failed': AuditClient & { userId: string };
  /** POST /api/auth/reauthenticate: the session's auth_time renewed, `amr` as now proven. */
  'auth.reauthenticated': AuditClient & { userId: string; sessionId: string; amr: string[] };
  /** An admin (`actorId`) or `reset-mfa` (`cli:<user>`) removed a user's factor. */
  'admin.user.mfa_reset': AuditClient & { actorId: string; userId: string };
  /** A verification link used: the address is verified. */
  'auth.email_verification.completed': AuditClient & { userId: string };
  /**
   * A mail of the outbox given up after MAIL_MAX_ATTEMPTS (SMTP kept failing): its id and kind,
   * never its recipient's content; the recipient is on the outbox row.
   */
  'mail.failed': AuditClient & { mailId: string; kind: string; attempts: number; error: string };
  /** An admin account made from the command line (`npm run cli -- create-admin`). */
  'admin.user.created': AuditClient & { actorId: string; userId: string; roles: string[] };
}

export type AuditEventName = keyof AuditEvents;

export type AuditListener = <E extends AuditEventName>(event: E, fields: AuditEvents[E]) => void;

/** Signs of an attack rather than of normal use: logged at `warn`. */
const WARN_EVENTS: ReadonlySet<AuditEventName> = new Set(['auth.refresh.reuse_detected']);

/**
 * Security events as one JSON line each on the app's pino logger, `context: "Audit"` and a
 * fixed `event` field (`{"event":"auth.login.failed",...}`), so operations can filter and
 * alert on them. Written at `info` (`warn` for reuse detection): a LOG_LEVEL above that
 * drops them.
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('Audit');
  private readonly listeners: AuditListener[] = [];

  record<E extends AuditEventName>(event: E, fields: AuditEvents[E]): void {
    // Cut like the session's copy: the header is the client's to fill.
    const entry = { event, ...fields, userAgent: fields.userAgent?.slice(0, 255) ?? null };
    if (WARN_EVENTS.has(event)) this.logger.warn(entry);
    else this.logger.log(entry);
    for (const listener of this.listeners) listener(event, fields);
  }

  /** Calls `listener` with every event recorded from now on (the metrics count them). */
  subscribe(listener: AuditListener): void {
    this.listeners.push(listener);
  }
}
