"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.setupSwagger = setupSwagger;
const swagger_1 = require("@nestjs/swagger");
const errors_1 = require("./common/errors");
const api_errors_decorator_1 = require("./common/swagger/api-errors.decorator");
const examples_1 = require("./common/swagger/examples");
const swagger_ui_auth_1 = require("./common/swagger/swagger-ui-auth");
const BODY_ERRORS = [
    errors_1.ErrorCode.ValidationFailed,
    errors_1.ErrorCode.PayloadTooLarge,
    errors_1.ErrorCode.UnsupportedMediaType,
];
function addCommonErrors(document) {
    for (const item of Object.values(document.paths)) {
        for (const operation of Object.values(item)) {
            if (!operation?.responses)
                continue;
            const codes = [errors_1.ErrorCode.ServiceUnavailable, ...(operation.requestBody ? BODY_ERRORS : [])];
            for (const [status, group] of (0, api_errors_decorator_1.groupByStatus)(codes)) {
                const existing = operation.responses[status];
                if (status === 503 && operation.operationId?.startsWith('HealthController'))
                    continue;
                if (!existing)
                    operation.responses[status] = (0, api_errors_decorator_1.errorResponse)(status, group);
            }
        }
    }
}
const TAGS = [
    ['auth', 'Register, log in, refresh, log out; sessions and password change'],
    ['users', "The caller's own profile"],
    ['articles', 'The example resource: public reads, writes by the author or an admin'],
    ['admin', 'User administration (role admin)'],
    ['health', 'Readiness'],
    ['metrics', 'Prometheus metrics, at /metrics outside the /api prefix'],
];
function setupSwagger(app) {
    const builder = new swagger_1.DocumentBuilder()
        .setTitle('Auth service')
        .setDescription('Access/refresh token flow. Register or log in with "Try it out": the UI authorizes ' +
        'itself with the returned accessToken, and when that expires (401 token_expired) it ' +
        'refreshes once through the HttpOnly refresh_token cookie and retries. Refresh and ' +
        'logout work from the UI with the cookie alone (body `{}`). Every error has the shape ' +
        '{statusCode, error, code, message}; clients branch on code.')
        .setVersion('0.1.0')
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
        .addCookieAuth('refresh_token', { type: 'apiKey', in: 'cookie', name: 'refresh_token' }, 'refresh_token');
    for (const [name, description] of TAGS)
        builder.addTag(name, description);
    const document = swagger_1.SwaggerModule.createDocument(app, builder.build());
    addCommonErrors(document);
    (0, examples_1.addExamples)(document);
    swagger_1.SwaggerModule.setup('docs', app, document, {
        jsonDocumentUrl: 'docs-json',
        swaggerOptions: {
            persistAuthorization: true,
            layout: 'BaseLayout',
            requestInterceptor: swagger_ui_auth_1.requestInterceptor,
            responseInterceptor: swagger_ui_auth_1.responseInterceptor,
        },
    });
}
//# sourceMappingURL=swagger.js.map