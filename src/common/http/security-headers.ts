import fastifyHelmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

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

/**
 * Security headers on every response (helmet): HSTS (one year, subdomains), `nosniff`,
 * framing denied twice (`X-Frame-Options: DENY` for old browsers, CSP `frame-ancestors`),
 * `Referrer-Policy: no-referrer`, same-origin COOP/CORP, no `X-Powered-By`. The CSP is the
 * strict `default-src 'none'; frame-ancestors 'none'` everywhere but the Swagger UI page,
 * which gets docsPageCsp. Registered before every other hook, so even the 503 of a closing
 * server carries them.
 */
export async function registerSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  await app.register(fastifyHelmet as any, {
    // The API answers JSON only: a response rendered as a document (a browser opening a URL,
    // an error echoed into a page) may load nothing, run nothing, and be framed by no one.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  });
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (typeof payload === 'string' && type.startsWith('text/html') && isDocsPage(request)) {
      void reply.header('content-security-policy', docsPageCsp(payload));
      void reply.header('content-type', 'text/html; charset=utf-8');
    }
    done(null, payload);
  });
}
