import { isAllowedOrigin } from './refresh-cookie-origin.guard';

describe('isAllowedOrigin (who may use the refresh cookie)', () => {
  const own = 'https://api.example.com';

  it('allows the server’s own origin, compared as browsers send it', () => {
    expect(isAllowedOrigin('https://api.example.com', own, [])).toBe(true);
    expect(isAllowedOrigin('https://API.example.com:443', own, [])).toBe(true);
    expect(isAllowedOrigin('http://localhost:3000', 'http://localhost:3000', [])).toBe(true);
  });

  it('refuses another scheme, host or port than its own', () => {
    expect(isAllowedOrigin('http://api.example.com', own, [])).toBe(false);
    expect(isAllowedOrigin('https://evil.example.com', own, [])).toBe(false);
    expect(isAllowedOrigin('https://api.example.com:8443', own, [])).toBe(false);
    expect(isAllowedOrigin('https://api.example.com.evil.test', own, [])).toBe(false);
  });

  it('allows the CORS_ORIGINS list, and only it, besides its own', () => {
    const cors = ['https://app.example.com', 'http://localhost:5173'];
    expect(isAllowedOrigin('https://app.example.com', own, cors)).toBe(true);
    expect(isAllowedOrigin('http://localhost:5173', own, cors)).toBe(true);
    expect(isAllowedOrigin('http://localhost:5174', own, cors)).toBe(false);
    expect(isAllowedOrigin('https://app.example.com', undefined, cors)).toBe(true);
  });

  it('refuses "null", non-HTTP schemes and garbage', () => {
    for (const origin of ['null', '', 'file://', 'chrome-extension://abc', 'not an origin']) {
      expect(isAllowedOrigin(origin, own, ['https://app.example.com'])).toBe(false);
    }
  });

  it('refuses everything when the server’s own origin is unknown and no list is set', () => {
    expect(isAllowedOrigin('https://api.example.com', undefined, [])).toBe(false);
  });
});
