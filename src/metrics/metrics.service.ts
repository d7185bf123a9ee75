import { Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { conflictCounts } from '../database/conflict-retry';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PasswordHasher } from '../auth/password/password-hasher.service';
import type { WorkerPoolStats } from '../auth/password/worker-pool';
import { AuditEventName, AuditEvents, AuditLog } from '../common/audit/audit-log.service';
import { ERROR_STATUS, ErrorCode } from '../common/errors';

/** The routes whose failures count as failed logins and refreshes (patterns, prefix included). */
const LOGIN_ROUTE = '/api/auth/login';
const REFRESH_ROUTE = '/api/auth/refresh';

/** A failed login or refresh, by the error code its client got. Anything else is `error`. */
const FAILURE_OUTCOMES: Partial<Record<string, string>> = {
  [ErrorCode.InvalidCredentials]: 'invalid_credentials',
  [ErrorCode.UserDisabled]: 'user_disabled',
  [ErrorCode.RefreshTokenMissing]: 'missing',
  [ErrorCode.RefreshTokenInvalid]: 'invalid',
  [ErrorCode.RefreshTokenExpired]: 'expired',
  [ErrorCode.RefreshTokenRevoked]: 'revoked',
  [ErrorCode.RefreshTokenReused]: 'reused',
  [ErrorCode.Forbidden]: 'forbidden',
  [ErrorCode.TooManyRequests]: 'rate_limited',
  [ErrorCode.ValidationFailed]: 'invalid_request',
  [ErrorCode.PasswordTooLong]: 'invalid_request',
  [ErrorCode.PayloadTooLarge]: 'invalid_request',
  [ErrorCode.UnsupportedMediaType]: 'invalid_request',
};

const LOGIN_OUTCOMES = [
  'success',
  'invalid_credentials',
  'user_disabled',
  'rate_limited',
  'invalid_request',
  'error',
];
const REFRESH_OUTCOMES = [
  'success',
  'grace',
  'reused',
  'expired',
  'revoked',
  'invalid',
  'missing',
  'user_disabled',
  'forbidden',
  'rate_limited',
  'invalid_request',
  'error',
];
const UNAUTHORIZED_CODES = Object.values(ErrorCode).filter((code) => ERROR_STATUS[code] === 401);

/** Requests that matched no route share one `route` label: the raw URL would be unbounded. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * The Prometheus metrics of this instance, in a registry of its own (not prom-client's global
 * one, so several apps in one process — the tests — do not share counters). Counting costs no
 * database work: logins and refreshes are counted from the audit events (successes, reuse) and
 * from the errors the exception filter renders (failures, 401s), latency from a Fastify
 * onResponse hook (http-metrics.ts), the bcrypt pool and process metrics at scrape time.
 */
/** The audit events counted by auth_mfa_events_total, and their label. */
const MFA_EVENTS = {
  'auth.mfa.enrolled': 'enrolled',
  'auth.mfa.removed': 'removed',
  'admin.user.mfa_reset': 'reset',
  'auth.mfa.recovery_code_used': 'recovery_code_used',
  'auth.mfa.failed': 'failed',
} as const;

@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly logins = new Counter({
    name: 'auth_logins_total',
    help: 'Login attempts by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly refreshes = new Counter({
    name: 'auth_refreshes_total',
    help: 'Refresh attempts by outcome (grace: the just-rotated token answered again)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly reuseDetected = new Counter({
    name: 'auth_refresh_reuse_detected_total',
    help: 'Rotated refresh tokens presented after the grace window (their sessions were revoked)',
    registers: [this.registry],
  });

  private readonly mfa = new Counter({
    name: 'auth_mfa_events_total',
    help: 'Second-factor events: enrolled, removed, reset (by an admin), recovery_code_used, failed',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  private readonly unauthorized = new Counter({
    name: 'http_unauthorized_total',
    help: '401 answers by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  private readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request received to response sent, by route pattern',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** The histogram's child per label set, made once: a request only looks its own up. */
  private readonly durationChildren = new Map<string, { observe: (seconds: number) => void }>();

  constructor(
    audit: AuditLog,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {
    // The event-loop lag monitor samples every 100 ms rather than prom-client's 10 ms: at 10 ms
    // its timer alone kept an idle server at ~1.1 % of a core here (0.13 % at 100 ms), and the
    // lag it reports is still measured per sample to the millisecond.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    this.registerBcryptPool();
    this.registerDatabaseConflicts();
    // Every outcome is exported from the start (at 0), so rate() and alerts see the series
    // before its first event.
    for (const outcome of LOGIN_OUTCOMES) this.logins.inc({ outcome }, 0);
    for (const outcome of REFRESH_OUTCOMES) this.refreshes.inc({ outcome }, 0);
    for (const code of UNAUTHORIZED_CODES) this.unauthorized.inc({ code }, 0);
    this.reuseDetected.inc(0);
    for (const event of Object.values(MFA_EVENTS)) this.mfa.inc({ event }, 0);
    audit.subscribe((event, fields) => this.countAuditEvent(event, fields));
  }

  /** The text exposition format and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** An error answer (from the exception filter): 401s by code, failed logins and refreshes. */
  countError(route: string | undefined, status: number, code: string): void {
    if (status === 401) this.unauthorized.inc({ code });
    if (route === LOGIN_ROUTE) this.logins.inc({ outcome: FAILURE_OUTCOMES[code] ?? 'error' });
    else if (route === REFRESH_ROUTE) {
      this.refreshes.inc({ outcome: FAILURE_OUTCOMES[code] ?? 'error' });
    }
  }

  /** One answered request; `route` is the matched pattern (`/api/articles/:id`), never the URL. */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number) {
    const key = `${method} ${route} ${status}`;
    let child = this.durationChildren.get(key);
    if (!child) {
      child = this.duration.labels(method, route ?? UNMATCHED_ROUTE, String(status));
      this.durationChildren.set(key, child);
    }
    child.observe(seconds);
  }

  /**
   * The bcrypt pool (PasswordHasher.stats()), read at scrape time only: workers alive, jobs
   * running and queued against the queue limit, jobs refused (503) and workers crashed.
   */
  private registerBcryptPool(): void {
    const stats = () => this.passwordHasher()?.stats();
    const gauge = (name: string, help: string, read: (s: WorkerPoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const current = stats();
          if (current) this.set(read(current));
        },
      });
    gauge('bcrypt_pool_workers', 'bcrypt worker threads alive', (s) => s.workers);
    gauge('bcrypt_pool_running_jobs', 'bcrypt jobs being hashed now', (s) => s.running);
    gauge('bcrypt_pool_queued_jobs', 'bcrypt jobs waiting for a worker', (s) => s.queued);
    gauge('bcrypt_pool_queue_limit', 'bcrypt jobs that may wait (BCRYPT_QUEUE_LIMIT)', (s) => {
      return s.queueLimit;
    });
    const counter = (name: string, help: string, read: (s: WorkerPoolStats) => number) => {
      let seen = 0;
      return new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          const current = stats();
          if (current && read(current) > seen) this.inc(read(current) - seen);
          if (current) seen = read(current);
        },
      });
    };
    counter('bcrypt_pool_rejected_total', 'bcrypt jobs refused, queue full (503)', (s) => {
      return s.rejected;
    });
    counter('bcrypt_pool_crashed_total', 'bcrypt workers that died and were replaced', (s) => {
      return s.crashed;
    });
  }

  /**
   * Transactions that lost to another one (a deadlock, or a certification conflict on a
   * multi-primary cluster): `retried` ran again, `gave_up` conflicted on every attempt and
   * answered 503 (database/conflict-retry.ts). Counted from this app's start.
   */
  private registerDatabaseConflicts(): void {
    const seen = { ...conflictCounts };
    const counter = new Counter({
      name: 'auth_db_conflicts_total',
      help: 'Database transactions that conflicted with another, by outcome (retried, gave_up)',
      labelNames: ['outcome'] as const,
      registers: [this.registry],
      collect() {
        for (const [key, outcome] of [
          ['retried', 'retried'],
          ['gaveUp', 'gave_up'],
        ] as const) {
          counter.inc({ outcome }, conflictCounts[key] - seen[key]);
          seen[key] = conflictCounts[key];
        }
      },
    });
  }

  private passwordHasher(): PasswordHasher | undefined {
    try {
      return this.moduleRef?.get(PasswordHasher, { strict: false });
    } catch {
      return undefined;
    }
  }

  private countAuditEvent<E extends AuditEventName>(event: E, fields: AuditEvents[E]): void {
    switch (event) {
      case 'auth.login.succeeded':
        this.logins.inc({ outcome: 'success' });
        break;
      case 'auth.refresh':
        this.refreshes.inc({
          outcome: (fields as AuditEvents['auth.refresh']).grace ? 'grace' : 'success',
        });
        break;
      case 'auth.refresh.reuse_detected':
        this.reuseDetected.inc();
        break;
      default:
        if (event in MFA_EVENTS)
          this.mfa.inc({ event: MFA_EVENTS[event as keyof typeof MFA_EVENTS] });
    }
  }
}
