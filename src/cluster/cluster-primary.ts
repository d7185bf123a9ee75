import type { LoggerService } from '@nestjs/common';
import nodeCluster from 'node:cluster';
import { PinoLogger } from '../common/logger/pino-logger';
import { AppConfig, loadPostureConfig } from '../config';
import { logSecurityPosture } from '../config/security-posture';
import { RESTART_BACKOFF, RestartBackoff } from './restart-backoff';

/** The part of a `node:cluster` worker the primary uses. */
export interface ClusterWorker {
  id: number;
  process: { pid?: number; kill(signal?: NodeJS.Signals): boolean };
}

/** The part of `node:cluster` the primary uses (a fake in the unit spec). */
export interface ClusterLike {
  fork(): ClusterWorker;
  on(
    event: 'listening',
    listener: (worker: ClusterWorker, address: { port: number }) => void,
  ): void;
  on(event: 'exit', listener: (worker: ClusterWorker, code: number, signal: string) => void): void;
}

/**
 * How long the primary waits for its workers past their own SHUTDOWN_TIMEOUT (after which each
 * exits 1 by itself) before it kills what is left.
 */
export const SHUTDOWN_GRACE_MS = 2_000;

export interface ClusterPrimaryOptions {
  workers: number;
  /** The workers' SHUTDOWN_TIMEOUT in milliseconds. */
  shutdownTimeoutMs: number;
  logger: Pick<LoggerService, 'log' | 'warn' | 'error'>;
  /** Once, when every worker of the first generation listens. */
  onListening?: (port: number, pids: number[]) => void;
  exit?: (code: number) => void;
  cluster?: ClusterLike;
  backoff?: RestartBackoff;
}

const CONTEXT = 'Cluster';

/**
 * The `node:cluster` primary of WEB_CONCURRENCY > 1: forks the workers (each runs the whole
 * server; they share the port, the primary handing each new connection to the next worker),
 * replaces one that dies with a growing delay, and on SIGTERM/SIGINT stops them all gracefully.
 * It creates no Nest app and holds no database connection: migrations run in the workers, one
 * at a time under the schema lock (src/database/migration-lock.ts), as for separate instances.
 */
export class ClusterPrimary {
  private readonly cluster: ClusterLike;
  private readonly exit: (code: number) => void;
  private readonly backoff: RestartBackoff;
  private readonly live = new Map<number, { worker: ClusterWorker; forkedAt: number }>();
  private readonly listened = new Set<number>();
  private readonly replacements = new Set<NodeJS.Timeout>();
  private up = false;
  private stopping = false;
  private exitCode = 0;
  private deaths = 0;
  private bound?: NodeJS.Timeout;

  constructor(private readonly options: ClusterPrimaryOptions) {
    this.cluster = options.cluster ?? nodeCluster;
    this.exit = options.exit ?? ((code) => process.exit(code));
    this.backoff = options.backoff ?? RESTART_BACKOFF;
  }

  start(): void {
    this.cluster.on('listening', (worker, address) => this.onListening(worker, address.port));
    this.cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
    this.options.logger.log(
      `primary ${process.pid}: starting ${this.options.workers} workers`,
      CONTEXT,
    );
    for (let i = 0; i < this.options.workers; i++) this.fork();
  }

  /** SIGTERM to every worker (each drains its in-flight requests), then exit once all are gone. */
  shutdown(signal: NodeJS.Signals): void {
    this.stop(`${signal}: stopping`, 0);
  }

  private fork(): void {
    const worker = this.cluster.fork();
    this.live.set(worker.id, { worker, forkedAt: Date.now() });
  }

  private onListening(worker: ClusterWorker, port: number): void {
    this.listened.add(worker.id);
    if (this.stopping) return;
    if (this.up) {
      this.options.logger.log(`worker ${worker.process.pid} listening (a replacement)`, CONTEXT);
      return;
    }
    if ([...this.live.keys()].every((id) => this.listened.has(id))) {
      this.up = true;
      const pids = [...this.live.values()].map(({ worker: w }) => w.process.pid ?? 0);
      this.options.logger.log(
        `${pids.length} workers listening on http://localhost:${port} (pids ${pids.join(', ')})`,
        CONTEXT,
      );
      this.options.onListening?.(port, pids);
    }
  }

  private onExit(worker: ClusterWorker, code: number | null, signal: string | null): void {
    const entry = this.live.get(worker.id);
    this.live.delete(worker.id);
    const listened = this.listened.delete(worker.id);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const pid = worker.process.pid;
    if (this.stopping) {
      // A worker stopped before it listened served nothing; one that listened must exit 0.
      if (listened && (code !== 0 || signal)) {
        this.exitCode = 1;
        this.options.logger.error(
          `worker ${pid} exited with ${how} while stopping`,
          undefined,
          CONTEXT,
        );
      }
      this.finishIfDone();
      return;
    }
    if (!this.up) {
      // The start failed (bad database, failed migration): the others would fail alike, and
      // a single process would exit 1 here too, so the orchestrator sees it.
      this.stop(`worker ${pid} exited with ${how} during start: stopping`, 1);
      return;
    }
    const lived = Date.now() - (entry?.forkedAt ?? Date.now());
    // Deaths since the last worker that lived stableMs: each one doubles the delay.
    if (lived >= this.backoff.stableMs) this.deaths = 0;
    const delay = this.backoff.delayMs(this.deaths++);
    this.options.logger.error(
      `worker ${pid} exited unexpectedly with ${how} after ${Math.round(lived / 1000)} s; ` +
        `replacing it in ${delay} ms`,
      undefined,
      CONTEXT,
    );
    const timer = setTimeout(() => {
      this.replacements.delete(timer);
      this.fork();
    }, delay);
    this.replacements.add(timer);
  }

  private stop(reason: string, exitCode: number): void {
    if (this.stopping) return;
    this.stopping = true;
    this.exitCode = exitCode;
    for (const timer of this.replacements) clearTimeout(timer);
    this.replacements.clear();
    const pids = [...this.live.values()].map(({ worker }) => worker.process.pid);
    const message = `${reason} ${pids.length} worker(s) (pids ${pids.join(', ')})`;
    if (exitCode === 0) this.options.logger.log(message, CONTEXT);
    else this.options.logger.error(message, undefined, CONTEXT);
    // Not worker.kill(): that disconnects first, which closes the worker's server under it;
    // SIGTERM runs the worker's own graceful shutdown (src/server.ts).
    for (const { worker } of this.live.values()) worker.process.kill('SIGTERM');
    const boundMs = this.options.shutdownTimeoutMs + SHUTDOWN_GRACE_MS;
    this.bound = setTimeout(() => {
      const left = [...this.live.values()].map(({ worker }) => worker);
      this.options.logger.error(
        `workers still running ${boundMs} ms after the signal: killing ${left
          .map((w) => w.process.pid)
          .join(', ')}`,
        undefined,
        CONTEXT,
      );
      for (const worker of left) worker.process.kill('SIGKILL');
      this.exit(1);
    }, boundMs);
    this.finishIfDone();
  }

  private finishIfDone(): void {
    if (this.live.size > 0) return;
    clearTimeout(this.bound);
    this.options.logger.log(`every worker has exited; exit ${this.exitCode}`, CONTEXT);
    this.exit(this.exitCode);
  }
}

/** main.ts with WEB_CONCURRENCY > 1: the primary, its signals and the start-up report. */
export function runPrimary(config: AppConfig): void {
  const logger = PinoLogger.create(config.logLevel);
  const primary = new ClusterPrimary({
    workers: config.webConcurrency,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    logger,
    onListening: () => logSecurityPosture(loadPostureConfig(), logger),
  });
  process.on('SIGTERM', () => primary.shutdown('SIGTERM'));
  process.on('SIGINT', () => primary.shutdown('SIGINT'));
  primary.start();
}
