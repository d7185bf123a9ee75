/**
 * Run by src/session-cache/session-cache.memory.spec.ts in its own `node --expose-gc`
 * process (the flag must not leak into the jest worker's other specs): `LOOKUPS` distinct
 * sessions through a SessionCache of `SIZE` entries; prints the heap growth as JSON.
 */
import { randomUUID } from 'node:crypto';
import { SessionCache } from '../../src/session-cache/session-cache.service';

const [size, lookups] = process.argv.slice(2).map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

/** As a JWT payload and a database row give them: fresh strings, not slices of one buffer. */
const id = () => JSON.parse(`"${randomUUID()}"`) as string;

function session(sid: string, i: number) {
  const userId = id();
  return {
    id: sid,
    userId,
    expiresAt: new Date(Date.now() + 3_600_000),
    revokedAt: null,
    user: {
      id: userId,
      email: `user${i}@example.com`,
      name: `User ${i}`,
      roles: ['user'],
      disabled: false,
      createdAt: new Date(),
      updatedAt: new Date(),
    },
  };
}

async function main() {
  const cache = new SessionCache({ enabled: true, size, maxStalenessMs: 1000 });
  gc!();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < lookups; i++) {
    const sid = id();
    await cache.lookup(
      sid,
      () => Promise.resolve(session(sid, i)),
      () => true,
    );
  }
  gc!();
  const grown = process.memoryUsage().heapUsed - before;
  process.stdout.write(JSON.stringify({ size: cache.size, grown }) + '\n');
}

void main();
