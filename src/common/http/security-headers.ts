import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The Swagger UI page: `/docs`, `/docs/` and `/docs/index.html`. Its assets need no CSP. */
const DOCS_PAGE = /^\/docs(\/(index\.html)?)?$/;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const hashesOf = (pattern: RegExp, html: string) =>
  [...new Set([...html.matchAll(pattern)].map((match) => sha256(match[1])))].sort();

/**
 * The CSP of the Swagger UI page, derived from the page itself: its scripts and stylesheet
 * load from this origin, and the inline `<style>` blocks and `style="…"` attributes it ships
 * are allowed by their SHA-256 hashes, so no `'unsafe-inline'` is needed. Why hashes and not
 * a nonce: the page is @nestjs/swagger's static HTML (a nonce would mean rewriting it), and
 * a nonce cannot allow a style attribute. An upgrade of the page's inline content gets its
 * new hashes with no change here. Swagger UI's own fetches (the spec, "Try it out") stay on
 * this origin (`connect-src 'self'`); its icons are `data:` images in its stylesheet.
 */
export function docsPageCsp(html: string): string {
  const inlineScripts = hashesOf(/<script(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi, html);
  const styleBlocks = hashesOf(/<style[^>]*>([\s\S]*?)<\/style>/gi, html);
  // CSP hashes the attribute's value as parsed; an entity-encoded value would not match.
  const styleAttributes = hashesOf(/\sstyle="([^"&]*)"/gi, html);
  const directives = [
    "default-src 'none'",
    ["script-src 'self'", ...inlineScripts].join(' '),
    [
      "style-src 'self'",
      ...styleBlocks,
      ...(styleAttributes.length ? ["'unsafe-hashes'", ...styleAttributes] : []),
    ].join(' '),
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ];
  return directives.join('; ');
}

const isDocsPage = (request: FastifyRequest) => DOCS_PAGE.test(request.url.split('?')[0]);

const HELMET_OPTIONS: HelmetOptions = {
  // The API answers JSON only: a response rendered as a document (a browser opening a URL,
  // an error echoed into a page) may load nothing, run nothing, and be framed by no one.
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  frameguard: { action: 'deny' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
};

/**
 * The headers helmet's middleware sets for `options`, by running it once against a recorder.
 * With no function among the options (no nonces, no per-request directive) they are the same
 * for every request, so they are computed once rather than by helmet on each request.
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  if (hasFunction(options)) {
    throw new Error('helmetHeaders: options with functions vary per request');
  }
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  let failure: unknown;
  helmet(options)(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => (failure = error),
  );
  if (failure) throw failure as Error;
  return headers;
}

const hasFunction = (value: unknown): boolean =>
  typeof value === 'function' ||
  (typeof value === 'object' && value !== null && Object.values(value).some(hasFunction));

/**
 * Security headers on every response (helmet's, for HELMET_OPTIONS): HSTS (one year,
 * subdomains), `nosniff`, framing denied twice (`X-Frame-Options: DENY` for old browsers, CSP
 * `frame-ancestors`), `Referrer-Policy: no-referrer`, same-origin COOP/CORP. The CSP is the
 * strict `default-src 'none'; frame-ancestors 'none'` everywhere but the Swagger UI page,
 * which gets docsPageCsp. Registered before the closing server's hook, so its 503 carries them.
 *
 * Why not @fastify/helmet: it builds helmet's middleware anew for every request (the CSP's
 * directives parsed again, thirteen middlewares chained, two hooks, one of them async): ~0.07
 * ms of CPU per request measured here, a fifth of a bare refresh. These headers do not
 * depend on the request, so helmet computes them once (helmetHeaders) and one hook copies them.
 */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  const headers = helmetHeaders(HELMET_OPTIONS);
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (typeof payload === 'string' && type.startsWith('text/html') && isDocsPage(request)) {
      void reply.header('content-security-policy', docsPageCsp(payload));
      void reply.header('content-type', 'text/html; charset=utf-8');
    }
    done(null, payload);
  });
}
