import { DataSource, Migration } from 'typeorm';

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
 * `work` while holding the named lock `<purpose>` of this schema (MySQL/MariaDB `GET_LOCK`):
 * instances on one database do it one after the other. On SQLite it simply runs.
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
