import { Logger } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { AppException, ErrorCode } from '../../common/errors';

export interface WorkerPoolOptions {
  /** Name in the logs. */
  name: string;
  /** CommonJS source run in each worker: answers every `{id, job}` with `{id, result}` or `{id, error}`. */
  source: string;
  workerData?: unknown;
  /** Most workers alive at once; they start when a job needs one. */
  size: number;
  /** Most jobs waiting for a worker (beyond the running ones); the next one is refused. */
  queueLimit: number;
  /** A worker idle this long is stopped (a new one starts when a job needs it); 0: never. */
  idleTimeoutMs?: number;
}

/** A snapshot for monitoring; `rejected` and `crashed` only ever grow. */
export interface WorkerPoolStats {
  size: number;
  workers: number;
  running: number;
  queued: number;
  queueLimit: number;
  /** Jobs refused because the queue was full. */
  rejected: number;
  /** Workers that died without being told to, each replaced. */
  crashed: number;
}

interface Task {
  job: unknown;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  task?: Task & { id: number };
  error?: Error;
  stopping?: boolean;
  idleTimer?: NodeJS.Timeout;
}

type Reply = { id: number; result?: unknown; error?: string };

const BUSY_WARNING_INTERVAL_MS = 10_000;

/** 503 `service_unavailable` with `Retry-After: 1`: a moment later a worker is likely free. */
export function unavailable(message = 'Server is busy; retry shortly'): AppException {
  return new AppException(ErrorCode.ServiceUnavailable, message, 503).withRetryAfter(1);
}

/**
 * A fixed-size pool of worker threads with one FIFO queue on the main thread. A worker gets a
 * job only when idle, so at most `size` jobs run and the rest wait in order; past `queueLimit`
 * waiting jobs a new one is refused at once with 503 rather than left to wait without end.
 * A worker that dies is replaced; only its own job fails (503).
 */
export class WorkerPool {
  private readonly logger: Logger;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private seq = 0;
  private rejected = 0;
  private crashed = 0;
  private refusedSinceWarning = 0;
  private lastWarningAt = -Infinity;
  private closing?: Promise<void>;
  private drained?: () => void;

  constructor(private readonly options: WorkerPoolOptions) {
    this.logger = new Logger(options.name);
  }

  run<T>(job: unknown): Promise<T> {
    if (this.closing) return Promise.reject(unavailable('Server is shutting down'));
    if (this.queue.length >= this.options.queueLimit && !this.canStartNow()) {
      this.refused();
      return Promise.reject(unavailable());
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, resolve: resolve as (value: unknown) => void, reject });
      this.dispatch();
    });
  }

  stats(): WorkerPoolStats {
    return {
      size: this.options.size,
      workers: this.slots.filter((slot) => !slot.stopping).length,
      running: this.slots.filter((slot) => slot.task).length,
      queued: this.queue.length,
      queueLimit: this.options.queueLimit,
      rejected: this.rejected,
      crashed: this.crashed,
    };
  }

  /**
   * Refuses the waiting jobs (503), lets the running ones finish, then stops the workers.
   * Later calls to `run` are refused too.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    for (const task of this.queue.splice(0)) task.reject(unavailable('Server is shutting down'));
    if (this.slots.some((slot) => slot.task)) {
      await new Promise<void>((resolve) => (this.drained = resolve));
    }
    await Promise.all(
      this.slots.map((slot) => {
        clearTimeout(slot.idleTimer);
        slot.stopping = true;
        return slot.worker.terminate();
      }),
    );
  }

  private canStartNow(): boolean {
    return (
      this.slots.length < this.options.size ||
      this.slots.some((slot) => !slot.task && !slot.stopping)
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot =
        this.slots.find((candidate) => !candidate.task && !candidate.stopping) ?? this.spawn();
      if (!slot) return;
      clearTimeout(slot.idleTimer);
      const task = this.queue.shift()!;
      const id = ++this.seq;
      slot.task = { ...task, id };
      // A worker with a job keeps the process alive (someone awaits the answer); an idle one not.
      slot.worker.ref();
      slot.worker.postMessage({ id, job: task.job });
    }
  }

  private spawn(): Slot | undefined {
    if (this.slots.length >= this.options.size) return undefined;
    let worker: Worker;
    try {
      worker = new Worker(this.options.source, {
        eval: true,
        workerData: this.options.workerData,
      });
    } catch (error) {
      // No thread to be had (resources exhausted): without any worker, nothing would ever
      // take the queue, so it is refused instead of left hanging.
      this.logger.error(`cannot start a worker: ${(error as Error).message}`);
      if (this.slots.length === 0) {
        for (const task of this.queue.splice(0)) task.reject(unavailable());
      }
      return undefined;
    }
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (reply: Reply) => this.answered(slot, reply));
    worker.on('error', (error) => (slot.error = error));
    worker.on('exit', (code) => this.exited(slot, code));
    this.slots.push(slot);
    return slot;
  }

  private answered(slot: Slot, { id, result, error }: Reply): void {
    const task = slot.task;
    if (!task || task.id !== id) return;
    slot.task = undefined;
    slot.worker.unref();
    if (error !== undefined) task.reject(new Error(error));
    else task.resolve(result);
    this.settled();
    if (!slot.task) this.retireWhenIdle(slot);
  }

  /**
   * Each worker is a V8 isolate of its own (~13 MB resident here); an auth server spends most
   * of its life between logins, so a worker idle for `idleTimeoutMs` is stopped. The next
   * login starts one again (tens of ms, once), for known and unknown emails alike.
   */
  private retireWhenIdle(slot: Slot): void {
    const idleMs = this.options.idleTimeoutMs ?? 0;
    if (idleMs <= 0 || this.closing) return;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (slot.task || slot.stopping || this.closing) return;
      slot.stopping = true;
      void slot.worker.terminate();
    }, idleMs);
    slot.idleTimer.unref();
  }

  private exited(slot: Slot, code: number): void {
    clearTimeout(slot.idleTimer);
    this.slots.splice(this.slots.indexOf(slot), 1);
    const task = slot.task;
    slot.task = undefined;
    if (!slot.stopping) {
      this.crashed++;
      const reason = slot.error ? `: ${slot.error.message}` : '';
      this.logger.error(`worker exited unexpectedly (code ${code})${reason}; replacing it`);
    }
    task?.reject(unavailable());
    this.settled();
  }

  /** A worker is free again: the next waiting job goes to it, or, when closing, maybe done. */
  private settled(): void {
    this.dispatch();
    if (this.drained && !this.slots.some((slot) => slot.task)) this.drained();
  }

  private refused(): void {
    this.rejected++;
    this.refusedSinceWarning++;
    const now = Date.now();
    // A flood of refusals must not become a flood of log lines: one summary per interval.
    if (now - this.lastWarningAt < BUSY_WARNING_INTERVAL_MS) return;
    this.logger.warn(
      `queue full (${this.options.queueLimit} waiting, ${this.options.size} running): ` +
        `${this.refusedSinceWarning} job(s) refused with 503 since the last warning`,
    );
    this.lastWarningAt = now;
    this.refusedSinceWarning = 0;
  }
}
