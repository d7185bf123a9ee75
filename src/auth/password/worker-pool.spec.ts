import { Logger } from '@nestjs/common';
import { AppException } from '../../common/errors';
import { WorkerPool } from './worker-pool';

/**
 * A stand-in worker whose jobs block on a shared gate until the test opens it, so "busy" is a
 * state the test controls rather than a race against the clock. It counts the jobs running at
 * once across all workers (state[1]) and the most ever seen (state[2]).
 */
const GATED_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const state = new Int32Array(workerData.state);
parentPort.on('message', ({ id, job }) => {
  if (job.crash === 'throw') throw new Error('worker blew up');
  if (job.crash === 'exit') process.exit(3);
  const now = Atomics.add(state, 1, 1) + 1;
  let max;
  while ((max = Atomics.load(state, 2)) < now && Atomics.compareExchange(state, 2, max, now) !== max);
  if (job.gated) Atomics.wait(state, 0, 0, 20000);
  Atomics.sub(state, 1, 1);
  if (job.fail) parentPort.postMessage({ id, error: 'job failed' });
  else parentPort.postMessage({ id, result: job.value });
});`;

interface TestJob {
  value?: string;
  gated?: boolean;
  crash?: 'throw' | 'exit';
  fail?: boolean;
}

function gatedPool(size: number, queueLimit: number, idleTimeoutMs = 0) {
  const state = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  const pool = new WorkerPool({
    name: 'TestPool',
    source: GATED_WORKER,
    workerData: { state: state.buffer },
    size,
    queueLimit,
    idleTimeoutMs,
  });
  return {
    pool,
    run: (job: TestJob) => pool.run<string>(job),
    open: () => {
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
    },
    isOpen: () => Atomics.load(state, 0) === 1,
    runningInWorkers: () => Atomics.load(state, 1),
    maxInWorkers: () => Atomics.load(state, 2),
  };
}

/** Polls until `check` holds: for state that changes on another thread. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function expectUnavailable(error: unknown): void {
  expect(error).toBeInstanceOf(AppException);
  const exception = error as AppException;
  expect(exception.getStatus()).toBe(503);
  expect(exception.code).toBe('service_unavailable');
  expect(exception.retryAfter).toBe(1);
}

describe('WorkerPool', () => {
  const made: ReturnType<typeof gatedPool>[] = [];
  const make = (size: number, queueLimit: number, idleTimeoutMs = 0) => {
    made.push(gatedPool(size, queueLimit, idleTimeoutMs));
    return made[made.length - 1];
  };
  let errorLog: jest.SpyInstance;
  let warnLog: jest.SpyInstance;
  beforeEach(() => {
    errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    warnLog = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    // A failed test may leave its gate shut: open it, so closing does not wait on it.
    await Promise.all(made.splice(0).map((t) => (t.open(), t.pool.close())));
  });

  it('refuses a job at once with 503 + Retry-After when the queue is full, and runs the rest', async () => {
    const t = make(1, 2);
    const running = t.run({ value: 'a', gated: true });
    const queued = [t.run({ value: 'b' }), t.run({ value: 'c' })];
    await until(() => t.runningInWorkers() === 1, 'the first job to start');

    const refused = await t.run({ value: 'd' }).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    // Settled while the gate is still shut: no job could have finished, so it was refused
    // on arrival, not after a wait.
    expect(t.isOpen()).toBe(false);
    expectUnavailable(refused);
    expect(t.pool.stats()).toMatchObject({ running: 1, queued: 2, queueLimit: 2, rejected: 1 });
    expect(warnLog).toHaveBeenCalledTimes(1);

    t.open();
    await expect(Promise.all([running, ...queued])).resolves.toEqual(['a', 'b', 'c']);
    expect(t.pool.stats()).toMatchObject({ workers: 1, running: 0, queued: 0, rejected: 1 });
    // Room again: the next job is accepted.
    await expect(t.run({ value: 'e' })).resolves.toBe('e');
  });

  it('runs queued jobs first in, first out', async () => {
    const t = make(1, 10);
    const order: string[] = [];
    const jobs = ['first', 'second', 'third', 'fourth', 'fifth'].map((value, i) =>
      t.run({ value, gated: i === 0 }).then((result) => order.push(result)),
    );
    await until(() => t.runningInWorkers() === 1, 'the first job to start');
    expect(t.pool.stats()).toMatchObject({ running: 1, queued: 4 });
    t.open();
    await Promise.all(jobs);
    expect(order).toEqual(['first', 'second', 'third', 'fourth', 'fifth']);
  });

  it('never runs more jobs at once than it has workers, one job per worker', async () => {
    const t = make(3, 100);
    const jobs = Array.from({ length: 12 }, (_, i) => t.run({ value: String(i), gated: true }));
    await until(() => t.runningInWorkers() === 3, 'three jobs to start');
    // Give a fourth job every chance to start, were the pool to post one to a busy worker.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(t.runningInWorkers()).toBe(3);
    expect(t.pool.stats()).toMatchObject({ size: 3, workers: 3, running: 3, queued: 9 });
    t.open();
    await expect(Promise.all(jobs)).resolves.toHaveLength(12);
    expect(t.maxInWorkers()).toBe(3);
    expect(t.pool.stats()).toMatchObject({ workers: 3, running: 0, queued: 0 });
  });

  it.each(['throw', 'exit'] as const)(
    'replaces a worker that dies (%s): its job gets 503, the queued ones still run',
    async (crash) => {
      const t = make(1, 10);
      const doomed = t.run({ crash });
      const after = [t.run({ value: 'x' }), t.run({ value: 'y' })];
      expectUnavailable(await doomed.catch((error: unknown) => error));
      await expect(Promise.all(after)).resolves.toEqual(['x', 'y']);
      expect(t.pool.stats()).toMatchObject({ workers: 1, running: 0, queued: 0, crashed: 1 });
      expect(errorLog).toHaveBeenCalledWith(expect.stringMatching(/exited unexpectedly/));
    },
  );

  it('passes a failed job on as an error without losing the worker', async () => {
    const t = make(1, 10);
    await expect(t.run({ fail: true })).rejects.toThrow('job failed');
    await expect(t.run({ value: 'still here' })).resolves.toBe('still here');
    expect(t.pool.stats()).toMatchObject({ workers: 1, crashed: 0 });
  });

  it('on close refuses the queued jobs, finishes the running one, then refuses new ones', async () => {
    const t = make(1, 10);
    const running = t.run({ value: 'in flight', gated: true });
    const queued = t.run({ value: 'waiting' });
    await until(() => t.runningInWorkers() === 1, 'the first job to start');

    let closed = false;
    const closing = t.pool.close().then(() => (closed = true));
    expectUnavailable(await queued.catch((error: unknown) => error));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);

    t.open();
    await expect(running).resolves.toBe('in flight');
    await closing;
    expect(t.pool.stats()).toMatchObject({ workers: 0, running: 0, queued: 0, crashed: 0 });
    expectUnavailable(await t.run({ value: 'late' }).catch((error: unknown) => error));
  });

  it('starts workers only when jobs need them', async () => {
    const t = make(4, 10);
    expect(t.pool.stats().workers).toBe(0);
    await t.run({ value: 'one' });
    expect(t.pool.stats().workers).toBe(1);
  });

  it('stops workers that stay idle for idleTimeoutMs, and starts one again for the next job', async () => {
    const { pool, run } = make(2, 4, 100);
    await expect(Promise.all([run({ value: 'a' }), run({ value: 'b' })])).resolves.toEqual([
      'a',
      'b',
    ]);
    expect(pool.stats().workers).toBe(2);
    await until(() => pool.stats().workers === 0, 'idle workers to stop');
    await expect(run({ value: 'again' })).resolves.toBe('again');
    expect(pool.stats()).toMatchObject({ workers: 1, crashed: 0 });
  });

  it('keeps a worker that gets a new job before its idle time is up', async () => {
    const { pool, run } = make(1, 4, 300);
    await run({ value: 'first' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await run({ value: 'second' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pool.stats().workers).toBe(1);
  });
});
