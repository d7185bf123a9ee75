import {
  ArgumentsHost,
  BadRequestException,
  InternalServerErrorException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AppException, ErrorCode } from '../errors';
import { Metrics } from '../../metrics/metrics.service';
import { AllExceptionsFilter, ErrorBody } from './all-exceptions.filter';

interface Captured {
  status?: number;
  headers: Record<string, string>;
  body?: ErrorBody;
}

/** A Fastify-shaped request/reply pair behind a fake ArgumentsHost; the reply records what is sent. */
function fakeHost(headers: Record<string, string> = {}) {
  const captured: Captured = { headers: {} };
  const reply = {
    status(code: number) {
      captured.status = code;
      return reply;
    },
    header(name: string, value: string) {
      captured.headers[name.toLowerCase()] = value;
      return reply;
    },
    send(body: ErrorBody) {
      captured.body = body;
      return reply;
    },
  };
  const request = {
    id: 'req-42',
    method: 'POST',
    url: '/api/things',
    routeOptions: { url: '/api/things' },
    headers,
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  return { host, captured };
}

function render(exception: unknown, headers?: Record<string, string>): Captured {
  const { host, captured } = fakeHost(headers);
  new AllExceptionsFilter().catch(exception, host);
  return captured;
}

describe('AllExceptionsFilter', () => {
  let errorLog: jest.SpyInstance;
  let warnLog: jest.SpyInstance;
  beforeEach(() => {
    errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    warnLog = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  describe('AppException', () => {
    it('renders its code, status and message', () => {
      const sent = render(new AppException(ErrorCode.EmailTaken, 'Email is already registered'));
      expect(sent.status).toBe(409);
      expect(sent.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        code: 'email_taken',
        message: 'Email is already registered',
        requestId: 'req-42',
      });
      expect(sent.headers['x-request-id']).toBe('req-42');
      expect(sent.headers['www-authenticate']).toBeUndefined();
    });

    it('honours an explicit status', () => {
      const sent = render(new AppException(ErrorCode.RefreshTokenReused, 'reused'));
      expect(sent.status).toBe(401);
      expect(sent.body).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'refresh_token_reused',
      });
    });

    it('adds a Bearer challenge to access-token 401s, with invalid_token when a token was sent', () => {
      const withoutToken = render(new AppException(ErrorCode.TokenMissing, 'missing', 401, true));
      expect(withoutToken.headers['www-authenticate']).toBe('Bearer realm="api"');

      const withToken = render(new AppException(ErrorCode.TokenInvalid, 'invalid', 401, true), {
        authorization: 'Bearer abc.def.ghi',
      });
      expect(withToken.status).toBe(401);
      expect(withToken.body).toMatchObject({ code: 'token_invalid' });
      expect(withToken.headers['www-authenticate']).toBe(
        'Bearer realm="api", error="invalid_token"',
      );
    });

    it("sends an exception's own Retry-After instead of the 503 default", () => {
      const busy = render(new AppException(ErrorCode.ServiceUnavailable, 'busy').withRetryAfter(1));
      expect(busy.status).toBe(503);
      expect(busy.body).toMatchObject({ statusCode: 503, code: 'service_unavailable' });
      expect(busy.headers['retry-after']).toBe('1');
      const plain = render(new AppException(ErrorCode.ServiceUnavailable, 'down'));
      expect(plain.headers['retry-after']).toBe('5');
      expect(render(new AppException(ErrorCode.Conflict, 'x')).headers).not.toHaveProperty(
        'retry-after',
      );
    });

    it('adds no challenge to refresh-token 401s', () => {
      const sent = render(new AppException(ErrorCode.RefreshTokenInvalid, 'invalid'), {
        authorization: 'Bearer abc.def.ghi',
      });
      expect(sent.status).toBe(401);
      expect(sent.headers['www-authenticate']).toBeUndefined();
    });
  });

  describe("Nest's HttpExceptions", () => {
    it('maps a 404 to not_found with a fixed message', () => {
      const sent = render(new NotFoundException('Cannot GET /api/secret-internal-path'));
      expect(sent.status).toBe(404);
      expect(sent.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        code: 'not_found',
        message: 'Resource not found',
        requestId: 'req-42',
      });
    });

    it('maps a 400 to validation_failed with a message list', () => {
      const sent = render(new BadRequestException(['email must be an email']));
      expect(sent.status).toBe(400);
      expect(sent.body).toMatchObject({
        code: 'validation_failed',
        message: ['email must be an email'],
      });
    });
  });

  describe("Fastify's parser errors", () => {
    it('maps FST_ERR_CTP_BODY_TOO_LARGE to 413 payload_too_large', () => {
      const error = Object.assign(new Error('Request body is too large'), {
        code: 'FST_ERR_CTP_BODY_TOO_LARGE',
        statusCode: 413,
      });
      const sent = render(error);
      expect(sent.status).toBe(413);
      expect(sent.body).toMatchObject({
        statusCode: 413,
        error: 'Payload Too Large',
        code: 'payload_too_large',
      });
    });

    it('maps FST_ERR_CTP_INVALID_MEDIA_TYPE to 415 unsupported_media_type', () => {
      const error = Object.assign(new Error('Unsupported Media Type: text/plain'), {
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        statusCode: 415,
      });
      const sent = render(error);
      expect(sent.status).toBe(415);
      expect(sent.body).toMatchObject({ statusCode: 415, code: 'unsupported_media_type' });
    });

    it('maps malformed JSON to 400 validation_failed', () => {
      const sent = render(new SyntaxError('Unexpected token } in JSON at position 9'));
      expect(sent.status).toBe(400);
      expect(sent.body).toMatchObject({
        code: 'validation_failed',
        message: ['body must be valid JSON'],
      });
    });
  });

  describe('database errors', () => {
    it('maps a unique violation (QueryFailedError, ER_DUP_ENTRY) to 409 conflict without the SQL', () => {
      const driverError = Object.assign(
        new Error("Duplicate entry 'a@b.c' for key 'uq_users_email'"),
        {
          code: 'ER_DUP_ENTRY',
          errno: 1062,
        },
      );
      const error = new QueryFailedError(
        'INSERT INTO `users` (`email`) VALUES (?)',
        ['a@b.c'],
        driverError,
      );
      const sent = render(error);
      expect(sent.status).toBe(409);
      expect(sent.body).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'conflict' });
      expect(JSON.stringify(sent.body)).not.toMatch(/INSERT|uq_users_email|a@b\.c/);
    });

    it('finds the duplicate code on driverError alone', () => {
      const error = Object.assign(new Error('query failed'), {
        name: 'QueryFailedError',
        driverError: { code: 'ER_DUP_ENTRY' },
      });
      const sent = render(error);
      expect(sent.status).toBe(409);
      expect(sent.body).toMatchObject({ code: 'conflict' });
    });

    it.each([
      [
        'code ECONNREFUSED',
        Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:3306'), { code: 'ECONNREFUSED' }),
      ],
      [
        'code PROTOCOL_CONNECTION_LOST',
        Object.assign(new Error('Connection lost: The server closed the connection.'), {
          code: 'PROTOCOL_CONNECTION_LOST',
        }),
      ],
      [
        'name CannotConnectError',
        Object.assign(new Error('Cannot connect to mysql'), { name: 'CannotConnectError' }),
      ],
      [
        'a QueryFailedError wrapping ECONNREFUSED',
        new QueryFailedError(
          'SELECT 1',
          [],
          Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        ),
      ],
    ])('maps %s to 503 service_unavailable with Retry-After', (_label, error) => {
      const sent = render(error);
      expect(sent.status).toBe(503);
      expect(sent.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'service_unavailable',
        message: 'Service temporarily unavailable',
        requestId: 'req-42',
      });
      expect(sent.headers['retry-after']).toBe('5');
      expect(JSON.stringify(sent.body)).not.toMatch(/10\.0\.0\.5|ECONNREFUSED|mysql/);
      expect(warnLog).toHaveBeenCalled();
    });
  });

  describe('anything else', () => {
    it('renders 500 internal_error with a generic message and logs the request id and stack', () => {
      const error = new Error('secret detail: password=hunter2 at /srv/app/db.ts');
      const sent = render(error);
      expect(sent.status).toBe(500);
      expect(sent.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        code: 'internal_error',
        message: 'Internal server error',
        requestId: 'req-42',
      });
      const json = JSON.stringify(sent.body);
      expect(json).not.toContain('hunter2');
      expect(json).not.toContain('stack');
      expect(json).not.toMatch(/\s+at\s/);
      expect(errorLog).toHaveBeenCalledWith(expect.stringContaining('req-42'), error.stack);
    });

    it('renders a thrown non-Error value the same way', () => {
      const sent = render('just a string');
      expect(sent.status).toBe(500);
      expect(sent.body).toMatchObject({ code: 'internal_error', message: 'Internal server error' });
    });

    it("does not leak a 5xx HttpException's message", () => {
      const sent = render(new InternalServerErrorException('pool exhausted on db-7.internal'));
      expect(sent.status).toBe(500);
      expect(sent.body).toMatchObject({ code: 'internal_error', message: 'Internal server error' });
      expect(errorLog).toHaveBeenCalled();
    });
  });

  describe('metrics', () => {
    it('counts each rendered error with its route, status and code', () => {
      const countError = jest.fn();
      const { host } = fakeHost();
      const filter = new AllExceptionsFilter({ countError } as unknown as Metrics);
      filter.catch(
        new AppException(ErrorCode.InvalidCredentials, 'Invalid email or password'),
        host,
      );
      expect(countError).toHaveBeenCalledWith('/api/things', 401, 'invalid_credentials');
    });
  });
});
