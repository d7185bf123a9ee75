import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Level, Logger } from 'pino';
import { LogLevel } from '../../config/app.config';

const isFields = (message: unknown): message is Record<string, unknown> =>
  typeof message === 'object' &&
  message !== null &&
  !Array.isArray(message) &&
  !(message instanceof Error);

/**
 * Nest's logger on pino, so app and HTTP logs are one JSON stream at LOG_LEVEL. A plain-object
 * message (an AuditLog event) becomes fields of its line, with its `event` as `msg`.
 */
export class PinoLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  /** `destination` defaults to stdout; tests pass a stream that collects the lines. */
  static create(level: LogLevel, destination?: DestinationStream): PinoLogger {
    const options = { level, base: undefined };
    return new PinoLogger(destination ? pino(options, destination) : pino(options));
  }

  log(message: unknown, context?: string) {
    this.write('info', message, { context });
  }

  error(message: unknown, stack?: string, context?: string) {
    this.write('error', message, { context, stack });
  }

  warn(message: unknown, context?: string) {
    this.write('warn', message, { context });
  }

  debug(message: unknown, context?: string) {
    this.write('debug', message, { context });
  }

  verbose(message: unknown, context?: string) {
    this.write('trace', message, { context });
  }

  fatal(message: unknown, context?: string) {
    this.write('fatal', message, { context });
  }

  private write(level: Level, message: unknown, meta: Record<string, unknown>) {
    if (isFields(message)) {
      const msg = typeof message.event === 'string' ? message.event : '';
      this.pino[level]({ ...meta, ...message }, msg);
    } else {
      this.pino[level](meta, String(message));
    }
  }
}
