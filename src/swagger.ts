import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorCode } from './common/errors';
import { errorResponse, groupByStatus } from './common/swagger/api-errors.decorator';

const BODY_ERRORS = [
  ErrorCode.ValidationFailed,
  ErrorCode.PayloadTooLarge,
  ErrorCode.UnsupportedMediaType,
];

/**
 * Errors every route can give whatever its decorators say: 503 while the database is away,
 * and for routes with a body the parser's 400/413/415. Codes a route already documents under
 * the same status are merged, not replaced.
 */
function addCommonErrors(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      if (!operation?.responses) continue;
      const codes = [ErrorCode.ServiceUnavailable, ...(operation.requestBody ? BODY_ERRORS : [])];
      for (const [status, group] of groupByStatus(codes)) {
        const existing = operation.responses[status] as { description?: string } | undefined;
        if (status === 503 && operation.operationId?.startsWith('HealthController')) continue;
        if (!existing) operation.responses[status] = errorResponse(status, group);
      }
    }
  }
}

/** Swagger UI at /docs, the OpenAPI JSON at /docs-json; the bearer token survives reloads. */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Auth service')
    .setDescription(
      'Access/refresh token flow. Log in, then press Authorize and paste the accessToken. ' +
        'Every error has the shape {statusCode, error, code, message}; clients branch on code.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addCookieAuth(
      'refresh_token',
      { type: 'apiKey', in: 'cookie', name: 'refresh_token' },
      'refresh_token',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  addCommonErrors(document);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    // BaseLayout: no top bar. Its Swagger logo is an SVG with an inline <style> that the
    // page's CSP (no 'unsafe-inline', see security-headers.ts) would block; the bar's one
    // other part, the spec URL box, is hidden by @nestjs/swagger anyway.
    swaggerOptions: { persistAuthorization: true, layout: 'BaseLayout' },
  });
}
