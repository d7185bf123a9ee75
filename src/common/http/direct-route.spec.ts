import {
  CallHandler,
  CanActivate,
  Controller,
  ExecutionContext,
  Header,
  HttpCode,
  Injectable,
  NestInterceptor,
  Post,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppException, ErrorCode } from '../errors';
import { AllExceptionsFilter } from '../filters/all-exceptions.filter';
import { isServedDirectly, serveDirectly } from './direct-route';

const calls: string[] = [];

@Injectable()
class GlobalGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    calls.push(`global:${context.getHandler().name}`);
    return true;
  }
}

@Injectable()
class AsyncGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string> }>();
    calls.push('route');
    if (request.headers['x-refuse'] === 'throw') {
      throw new AppException(ErrorCode.TokenInvalid, 'refused by the guard');
    }
    return request.headers['x-refuse'] !== 'false';
  }
}

@Injectable()
class Passthrough implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    return next.handle();
  }
}

/** A guard given as an instance rather than a class. */
const instanceGuard: CanActivate = {
  canActivate: () => {
    calls.push('instance');
    return true;
  },
};

@Controller('t')
class TestController {
  @UseGuards(AsyncGuard, instanceGuard)
  @HttpCode(200)
  @Post('plain')
  plain() {
    calls.push('handler');
    return Promise.resolve({ ok: true });
  }

  @UseInterceptors(Passthrough)
  @Post('intercepted')
  intercepted() {
    return Promise.resolve({});
  }

  @Header('X-Extra', '1')
  @Post('headers')
  headers() {
    return Promise.resolve({});
  }
}

describe('serveDirectly', () => {
  let app: NestFastifyApplication;

  beforeEach(async () => {
    calls.length = 0;
    const moduleRef = await Test.createTestingModule({
      controllers: [TestController],
      providers: [
        AsyncGuard,
        { provide: APP_GUARD, useClass: GlobalGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
  });
  afterEach(() => app.close());

  const route = (handler: 'plain' | 'intercepted' | 'headers') => ({
    method: 'POST' as const,
    url: `/t/${handler}`,
    controller: TestController,
    handler,
    call: (controller: TestController) => controller[handler](),
  });

  async function serve() {
    serveDirectly(app, route('plain'));
    await app.init();
    const fastify = app.getHttpAdapter().getInstance();
    await fastify.ready();
    return fastify;
  }

  it('runs the global then the route guards, then the method, with its status code', async () => {
    const fastify = await serve();
    expect(isServedDirectly(fastify, 'POST', '/t/plain')).toBe(true);
    const res = await fastify.inject({ method: 'POST', url: '/t/plain' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(calls).toEqual(['global:plain', 'route', 'instance', 'handler']);
  });

  it('answers a guard that says no as Nest does (403), one that throws by the filter', async () => {
    const fastify = await serve();
    const no = await fastify.inject({
      method: 'POST',
      url: '/t/plain',
      headers: { 'x-refuse': 'false' },
    });
    expect(no.statusCode).toBe(403);
    expect(no.json()).toMatchObject({ code: 'forbidden', message: 'Forbidden resource' });
    const thrown = await fastify.inject({
      method: 'POST',
      url: '/t/plain',
      headers: { 'x-refuse': 'throw' },
    });
    expect(thrown.statusCode).toBe(401);
    expect(thrown.json()).toMatchObject({ code: 'token_invalid', message: 'refused by the guard' });
    expect(calls).not.toContain('handler');
  });

  it('refuses routes it would serve differently: interceptors, @Header', () => {
    expect(() => serveDirectly(app, route('intercepted'))).toThrow(/interceptors/);
    expect(() => serveDirectly(app, route('headers'))).toThrow(/__headers__/);
  });

  it('fails the start when the route does not exist', async () => {
    serveDirectly(app, { ...route('plain'), url: '/t/missing' });
    await app.init();
    const fastify = app.getHttpAdapter().getInstance();
    await expect(fastify.ready()).rejects.toThrow(/no route POST \/t\/missing/);
  });
});
