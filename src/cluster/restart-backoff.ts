/**
 * When a dead worker is replaced. The first replacement after a quiet spell comes after
 * `initialMs`; each further death before a worker has lived `stableMs` doubles the delay, up to
 * `maxMs`, so a crash loop (a bad release, a database refusing every start) costs one fork every
 * 30 s rather than a spinning CPU and a flood of logs. A worker that died after living
 * `stableMs` or more starts the count afresh.
 */
export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
  stableMs: number;
  /** The delay after `deaths` earlier deaths in a row (0 for the first). */
  delayMs(deaths: number): number;
}

export function restartBackoff(initialMs: number, maxMs: number, stableMs: number): RestartBackoff {
  return {
    initialMs,
    maxMs,
    stableMs,
    delayMs: (deaths) => Math.min(maxMs, initialMs * 2 ** Math.min(deaths, 30)),
  };
}

/** 1 s, 2 s, 4 s … 30 s; a worker up for 30 s counts as healthy. */
export const RESTART_BACKOFF = restartBackoff(1_000, 30_000, 30_000);
