import { Logger } from '@nestjs/common';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ExposedGc, exposedGc, IdleHeapTrim } from './idle-heap-trim';

/** A trim over a hand-driven CPU clock, counting the collections it starts. */
function trimWithClock(options: { startCpuMs?: number; gc?: boolean } = {}) {
  let cpu = options.startCpuMs ?? 0;
  const calls: unknown[] = [];
  const gc: ExposedGc = (gcOptions) => {
    calls.push(gcOptions);
    return Promise.resolve();
  };
  const trim = new IdleHeapTrim({
    gc: options.gc === false ? undefined : gc,
    cpuMs: () => cpu,
    idleCpuMs: 100,
    busyCpuMs: 1000,
  });
  /** One interval in which the process used `ms` of CPU, then the tick. */
  const interval = (ms: number) => {
    cpu += ms;
    return trim.tick();
  };
  return { trim, calls, interval };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('IdleHeapTrim', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('collects once when the process falls idle after busy intervals, not while busy', async () => {
    const { calls, interval } = trimWithClock();
    expect(interval(800)).toBe(false);
    expect(interval(900)).toBe(false);
    expect(calls).toHaveLength(0);
    expect(interval(20)).toBe(true);
    expect(calls).toEqual([{ type: 'major', execution: 'async' }]);
    await settle();
    expect(interval(10)).toBe(false);
    expect(interval(0)).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('collects again only after another busy spell', async () => {
    const { calls, interval } = trimWithClock();
    interval(1500);
    interval(0);
    await settle();
    interval(400);
    expect(interval(0)).toBe(false); // 400 ms of work is not worth a collection
    interval(700);
    expect(interval(50)).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('by default calls an interval idle below 3 % of its length', () => {
    let cpu = 0;
    const calls: unknown[] = [];
    const trim = new IdleHeapTrim({
      gc: (options) => {
        calls.push(options);
        return new Promise<void>(() => undefined);
      },
      cpuMs: () => cpu,
      intervalMs: 10_000,
    });
    cpu += 2000;
    trim.tick();
    cpu += 350; // 3.5 %: still busy
    expect(trim.tick()).toBe(false);
    cpu += 250; // 2.5 %: an idle server's timers and probes
    expect(trim.tick()).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('counts the work done before it started (the start-up) as busy', () => {
    const { calls, interval } = trimWithClock({ startCpuMs: 2500 });
    expect(interval(30)).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('does not start a second collection while one is running', () => {
    let finish!: () => void;
    const calls: number[] = [];
    let cpu = 0;
    const trim = new IdleHeapTrim({
      gc: () => {
        calls.push(cpu);
        return new Promise<void>((resolve) => (finish = resolve));
      },
      cpuMs: () => cpu,
      busyCpuMs: 1000,
    });
    cpu += 2000;
    trim.tick();
    expect(trim.tick()).toBe(true);
    cpu += 2000;
    trim.tick();
    expect(trim.tick()).toBe(false);
    expect(calls).toHaveLength(1);
    finish();
  });

  it('does nothing without --expose-gc', () => {
    const { trim, interval } = trimWithClock({ gc: false });
    interval(5000);
    expect(interval(0)).toBe(false);
    expect(trim.enabled).toBe(false);
    expect(exposedGc()).toBeUndefined(); // jest runs without the flag
  });

  it("gives a real heap's garbage back with V8's exposed gc", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as ExposedGc;
    let garbage: object[] | null = Array.from({ length: 300_000 }, (_, i) => ({ i, s: `x${i}` }));
    const withGarbage = process.memoryUsage().heapUsed;
    garbage = null;
    let cpu = 0;
    const trim = new IdleHeapTrim({ gc, cpuMs: () => cpu });
    cpu += 5000;
    trim.tick();
    expect(trim.tick()).toBe(true);
    // The asynchronous collection finishes on later tasks.
    for (let i = 0; i < 50 && process.memoryUsage().heapUsed > withGarbage - 10e6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(garbage).toBeNull();
    expect(process.memoryUsage().heapUsed).toBeLessThan(withGarbage - 10e6);
  });
});
