import { Logger } from '@nestjs/common';
import { AuditLog } from '../common/audit/audit-log.service';
import { conflictCounts } from '../database/conflict-retry';
import { Metrics } from './metrics.service';

const CLIENT = { ip: '127.0.0.1', userAgent: null };

/** The value of one series in the registry's text, e.g. `auth_logins_total{outcome="error"}`. */
async function sample(metrics: Metrics, series: string): Promise<number | undefined> {
  const { body } = await metrics.scrape();
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Metrics', () => {
  let audit: AuditLog;
  let metrics: Metrics;
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    audit = new AuditLog();
    metrics = new Metrics(audit);
  });
  afterEach(() => jest.restoreAllMocks());

  it('exports every outcome and 401 code at 0 before any event', async () => {
    expect(await sample(metrics, 'auth_logins_total{outcome="rate_limited"}')).toBe(0);
    expect(await sample(metrics, 'auth_refreshes_total{outcome="grace"}')).toBe(0);
    expect(await sample(metrics, 'auth_refresh_reuse_detected_total')).toBe(0);
    expect(await sample(metrics, 'http_unauthorized_total{code="token_expired"}')).toBe(0);
    expect(await sample(metrics, 'http_unauthorized_total{code="forbidden"}')).toBeUndefined();
  });

  it('exports database conflicts since its own start, retried and given up', async () => {
    expect(await sample(metrics, 'auth_db_conflicts_total{outcome="retried"}')).toBe(0);
    conflictCounts.retried += 3;
    conflictCounts.gaveUp += 1;
    expect(await sample(metrics, 'auth_db_conflicts_total{outcome="retried"}')).toBe(3);
    expect(await sample(metrics, 'auth_db_conflicts_total{outcome="gave_up"}')).toBe(1);
    // A second app in the same process starts from 0.
    expect(await sample(new Metrics(audit), 'auth_db_conflicts_total{outcome="retried"}')).toBe(0);
  });

  it('counts failures by route: login and refresh outcomes from the error code, else `error`', async () => {
    metrics.countError('/api/auth/login', 429, 'too_many_requests');
    metrics.countError('/api/auth/login', 503, 'service_unavailable');
    metrics.countError('/api/auth/refresh', 401, 'refresh_token_expired');
    metrics.countError('/api/auth/refresh', 403, 'forbidden');
    metrics.countError('/api/auth/logout', 401, 'refresh_token_expired');
    expect(await sample(metrics, 'auth_logins_total{outcome="rate_limited"}')).toBe(1);
    expect(await sample(metrics, 'auth_logins_total{outcome="error"}')).toBe(1);
    expect(await sample(metrics, 'auth_refreshes_total{outcome="expired"}')).toBe(1);
    expect(await sample(metrics, 'auth_refreshes_total{outcome="forbidden"}')).toBe(1);
    expect(await sample(metrics, 'http_unauthorized_total{code="refresh_token_expired"}')).toBe(2);
  });

  it('counts successes, grace replays and reuse from the audit events', async () => {
    const session = { ...CLIENT, userId: 'u', sessionId: 's' };
    audit.record('auth.login.succeeded', session);
    audit.record('auth.refresh', { ...session, grace: false });
    audit.record('auth.refresh', { ...session, grace: true });
    audit.record('auth.refresh.reuse_detected', { ...session, tokenId: 't', spentAt: 'x' });
    audit.record('auth.register', session);
    expect(await sample(metrics, 'auth_logins_total{outcome="success"}')).toBe(1);
    expect(await sample(metrics, 'auth_refreshes_total{outcome="success"}')).toBe(1);
    expect(await sample(metrics, 'auth_refreshes_total{outcome="grace"}')).toBe(1);
    expect(await sample(metrics, 'auth_refresh_reuse_detected_total')).toBe(1);
  });

  it('observes latency under the route pattern, `unmatched` when no route matched', async () => {
    metrics.observeRequest('GET', '/api/articles/:id', 200, 0.003);
    metrics.observeRequest('GET', '/api/articles/:id', 200, 0.2);
    metrics.observeRequest('GET', undefined, 404, 0.001);
    const series = (labels: string) => `http_request_duration_seconds_count{${labels}}`;
    expect(
      await sample(metrics, series('method="GET",route="/api/articles/:id",status_code="200"')),
    ).toBe(2);
    expect(await sample(metrics, series('method="GET",route="unmatched",status_code="404"'))).toBe(
      1,
    );
    expect(
      await sample(
        metrics,
        'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/articles/:id",status_code="200"}',
      ),
    ).toBe(1);
  });
});
