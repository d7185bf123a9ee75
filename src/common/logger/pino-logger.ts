import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { LogLevel } from '../../config/app.config';

/** Nest's logger on pino, so app and HTTP logs are one JSON stream at LOG_LEVEL. */
export class PinoLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  static create(level: LogLevel): PinoLogger {
    return new PinoLogger(pino({ level, base: undefined }));
  }

  log(message: unknown, context?: string) {
    this.pino.info({ context }, String(message));
  }

  error(message: unknown, stack?: string, context?: string) {
    this.pino.error({ context, stack }, String(message));
  }

  warn(message: unknown, context?: string) {
    this.pino.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string) {
    this.pino.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string) {
    this.pino.trace({ context }, String(message));
  }

  fatal(message: unknown, context?: string) {
    this.pino.fatal({ context }, String(message));
  }
}
