import { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { LogLevel } from '../config/app.config';
import { PinoLogger } from '../common/logger/pino-logger';

/** Nest's start-up lines ("… dependencies initialized"): noise around a one-shot command. */
const STARTUP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'NestApplicationContext']);
/**
 * A failed start is logged by Nest and TypeOrmModule with its stack, then thrown to main.ts,
 * which prints it as the one line on stderr: logged here too, it would be said three times.
 */
const START_ERROR_CONTEXTS = new Set(['ExceptionHandler', 'TypeOrmModule']);

/**
 * The app's pino logger on stderr, so stdout carries only the command's result (`--json`
 * stays parseable). Audit events keep their JSON lines; Nest's start-up lines are dropped.
 */
export class CliLogger implements LoggerService {
  private readonly logger: PinoLogger;

  constructor(level: LogLevel) {
    // Synchronous: the process exits right after the command, with nothing left unwritten.
    this.logger = PinoLogger.create(level, pino.destination({ fd: 2, sync: true }));
  }

  log(message: unknown, context?: string) {
    if (context && STARTUP_CONTEXTS.has(context)) return;
    this.logger.log(message, context);
  }

  error(message: unknown, stack?: string, context?: string) {
    if (context && START_ERROR_CONTEXTS.has(context)) return;
    this.logger.error(message, stack, context);
  }

  warn(message: unknown, context?: string) {
    this.logger.warn(message, context);
  }

  debug(message: unknown, context?: string) {
    this.logger.debug(message, context);
  }

  verbose(message: unknown, context?: string) {
    this.logger.verbose(message, context);
  }

  fatal(message: unknown, context?: string) {
    this.logger.fatal(message, context);
  }
}
