/** What the cache keeps per session: the checked answer and whose session it is. */
export interface CacheableSession {
  userId: string;
}

interface Entry<V> {
  value: V;
  /** When the database read behind it started (monotonic ms). */
  fetchedAt: number;
  /** False when an invalidation for it was seen shortly before its read (a lagging replica). */
  trustable: boolean;
}

/**
 * Valid sessions by id, least recently used evicted first, with the sessions of each user
 * indexed so that ending all of a user's sessions (or changing the user) drops them at once.
 *
 * An entry answers while it is younger than `stalenessMs`, or, older, while it is `trustable`
 * and was read after `floor` — the moment since which the invalidation channel is known to
 * have delivered every invalidation (Infinity when it is not healthy). Invalidations leave a
 * tombstone for `stalenessMs`: a read that started before one is not stored at all (it may
 * predate the ending it announces), a read shortly after one is stored as not trustable, so
 * a replica that had not yet applied the ending is asked again within the staleness bound.
 */
export class SessionStateCache<V extends CacheableSession> {
  private readonly entries = new Map<string, Entry<V>>();
  /** A user's one session id (the usual case), or several: a Set per user costs ~1 KB. */
  private readonly byUser = new Map<string, string | string[]>();
  private readonly tombstones = new Map<string, number>();

  constructor(
    readonly size: number,
    readonly stalenessMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The moment to pass to `set` for a read that starts now. */
  startRead(): number {
    return this.now();
  }

  get(sid: string, floor: number): V | undefined {
    const entry = this.entries.get(sid);
    if (!entry) return undefined;
    const fresh = this.now() - entry.fetchedAt < this.stalenessMs;
    if (!fresh && !(entry.trustable && entry.fetchedAt >= floor)) {
      this.drop(sid, entry.value.userId);
      return undefined;
    }
    // Least recently used order: a hit moves to the end.
    this.entries.delete(sid);
    this.entries.set(sid, entry);
    return entry.value;
  }

  /** Stores a valid session read from the database, the read having started at `startedAt`. */
  set(sid: string, value: V, startedAt: number): void {
    const seen = Math.max(
      this.tombstones.get(`s:${sid}`) ?? -Infinity,
      this.tombstones.get(`u:${value.userId}`) ?? -Infinity,
    );
    // Invalidated while the read ran: the read may not show the ending.
    if (seen >= startedAt) return;
    const trustable = this.now() - seen >= this.stalenessMs;
    this.drop(sid, this.entries.get(sid)?.value.userId);
    if (this.entries.size >= this.size) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Entry<V>];
      this.drop(oldest, entry.value.userId);
    }
    this.entries.set(sid, { value, fetchedAt: startedAt, trustable });
    const sessions = this.byUser.get(value.userId);
    if (sessions === undefined) this.byUser.set(value.userId, sid);
    else if (typeof sessions === 'string') this.byUser.set(value.userId, [sessions, sid]);
    else sessions.push(sid);
  }

  /** A session ended (or was deleted). */
  invalidateSession(sid: string): void {
    this.tombstone(`s:${sid}`);
    this.drop(sid, this.entries.get(sid)?.value.userId);
  }

  /** Every session of the user ended, or the user changed (roles, disabled, profile). */
  invalidateUser(userId: string): void {
    this.tombstone(`u:${userId}`);
    const sessions = this.byUser.get(userId);
    if (sessions === undefined) return;
    for (const sid of typeof sessions === 'string' ? [sessions] : sessions) {
      this.entries.delete(sid);
    }
    this.byUser.delete(userId);
  }

  get count(): number {
    return this.entries.size;
  }

  private drop(sid: string, userId: string | undefined): void {
    if (userId === undefined || !this.entries.delete(sid)) return;
    const sessions = this.byUser.get(userId);
    if (typeof sessions === 'string' || sessions === undefined) {
      this.byUser.delete(userId);
      return;
    }
    const at = sessions.indexOf(sid);
    if (at >= 0) sessions.splice(at, 1);
    if (sessions.length === 1) this.byUser.set(userId, sessions[0]);
  }

  private tombstone(key: string): void {
    const now = this.now();
    // Oldest first: prune those past the staleness bound, which no read can be affected by.
    for (const [old, at] of this.tombstones) {
      if (now - at < this.stalenessMs) break;
      this.tombstones.delete(old);
    }
    this.tombstones.delete(key);
    this.tombstones.set(key, now);
  }
}
