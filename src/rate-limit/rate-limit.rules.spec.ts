import { rateLimitKey } from './rate-limit.rules';

describe('rateLimitKey', () => {
  // Counts live under these keys in Redis across instances and releases: a changed spelling
  // silently resets every client's budget on deploy.
  it('is the rule name and the base64url SHA-256 of what is counted', () => {
    expect(rateLimitKey('refresh-ip', '203.0.113.7')).toBe(
      'auth-rate:refresh-ip:_sUlZaoM8Y9X189bOscoUDuJktLW99RtodEgEJCQKwI',
    );
  });

  it('never holds the tracker in clear, and separates rules and trackers', () => {
    const key = rateLimitKey('login-ip-email', '203.0.113.7 ada@example.com');
    expect(key).not.toContain('ada@example.com');
    expect(key).not.toContain('203.0.113.7');
    expect(rateLimitKey('login-ip', 'x')).not.toBe(rateLimitKey('register-ip', 'x'));
    expect(rateLimitKey('login-ip', 'x')).not.toBe(rateLimitKey('login-ip', 'y'));
  });
});
