"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.docsPageCsp = docsPageCsp;
exports.registerSecurityHeaders = registerSecurityHeaders;
const helmet_1 = __importDefault(require("@fastify/helmet"));
const node_crypto_1 = require("node:crypto");
const DOCS_PAGE = /^\/docs(\/(index\.html)?)?$/;
const sha256 = (text) => `'sha256-${(0, node_crypto_1.createHash)('sha256').update(text).digest('base64')}'`;
const hashesOf = (pattern, html) => [...new Set([...html.matchAll(pattern)].map((match) => sha256(match[1])))].sort();
function docsPageCsp(html) {
    const inlineScripts = hashesOf(/<script(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi, html);
    const styleBlocks = hashesOf(/<style[^>]*>([\s\S]*?)<\/style>/gi, html);
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
const isDocsPage = (request) => DOCS_PAGE.test(request.url.split('?')[0]);
async function registerSecurityHeaders(app) {
    await app.register(helmet_1.default, {
        contentSecurityPolicy: {
            useDefaults: false,
            directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
        },
        frameguard: { action: 'deny' },
        strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    });
    const fastify = app.getHttpAdapter().getInstance();
    fastify.addHook('onSend', (request, reply, payload, done) => {
        const type = String(reply.getHeader('content-type') ?? '');
        if (typeof payload === 'string' && type.startsWith('text/html') && isDocsPage(request)) {
            void reply.header('content-security-policy', docsPageCsp(payload));
            void reply.header('content-type', 'text/html; charset=utf-8');
        }
        done(null, payload);
    });
}
//# sourceMappingURL=security-headers.js.map