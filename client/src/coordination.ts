/**
 * Mutual exclusion for "read the stored tokens, refresh if still needed, write them back",
 * across every client sharing one storage entry — tabs of one origin included.
 *
 * Why: refresh tokens are single-use. Two tabs that read the same token and refresh it at once
 * spend it twice; the server forgives that only within REFRESH_REUSE_GRACE and otherwise
 * revokes the session (reuse detection), logging the user out everywhere. Inside the critical
 * section the client re-reads storage, so a tab that waited finds the tokens the other tab
 * stored and does not refresh at all.
 */
export interface Coordinator {
  readonly kind: 'locks' | 'broadcast' | 'none';
  run<T>(task: () => Promise<T>): Promise<T>;
  close(): void;
}

/** The part of the Web Locks API used here (`navigator.locks`). */
export interface LockManagerLike {
  request(
    name: string,
    options: { mode: 'exclusive' },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown>;
}

/** The part of BroadcastChannel used here. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

export interface BroadcastTiming {
  /** How long a claim waits for competing claims before it wins (default 50 ms). */
  claimWindowMs: number;
  /** How long another tab's claim is honoured without its release (a closed tab; default 20 s). */
  claimTimeoutMs: number;
}

/** Runs tasks one after another within this client (each coordinator builds on it). */
function serial(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const result = tail.then(task, task);
    tail = result.catch(() => undefined);
    return result;
  };
}

export function noCoordination(): Coordinator {
  const queue = serial();
  return { kind: 'none', run: (task) => queue(task), close: () => undefined };
}

/** Web Locks: the browser grants `name` to one tab (or worker) of the origin at a time. */
export function lockCoordination(locks: LockManagerLike, name: string): Coordinator {
  return {
    kind: 'locks',
    run: <T>(task: () => Promise<T>) =>
      locks.request(name, { mode: 'exclusive' }, () => task()) as Promise<T>,
    close: () => undefined,
  };
}

type Message = { type: 'claim' | 'release'; tab: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * BroadcastChannel alone has no atomic operation, so this is a claim protocol: a tab waits until
 * no other tab holds a claim, announces its own, and listens for `claimWindowMs`. Claims that
 * cross each other are settled by tab id (the lower wins; the loser withdraws and waits), the
 * same way in every tab. It relies on messages arriving within the window, which holds between
 * tabs of one browser; the server's reuse grace covers the rest.
 */
export function broadcastCoordination(
  channel: BroadcastChannelLike,
  timing: BroadcastTiming,
): Coordinator {
  const tab = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
  const others = new Map<string, number>(); // tab id -> when its claim stops counting
  let wake: Array<() => void> = [];
  const notify = () => {
    const waiting = wake;
    wake = [];
    waiting.forEach((resolve) => resolve());
  };
  channel.addEventListener('message', (event: MessageEvent) => {
    const message = event.data as Partial<Message> | null;
    if (!message || typeof message.tab !== 'string') return;
    if (message.type === 'claim') others.set(message.tab, Date.now() + timing.claimTimeoutMs);
    else if (message.type === 'release') others.delete(message.tab);
    notify();
  });
  // Node keeps a process alive while a channel is open; a client must not.
  (channel as { unref?: () => void }).unref?.();

  const liveClaims = (filter: (id: string) => boolean) => {
    const now = Date.now();
    for (const [id, until] of others) if (until <= now) others.delete(id);
    return [...others.keys()].filter(filter);
  };
  const untilFree = async () => {
    for (;;) {
      const live = liveClaims(() => true);
      if (live.length === 0) return;
      const soonest = Math.min(...live.map((id) => others.get(id) ?? 0)) - Date.now();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, soonest));
        wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  let closed = false;
  const post = (type: Message['type']) => {
    if (!closed) channel.postMessage({ type, tab } satisfies Message);
  };

  const exclusive = async <T>(task: () => Promise<T>): Promise<T> => {
    for (;;) {
      await untilFree();
      post('claim');
      await sleep(timing.claimWindowMs);
      if (liveClaims((id) => id < tab).length > 0) {
        post('release');
        continue;
      }
      try {
        return await task();
      } finally {
        post('release');
      }
    }
  };
  const queue = serial();
  return {
    kind: 'broadcast',
    run: (task) => queue(() => exclusive(task)),
    close: () => {
      if (closed) return;
      closed = true;
      others.clear();
      notify();
      channel.close();
    },
  };
}

/** The options of createAuthClient that choose the coordinator. */
export interface CoordinationOptions {
  locks?: LockManagerLike | null;
  broadcastChannel?: ((name: string) => BroadcastChannelLike) | null;
  claimWindowMs?: number;
  refreshTimeoutMs?: number;
}

const isBrowser = () =>
  typeof (globalThis as { document?: unknown }).document !== 'undefined' ||
  typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';

/** Web Locks when there are any, else a BroadcastChannel in a browser, else none. */
export function chooseCoordinator(options: CoordinationOptions, name: string): Coordinator {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  const locks = options.locks === undefined ? nav?.locks : options.locks;
  if (locks) return lockCoordination(locks, name);
  const Channel = (globalThis as { BroadcastChannel?: new (name: string) => BroadcastChannelLike })
    .BroadcastChannel;
  const open =
    options.broadcastChannel === undefined
      ? Channel && isBrowser()
        ? (channelName: string) => new Channel(channelName)
        : null
      : options.broadcastChannel;
  if (open) {
    return broadcastCoordination(open(name), {
      claimWindowMs: options.claimWindowMs ?? 50,
      claimTimeoutMs: (options.refreshTimeoutMs ?? 15_000) + 5_000,
    });
  }
  return noCoordination();
}
