import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { getRounds } from 'bcryptjs';
import { authConfig } from '../../config/auth.config';
import { WorkerPool, WorkerPoolStats } from './worker-pool';

type Job =
  | { op: 'hash'; password: string; cost: number }
  | { op: 'compare'; password: string; hash: string };

// bcryptjs is pure JavaScript, and its async API only slices the work on the same thread: one
// cost-10 comparison still costs the event loop ~100 ms, eight at once most of a second. So
// every hash and comparison runs on a worker thread, never on the main one.
// On Linux a thread's nice value is its own, so each worker lowers its priority (nice
// BCRYPT_WORKER_NICE): when hashing and the event loop want the same core, the event loop wins,
// and a login storm costs other requests' latency little. Elsewhere setPriority(0) would lower
// the whole process, so it is Linux only.
export const BCRYPT_WORKER_NICE = 10;
const BCRYPT_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
if (process.platform === 'linux') {
  try { require('node:os').setPriority(0, workerData.nice); } catch { /* not permitted: keep 0 */ }
}
parentPort.on('message', ({ id, job }) => {
  try {
    const result = job.op === 'hash'
      ? bcrypt.hashSync(job.password, job.cost)
      : bcrypt.compareSync(job.password, job.hash);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});`;

/** Workers idle this long are stopped, giving their memory back (see WorkerPool). */
const BCRYPT_WORKER_IDLE_MS = 30_000;

const DUMMY_PASSWORD = 'dummy-password-for-timing';

/**
 * bcrypt hashing and comparison on a pool of worker threads (BCRYPT_WORKERS, BCRYPT_QUEUE_LIMIT),
 * plus the dummy hash that makes a login for an unknown email cost the same time as one with a
 * wrong password. When the pool's queue is full, `hash` and `compare` reject at once with 503
 * `service_unavailable` and `Retry-After: 1`: for every email alike, so it tells nothing.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit, OnModuleDestroy {
  private readonly pool: WorkerPool;
  private dummyHash?: Promise<string>;

  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {
    this.pool = new WorkerPool({
      name: 'PasswordHasher',
      source: BCRYPT_WORKER_SOURCE,
      workerData: { bcryptPath: require.resolve('bcryptjs'), nice: BCRYPT_WORKER_NICE },
      size: config.bcryptWorkers,
      queueLimit: config.bcryptQueueLimit,
      idleTimeoutMs: BCRYPT_WORKER_IDLE_MS,
    });
  }

  hash(password: string): Promise<string> {
    return this.run<string>({ op: 'hash', password, cost: this.config.bcryptCost });
  }

  compare(password: string, hash: string): Promise<boolean> {
    return this.run<boolean>({ op: 'compare', password, hash });
  }

  /**
   * Makes the dummy hash at start, so not even the first login pays for it (the first
   * unknown-email login would otherwise take two bcrypt runs).
   */
  onModuleInit(): void {
    void this.dummy().catch(() => undefined);
  }

  /** Spends one comparison's time on a hash nobody's password matches. */
  async compareWithDummy(password: string): Promise<false> {
    await this.compare(password, await this.dummy());
    return false;
  }

  /** A hash made with a lower cost than configured is upgraded at the next login. */
  needsRehash(hash: string): boolean {
    return getRounds(hash) < this.config.bcryptCost;
  }

  /** Workers, running and queued jobs, refusals and crashes: for monitoring. */
  stats(): WorkerPoolStats {
    return this.pool.stats();
  }

  /** Refuses queued jobs (503), lets running ones finish, stops the workers. */
  onModuleDestroy(): Promise<void> {
    return this.pool.close();
  }

  private run<T>(job: Job): Promise<T> {
    return this.pool.run<T>(job);
  }

  private dummy(): Promise<string> {
    if (!this.dummyHash) {
      const made = this.hash(DUMMY_PASSWORD);
      // A dummy hash refused (queue full) or lost (worker crash) is made again next time,
      // not kept as a rejection that would fail every later unknown-email login.
      made.catch(() => {
        if (this.dummyHash === made) this.dummyHash = undefined;
      });
      this.dummyHash = made;
    }
    return this.dummyHash;
  }
}
