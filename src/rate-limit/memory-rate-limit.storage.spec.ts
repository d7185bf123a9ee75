import { ThrottlerStorageService } from '@nestjs/throttler';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage';

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('MemoryRateLimitStorage', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_765_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'answers exactly as @nestjs/throttler ThrottlerStorageService (seed %i, 3,000 calls)',
    async (seed) => {
      const random = prng(seed);
      const reference = new ThrottlerStorageService();
      const ours = new MemoryRateLimitStorage();
      // Each key keeps one throttler's settings, as the guard's keys do (name in the key).
      const keys = Array.from({ length: 6 }, (_, i) => ({
        key: `key-${i}`,
        name: `rule-${i % 3}`,
        ttl: [1000, 2500, 60_000][i % 3],
        limit: 1 + Math.floor(random() * 5),
        blockDuration: [0, 1000, 2500, 5000][Math.floor(random() * 4)],
      }));
      try {
        for (let call = 0; call < 3000; call++) {
          const k = keys[Math.floor(random() * keys.length)];
          const args = [k.key, k.ttl, k.limit, k.blockDuration, k.name] as const;
          const expected = await reference.increment(...args);
          const actual = await ours.increment(...args);
          expect({ call, ...actual }).toEqual({ call, ...expected });
          jest.advanceTimersByTime(Math.floor(random() ** 3 * 1500));
        }
      } finally {
        reference.onApplicationShutdown();
        ours.onApplicationShutdown();
      }
    },
  );

  it('keeps a log of a million hits cheap: one request costs no pass over the log', async () => {
    const storage = new MemoryRateLimitStorage();
    try {
      for (let i = 0; i < 1_000_000; i++)
        await storage.increment('ip', 60_000, 2_000_000, 60_000, 'r');
      const record = await storage.increment('ip', 60_000, 2_000_000, 60_000, 'r');
      expect(record).toMatchObject({ totalHits: 1_000_001, isBlocked: false });
      // Past the limit: blocked, and no Math.min(...log) over a million arguments (a RangeError).
      const blocked = await storage.increment('ip', 60_000, 10, 60_000, 'r');
      expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
      // The hits were all made within the same frozen millisecond: they expire together.
      jest.advanceTimersByTime(60_001);
      const later = await storage.increment('ip', 60_000, 2_000_000, 60_000, 'r');
      expect(later).toMatchObject({ totalHits: 1, isBlocked: false });
    } finally {
      storage.onApplicationShutdown();
    }
  });

  it('drops idle keys in its sweep, keeps those with live hits', async () => {
    const storage = new MemoryRateLimitStorage();
    try {
      await storage.increment('short', 1000, 5, 1000, 'r');
      await storage.increment('long', 120_000, 5, 1000, 'r');
      jest.advanceTimersByTime(60_000);
      const records = (storage as unknown as { records: Map<string, unknown> }).records;
      expect([...records.keys()]).toEqual(['long']);
    } finally {
      storage.onApplicationShutdown();
    }
  });
});
