import { EventEmitter } from 'node:events';
import { ClusterLike, ClusterPrimary, ClusterWorker, SHUTDOWN_GRACE_MS } from './cluster-primary';
import { restartBackoff } from './restart-backoff';

/** node:cluster as the primary sees it: fork() makes workers, the test emits their events. */
class FakeCluster extends EventEmitter implements ClusterLike {
  readonly workers: (ClusterWorker & { signals: string[] })[] = [];
  private nextId = 1;

  fork(): ClusterWorker {
    const id = this.nextId++;
    const signals: string[] = [];
    const worker = {
      id,
      signals,
      process: { pid: 1000 + id, kill: (signal?: NodeJS.Signals) => signals.push(signal!) > 0 },
    };
    this.workers.push(worker);
    return worker;
  }

  listen(id: number, port = 3000): void {
    this.emit('listening', this.worker(id), { port });
  }

  die(id: number, code: number | null, signal: string | null = null): void {
    this.emit('exit', this.worker(id), code, signal);
  }

  worker(id: number) {
    return this.workers.find((w) => w.id === id)!;
  }
}

const SHUTDOWN_TIMEOUT_MS = 10_000;

function setUp(workers = 2) {
  const cluster = new FakeCluster();
  const exits: number[] = [];
  const ready: number[][] = [];
  const logs: string[] = [];
  const contexts: (string | undefined)[] = [];
  // Nest's LoggerService: log(message, context), error(message, stack, context).
  const logger = {
    log: (m: unknown, context?: string) => logs.push(`log ${String(m)}`) && contexts.push(context),
    warn: (m: unknown, context?: string) =>
      logs.push(`warn ${String(m)}`) && contexts.push(context),
    error: (m: unknown, _stack?: string, context?: string) =>
      logs.push(`error ${String(m)}`) && contexts.push(context),
  };
  const primary = new ClusterPrimary({
    workers,
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
    logger,
    cluster,
    exit: (code) => exits.push(code),
    onListening: (_port, pids) => ready.push(pids),
    backoff: restartBackoff(1_000, 8_000, 30_000),
  });
  primary.start();
  return { cluster, primary, exits, ready, logs, contexts };
}

describe('ClusterPrimary', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('forks WEB_CONCURRENCY workers and reports once when all of them listen', () => {
    const { cluster, ready } = setUp(3);
    expect(cluster.workers.map((w) => w.id)).toEqual([1, 2, 3]);
    cluster.listen(1);
    cluster.listen(2);
    expect(ready).toEqual([]);
    cluster.listen(3);
    expect(ready).toEqual([[1001, 1002, 1003]]);
  });

  it('a worker that dies during the start fails it: the others are stopped, exit 1', () => {
    const { cluster, exits, logs, contexts } = setUp(2);
    cluster.listen(1);
    cluster.die(2, 1);
    expect(logs.at(-1)).toMatch(/^error worker 1002 exited with code 1 during start: stopping/);
    expect(new Set(contexts)).toEqual(new Set(['Cluster']));
    expect(cluster.worker(1).signals).toEqual(['SIGTERM']);
    expect(logs.join('\n')).toMatch(/worker 1002 exited with code 1 during start/);
    expect(exits).toEqual([]);
    cluster.die(1, 0);
    expect(exits).toEqual([1]);
    jest.advanceTimersByTime(60_000);
    expect(cluster.workers).toHaveLength(2); // never replaced
  });

  it('replaces a worker that dies after the start, with a delay that doubles while they die young', () => {
    const { cluster, logs } = setUp(2);
    cluster.listen(1);
    cluster.listen(2);
    jest.advanceTimersByTime(60_000); // both up a minute: a healthy start
    cluster.die(1, null, 'SIGKILL');
    expect(logs.at(-1)).toMatch(
      /^error worker 1001 exited unexpectedly with signal SIGKILL after 60 s; replacing it in 1000 ms$/,
    );
    jest.advanceTimersByTime(999);
    expect(cluster.workers).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(cluster.workers.map((w) => w.id)).toEqual([1, 2, 3]);

    // The replacement crashes at once, again and again: 2 s, 4 s, 8 s, then the 8 s ceiling.
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const id = cluster.workers.at(-1)!.id;
      cluster.die(id, 1);
      delays.push(Number(/replacing it in (\d+) ms/.exec(logs.at(-1)!)![1]));
      const before = cluster.workers.length;
      jest.advanceTimersByTime(delays.at(-1)! - 1);
      expect(cluster.workers).toHaveLength(before);
      jest.advanceTimersByTime(1);
      expect(cluster.workers).toHaveLength(before + 1);
    }
    expect(delays).toEqual([2_000, 4_000, 8_000, 8_000]);

    // One that stays up 30 s resets the back-off.
    const steady = cluster.workers.at(-1)!.id;
    cluster.listen(steady);
    jest.advanceTimersByTime(30_000);
    cluster.die(steady, 1);
    expect(logs.at(-1)).toMatch(/replacing it in 1000 ms$/);
  });

  it('SIGTERM: every worker gets SIGTERM, a pending replacement is cancelled, exit 0 once all are gone', () => {
    const { cluster, primary, exits } = setUp(2);
    cluster.listen(1);
    cluster.listen(2);
    cluster.die(1, null, 'SIGKILL'); // replacement due in 1 s
    primary.shutdown('SIGTERM');
    primary.shutdown('SIGINT'); // a second signal changes nothing
    expect(cluster.worker(2).signals).toEqual(['SIGTERM']);
    jest.advanceTimersByTime(5_000);
    expect(cluster.workers).toHaveLength(2); // no replacement forked while stopping
    expect(exits).toEqual([]);
    cluster.die(2, 0);
    expect(exits).toEqual([0]);
  });

  it('exits 1 when a worker fails its own graceful shutdown', () => {
    const { cluster, primary, exits } = setUp(2);
    cluster.listen(1);
    cluster.listen(2);
    primary.shutdown('SIGTERM');
    cluster.die(1, 0);
    cluster.die(2, 1); // its SHUTDOWN_TIMEOUT ran out
    expect(exits).toEqual([1]);
  });

  it('kills what is left SHUTDOWN_TIMEOUT + grace after the signal, and exits 1', () => {
    const { cluster, primary, exits } = setUp(2);
    cluster.listen(1);
    cluster.listen(2);
    primary.shutdown('SIGTERM');
    cluster.die(1, 0);
    jest.advanceTimersByTime(SHUTDOWN_TIMEOUT_MS + SHUTDOWN_GRACE_MS - 1);
    expect(exits).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(cluster.worker(2).signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(exits).toEqual([1]);
  });

  it('SIGTERM during the start: a worker that never listened may die of the signal, exit 0', () => {
    const { cluster, primary, exits } = setUp(2);
    cluster.listen(1);
    primary.shutdown('SIGTERM');
    cluster.die(2, null, 'SIGTERM'); // before its handler was installed
    cluster.die(1, 0);
    expect(exits).toEqual([0]);
  });
});
