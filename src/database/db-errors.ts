/** Driver error codes that mean "the database is not reachable", not "the query was wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'POOL_ACQUIRE_TIMEOUT',
  'ER_CONNECTION_KILLED',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  // Group Replication multi-primary / Galera: a certification conflict rolled back the commit.
  'ER_TRANSACTION_ROLLBACK_DURING_COMMIT',
  // 1047: a Galera node that is not (or no longer) part of the primary component, or joining.
  'ER_UNKNOWN_COM_ERROR',
  'SQLITE_BUSY',
  'SQLITE_IOERR',
]);

/** The error's driver codes: its own, then its driverError's or cause's (TypeORM wraps mysql2's). */
export function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: any = error;
  for (let depth = 0; current && depth < 3; depth++) {
    if (typeof current.code === 'string') codes.push(current.code);
    current = current.driverError ?? current.cause;
  }
  return codes;
}

/**
 * A transaction another one beat: an InnoDB deadlock, or on a multi-primary cluster (Galera,
 * Group Replication) a certification conflict, which Galera reports as a deadlock at COMMIT.
 * The transaction was rolled back whole: running it again is safe where its statements decide
 * again from what is committed (a conditional UPDATE).
 */
export function isTransactionConflict(error: unknown): boolean {
  return codesOf(error).some((code) =>
    ['ER_LOCK_DEADLOCK', 'ER_TRANSACTION_ROLLBACK_DURING_COMMIT'].includes(code),
  );
}

export function isUniqueViolation(error: unknown): boolean {
  return codesOf(error).some((code) =>
    ['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'].includes(code),
  );
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (codesOf(error).some((code) => UNAVAILABLE_CODES.has(code))) return true;
  const name = (error as { name?: string } | null)?.name;
  const message = String((error as { message?: string } | null)?.message ?? '');
  return (
    name === 'CannotConnectError' ||
    name === 'ConnectionIsNotSetError' ||
    /Pool is closed|Connection is not established|database connection is not open|connection is in closed state/i.test(
      message,
    )
  );
}
