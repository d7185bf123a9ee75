import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { getRounds } from 'bcryptjs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { authConfig } from '../../config/auth.config';

type Job =
  | { op: 'hash'; password: string; cost: number }
  | { op: 'compare'; password: string; hash: string };
interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

// bcryptjs is pure JavaScript: a cost-11 hash is ~100 ms of CPU. Run on the main thread it
// would stall every other request, so each call goes to a small pool of worker threads.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
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

/**
 * bcrypt hashing and comparison off the event loop, plus the dummy hash that makes a login for
 * an unknown email cost the same time as one with a wrong password.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit, OnModuleDestroy {
  private workers: Worker[] = [];
  private next = 0;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private dummyHash?: Promise<string>;

  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {}

  hash(password: string): Promise<string> {
    return this.run({ op: 'hash', password, cost: this.config.bcryptCost }) as Promise<string>;
  }

  compare(password: string, hash: string): Promise<boolean> {
    return this.run({ op: 'compare', password, hash }) as Promise<boolean>;
  }

  /**
   * Starts the workers and makes the dummy hash at start, so not even the first login pays
   * for them (the first unknown-email login would otherwise take two bcrypt runs).
   */
  onModuleInit(): void {
    this.dummyHash = this.hash('dummy-password-for-timing');
    this.dummyHash.catch(() => undefined);
  }

  /** Spends one comparison's time on a hash nobody's password matches. */
  async compareWithDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('dummy-password-for-timing');
    await this.compare(password, await this.dummyHash);
    return false;
  }

  /** A hash made with a lower cost than configured is upgraded at the next login. */
  needsRehash(hash: string): boolean {
    return getRounds(hash) < this.config.bcryptCost;
  }

  async onModuleDestroy(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private run(job: Job): Promise<unknown> {
    if (this.workers.length === 0) this.start();
    const id = ++this.seq;
    const worker = this.workers[this.next++ % this.workers.length];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, job });
    });
  }

  private start(): void {
    const size = Math.max(1, Math.min(availableParallelism(), 4));
    const bcryptPath = require.resolve('bcryptjs');
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } });
      worker.unref();
      worker.on(
        'message',
        ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
          const pending = this.pending.get(id);
          this.pending.delete(id);
          if (error !== undefined) pending?.reject(new Error(error));
          else pending?.resolve(result);
        },
      );
      worker.on('error', (error) => this.failAll(error));
      this.workers.push(worker);
    }
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    void this.onModuleDestroy();
  }
}
