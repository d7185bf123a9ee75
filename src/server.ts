import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureApp, createFastifyAdapter, NEST_APP_OPTIONS } from './app.setup';
import { AppModule } from './app.module';
import { PinoLogger } from './common/logger/pino-logger';
import { AppConfig, AuthConfig, DatabaseConfig } from './config';
import { logSecurityPosture } from './config/security-posture';
import { isDatabaseUnavailable, isTransactionConflict } from './database/db-errors';
import { exposedGc, IdleHeapTrim } from './common/memory/idle-heap-trim';

/**
 * One serving process: the whole server with WEB_CONCURRENCY=1, or one cluster worker. The
 * environment was validated by main.ts. `reportPosture`: log the start-up security report
 * (a cluster's primary logs it once for all its workers instead).
 */
export async function serve(config: AppConfig, { reportPosture = true } = {}): Promise<void> {
  const logger = PinoLogger.create(config.logLevel);
  let app: NestFastifyApplication;
  try {
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule,
      createFastifyAdapter(config),
      {
        ...NEST_APP_OPTIONS,
        logger,
        abortOnError: false,
      },
    );
    await configureApp(app);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const what = isTransactionConflict(error)
      ? 'a database transaction lost to another instance'
      : isDatabaseUnavailable(error)
        ? 'cannot reach the database'
        : 'error';
    console.error(`Start failed: ${what} (${reason})`);
    process.exit(1);
  }
  // SIGTERM/SIGINT: stop accepting and let in-flight requests finish first, then the modules'
  // shutdown hooks stop the bcrypt workers and close the pool; exit 0. Not Nest's
  // enableShutdownHooks: it runs onModuleDestroy (which stops the workers) before it closes
  // the HTTP server, so a login in flight never got its answer. If closing hangs past the
  // bound, exit 1 rather than linger.
  let stopping = false;
  let stopIdleTrim: () => void = () => undefined;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    stopIdleTrim();
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    Promise.resolve(app.getHttpAdapter().close())
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(
            `shutdown failed: ${error instanceof Error ? error.message : String(error)}`,
            error instanceof Error ? error.stack : undefined,
            'Bootstrap',
          );
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  await app.listen(config.port, '0.0.0.0');
  logger.log(`listening on http://localhost:${config.port} (Swagger UI at /docs)`, 'Bootstrap');
  // Started with --expose-gc (npm start, start:prod, the Docker image): an idle server gives
  // the garbage of its last busy spell back.
  stopIdleTrim = new IdleHeapTrim({ gc: exposedGc() }).start();
  if (reportPosture) {
    const settings = app.get(ConfigService);
    logSecurityPosture(
      {
        app: config,
        auth: settings.getOrThrow<AuthConfig>('auth'),
        database: settings.getOrThrow<DatabaseConfig>('database'),
        rateLimit: settings.get('rateLimit'),
        keys: settings.get('keys'),
        oauth: settings.get('oauth'),
        mail: settings.get('mail'),
        mfa: settings.get('mfa'),
      },
      logger,
    );
  }
}
