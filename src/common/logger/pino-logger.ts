import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Level, Logger } from 'pino';
import { LogLevel } from '../../config/app.config';
import { currentRequestId } from './request-context';

/**
 * pino's mixin: the current request's id on every line written while it is handled (a fresh
 * object: pino merges the line's fields into it). Called only for a line that is written, so
 * requests cost nothing here at a LOG_LEVEL that drops their lines.
 */
const requestIdField = () => {
  const requestId = currentRequestId();
  return requestId === undefined ? {} : { requestId };
};

const isFields = (message: unknown): message is Record<string, unknown> =>
  typeof message === 'object' &&
  message !== null &&
  !Array.isArray(message) &&
  !(message instanceof Error);

/**
 * Nest's logger on pino, so app and HTTP logs are one JSON stream at LOG_LEVEL. A plain-object
 * message (an AuditLog event) becomes fields of its line, with its `msg` or else its `event` as
 * `msg`. A line written while a request is handled carries the request's `requestId`.
 */
export class PinoLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  /** `destination` defaults to stdout; tests pass a stream that collects the lines. */
  static create(level: LogLevel, destination?: DestinationStream): PinoLogger {
    const options = { level, base: undefined, mixin: requestIdField };
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
    // Audit events come once or twice a request: at a level that drops them, build nothing.
    if (!this.pino.isLevelEnabled(level)) return;
    if (isFields(message)) {
      const { msg, ...fields } = message;
      const text =
        typeof msg === 'string' ? msg : typeof fields.event === 'string' ? fields.event : '';
      this.pino[level]({ ...meta, ...fields }, text);
    } else {
      this.pino[level](meta, String(message));
    }
  }
}
