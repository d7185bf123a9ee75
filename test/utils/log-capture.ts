import { PinoLogger } from '../../src/common/logger/pino-logger';

/**
 * Collects the app's log lines (every level, trace up) for assertions:
 * `createTestApp(env, { logs })`. Nest's logger is process-wide, so a test file that captures
 * should run one app at a time: an app created later takes the logger over.
 */
export class LogCapture {
  readonly lines: string[] = [];

  /** The app logger main.ts would make, writing into `lines` instead of stdout. */
  logger(): PinoLogger {
    return PinoLogger.create('trace', { write: (line: string) => void this.lines.push(line) });
  }

  /** Every line, parsed (each is one JSON object). */
  entries(): Record<string, any>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, any>);
  }

  /** The audit events, optionally only those named `event`. */
  events(event?: string): Record<string, any>[] {
    return this.entries().filter((e) => e.event && (event === undefined || e.event === event));
  }

  /** Everything captured, as one string. */
  text(): string {
    return this.lines.join('');
  }

  clear(): void {
    this.lines.length = 0;
  }
}
