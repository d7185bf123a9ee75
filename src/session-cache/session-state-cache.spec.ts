import { SessionStateCache } from './session-state-cache';

const STALENESS = 1000;

function setup(size = 10) {
  let now = 0;
  const cache = new SessionStateCache<{ userId: string; n: number }>(size, STALENESS, () => now);
  return { cache, advance: (ms: number) => (now += ms), at: () => now };
}

describe('SessionStateCache', () => {
  it('answers a stored session, and past the staleness bound only with a floor before its read', () => {
    const { cache, advance } = setup();
    cache.set('s1', { userId: 'u1', n: 1 }, cache.startRead());
    expect(cache.get('s1', Infinity)?.n).toBe(1);
    advance(STALENESS);
    // The channel is not healthy (floor Infinity): too old to believe.
    expect(cache.get('s1', Infinity)).toBeUndefined();
    cache.set('s1', { userId: 'u1', n: 2 }, cache.startRead());
    advance(STALENESS * 5);
    expect(cache.get('s1', 0)?.n).toBe(2);
    // Read before the channel was (again) known to be healthy: not believed.
    expect(cache.get('s1', STALENESS * 5)).toBeUndefined();
  });

  it('drops a session, and every session of a user, on invalidation', () => {
    const { cache } = setup();
    cache.set('s1', { userId: 'u1', n: 1 }, cache.startRead());
    cache.set('s2', { userId: 'u1', n: 2 }, cache.startRead());
    cache.set('s3', { userId: 'u2', n: 3 }, cache.startRead());
    cache.invalidateSession('s3');
    expect(cache.get('s3', 0)).toBeUndefined();
    expect(cache.get('s1', 0)?.n).toBe(1);
    cache.invalidateUser('u1');
    expect(cache.get('s1', 0)).toBeUndefined();
    expect(cache.get('s2', 0)).toBeUndefined();
    expect(cache.count).toBe(0);
  });

  it('does not store a read that started before an invalidation of it', () => {
    const { cache, advance } = setup();
    const startedAt = cache.startRead();
    advance(5);
    cache.invalidateSession('s1');
    cache.set('s1', { userId: 'u1', n: 1 }, startedAt);
    expect(cache.get('s1', 0)).toBeUndefined();
    const beforeUser = cache.startRead();
    advance(5);
    cache.invalidateUser('u1');
    cache.set('s1', { userId: 'u1', n: 1 }, beforeUser);
    expect(cache.get('s1', 0)).toBeUndefined();
  });

  it('believes a read shortly after an invalidation only within the staleness bound', () => {
    const { cache, advance } = setup();
    cache.invalidateUser('u1');
    advance(10);
    cache.set('s1', { userId: 'u1', n: 1 }, cache.startRead());
    expect(cache.get('s1', 0)?.n).toBe(1);
    advance(STALENESS);
    // A lagging replica may have answered that read: ask again.
    expect(cache.get('s1', 0)).toBeUndefined();
    cache.set('s1', { userId: 'u1', n: 2 }, cache.startRead());
    advance(STALENESS * 3);
    expect(cache.get('s1', 0)?.n).toBe(2);
  });

  it('evicts the least recently used session when full', () => {
    const { cache } = setup(2);
    cache.set('s1', { userId: 'u1', n: 1 }, cache.startRead());
    cache.set('s2', { userId: 'u2', n: 2 }, cache.startRead());
    expect(cache.get('s1', 0)?.n).toBe(1);
    cache.set('s3', { userId: 'u3', n: 3 }, cache.startRead());
    expect(cache.count).toBe(2);
    expect(cache.get('s2', 0)).toBeUndefined();
    expect(cache.get('s1', 0)?.n).toBe(1);
    expect(cache.get('s3', 0)?.n).toBe(3);
    // The evicted session left the user index too: its user's invalidation finds nothing.
    cache.invalidateUser('u2');
    expect(cache.count).toBe(2);
  });
});
