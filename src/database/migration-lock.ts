import { randomUUID } from 'node:crypto';
import { DataSource, Migration, QueryRunner } from 'typeorm';
import { isTransactionConflict, isUniqueViolation } from './db-errors';

/** One name per schema: instances of this service on the same database wait for each other. */
const LOCK_PREFIX = 'nest-auth-service:';
const LOCK_WAIT_SECONDS = 60;

/**
 * Runs pending migrations. On MySQL/MariaDB several instances may start at the same moment
 * against an empty database; without a lock each would see the migration as pending and
 * the second CREATE TABLE fails. `GET_LOCK` is a server-side named lock held by one
 * connection: the first instance migrates, the others wait, then find nothing pending.
 * SQLite takes no lock: the server is one process per file (its start warns about that in
 * production). The one other process that migrates, `npm run cli -- migrate`, is not locked
 * against a server starting on the same file at the same moment: one of the two may then fail
 * with "table already exists", and run again finds nothing pending. Returns the migrations
 * that ran (none when the schema was current).
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<Migration[]> {
  return withSchemaLock(dataSource, 'migrations', LOCK_WAIT_SECONDS, () =>
    dataSource.runMigrations({ transaction: 'each' }),
  );
}

/**
 * `work` while holding the named lock `<purpose>` of this schema: instances on one database
 * do it one after the other. MySQL/MariaDB: `GET_LOCK`; on a Galera node, whose named locks
 * are the node's own (they do not replicate), a lease row in `schema_locks` instead. On SQLite
 * it simply runs.
 */
export async function withSchemaLock<T>(
  dataSource: DataSource,
  purpose: string,
  waitSeconds: number,
  work: () => Promise<T>,
): Promise<T> {
  if (dataSource.options.type !== 'mysql') return work();
  const runner = dataSource.createQueryRunner();
  // MySQL caps lock names at 64 characters.
  const lock = `${LOCK_PREFIX}${purpose}:${String(dataSource.options.database)}`.slice(0, 64);
  try {
    if (await isGaleraNode(runner)) return await withLease(runner, lock, waitSeconds, work);
    const [row] = await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [lock, waitSeconds]);
    if (Number(row?.acquired) !== 1) {
      throw new Error(`another instance held the ${purpose} lock for over ${waitSeconds} s`);
    }
    try {
      return await work();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lock]);
    }
  } finally {
    await runner.release();
  }
}

async function isGaleraNode(runner: QueryRunner): Promise<boolean> {
  const [row] = (await runner.query("SHOW VARIABLES LIKE 'wsrep_on'")) as { Value?: string }[];
  return String(row?.Value).toUpperCase() === 'ON';
}

/** A lease is held this long unless renewed; its holder renews it every third of that. */
const LEASE_SECONDS = 30;
const POLL_MS = 250;

/**
 * A lock every node of a Galera cluster agrees on: one row per lock name in `schema_locks`.
 * Taking it is an INSERT of the row (two nodes inserting it at once: one wins certification,
 * the other gets a conflict or, later, a duplicate key), or the takeover of a row whose lease
 * expired (a holder that died: a conditional UPDATE whose affected-row count decides). The
 * holder renews the lease while `work` runs and deletes the row at the end. The table is made
 * here, before any migration, since the migrations run under this lock; it holds only locks.
 */
async function withLease<T>(
  runner: QueryRunner,
  lock: string,
  waitSeconds: number,
  work: () => Promise<T>,
): Promise<T> {
  await runner.query(
    'CREATE TABLE IF NOT EXISTS `schema_locks` (`name` varchar(64) NOT NULL PRIMARY KEY, ' +
      '`holder` char(36) NOT NULL, `expires_at` datetime(3) NOT NULL) ENGINE=InnoDB',
  );
  const holder = randomUUID();
  const deadline = Date.now() + waitSeconds * 1000;
  while (!(await takeLease(runner, lock, holder))) {
    if (Date.now() > deadline) {
      throw new Error(`another instance held the lock ${lock} for over ${waitSeconds} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS + Math.random() * POLL_MS));
  }
  const renew = setInterval(
    () => {
      runner
        .query(
          'UPDATE `schema_locks` SET `expires_at` = NOW(3) + INTERVAL ? SECOND ' +
            'WHERE `name` = ? AND `holder` = ?',
          [LEASE_SECONDS, lock, holder],
        )
        .catch(() => undefined);
    },
    (LEASE_SECONDS * 1000) / 3,
  );
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await runner.query('DELETE FROM `schema_locks` WHERE `name` = ? AND `holder` = ?', [
      lock,
      holder,
    ]);
  }
}

async function takeLease(runner: QueryRunner, lock: string, holder: string): Promise<boolean> {
  try {
    await runner.query(
      'INSERT INTO `schema_locks` (`name`, `holder`, `expires_at`) ' +
        'VALUES (?, ?, NOW(3) + INTERVAL ? SECOND)',
      [lock, holder, LEASE_SECONDS],
    );
    return true;
  } catch (error) {
    if (isTransactionConflict(error)) return false;
    if (!isUniqueViolation(error)) throw error;
  }
  let taken: { affectedRows?: number };
  try {
    taken = (await runner.query(
      'UPDATE `schema_locks` SET `holder` = ?, `expires_at` = NOW(3) + INTERVAL ? SECOND ' +
        'WHERE `name` = ? AND `expires_at` < NOW(3)',
      [holder, LEASE_SECONDS, lock],
    )) as { affectedRows?: number };
  } catch (error) {
    if (isTransactionConflict(error)) return false;
    throw error;
  }
  return taken.affectedRows === 1;
}
