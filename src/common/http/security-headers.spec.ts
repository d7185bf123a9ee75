import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { helmetHeaders } from './security-headers';

describe('helmetHeaders', () => {
  it("is what helmet's middleware sets on a response for the same options", () => {
    const options = {
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'"] } },
      frameguard: { action: 'sameorigin' as const },
    };
    const set = new Map<string, string>();
    const response = {
      setHeader: (name: string, value: string) => set.set(name.toLowerCase(), value),
      removeHeader: (name: string) => set.delete(name.toLowerCase()),
    };
    helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
    expect(helmetHeaders(options)).toEqual(Object.fromEntries(set));
    expect(helmetHeaders(options)).toMatchObject({
      'content-security-policy': "default-src 'self'",
      'x-frame-options': 'SAMEORIGIN',
    });
  });

  it('refuses options that would vary per request (a directive computed from it)', () => {
    const perRequest = {
      contentSecurityPolicy: { directives: { scriptSrc: ["'self'", () => "'nonce-x'"] } },
    };
    expect(() => helmetHeaders(perRequest)).toThrow(/vary per request/);
  });
});
