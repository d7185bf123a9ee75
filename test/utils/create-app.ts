import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ServerOptions } from 'node:http';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp, createFastifyAdapter, NEST_APP_OPTIONS } from '../../src/app.setup';
import { Clock } from '../../src/common/clock';
import { loadAppConfig } from '../../src/config/app.config';
import { prepareTestDatabase } from './db';
import { LogCapture } from './log-capture';
import { BASE_TEST_ENV } from './test-env';

/** A clock tests can move: `clock.advance(3600)` instead of sleeping. */
export class TestClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  http: () => TestAgent;
  clock: TestClock;
  dataSource: DataSource;
  close: () => Promise<void>;
}

export interface TestAppOptions {
  /** Capture the app's logs (pino JSON lines, every level) here; without it nothing is logged. */
  logs?: LogCapture;
  /** Node http server options beside the app's (e.g. a short headersTimeout). */
  server?: ServerOptions;
  /** false: every route through Nest's router, none served directly (direct-route.ts). */
  directRoutes?: boolean;
}

/**
 * The real app (AppModule, production pipeline from configureApp) on a real database, served
 * over HTTP for supertest. `env` overrides BASE_TEST_ENV for this app only.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const databaseUrl = await prepareTestDatabase();
  const saved = { ...process.env };
  Object.assign(process.env, BASE_TEST_ENV, { DATABASE_URL: databaseUrl }, env);
  const clock = new TestClock();
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(
      createFastifyAdapter(loadAppConfig(process.env), options.server),
      { ...NEST_APP_OPTIONS, logger: options.logs?.logger() ?? false },
    );
    await configureApp(app, { directRoutes: options.directRoutes });
    const server = app.getHttpServer();
    return {
      app,
      http: () => request(server),
      clock,
      dataSource: app.get(DataSource),
      close: () => app.close(),
    };
  } finally {
    process.env = saved;
  }
}
