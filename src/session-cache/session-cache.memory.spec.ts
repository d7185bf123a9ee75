import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The budget per cached session (a session joined with a user row: ~0.8 KB measured). */
const BYTES_PER_ENTRY = 2048;
const SIZE = 10_000;
const LOOKUPS = 1_000_000;
const PROBE = resolve(__dirname, '../../test/probes/session-cache-heap.ts');

describe('SessionCache memory bound', () => {
  it(`${LOOKUPS} distinct sessions looked up leave SESSION_CACHE_SIZE=${SIZE} entries, within ${BYTES_PER_ENTRY} B each of heap`, () => {
    // Its own process: --expose-gc must not leak into the other specs of this jest worker.
    const out = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '-r',
        'ts-node/register/transpile-only',
        PROBE,
        String(SIZE),
        String(LOOKUPS),
      ],
      { encoding: 'utf8', timeout: 110_000 },
    );
    const { size, grown } = JSON.parse(out) as { size: number; grown: number };
    expect(size).toBe(SIZE);
    expect(grown).toBeLessThan(SIZE * BYTES_PER_ENTRY);
    // And it does hold them: a bound met by keeping nothing would prove nothing.
    expect(grown).toBeGreaterThan(SIZE * 100);
  }, 120_000);
});
