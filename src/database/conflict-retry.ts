import { isTransactionConflict } from './db-errors';

/** Runs after the first attempt, so a conflicting transaction is tried at most 4 times. */
export const CONFLICT_RETRIES = 3;
/** Backoff before retry n (0-based): BASE × 2^n, with full jitter, so racers spread out. */
const BACKOFF_BASE_MS = 4;

/**
 * Conflicts seen since the start, by outcome: `retried` (the transaction ran again) and
 * `gaveUp` (the last attempt conflicted too; the request answered 503). Metrics reads them as
 * `auth_db_conflicts_total`.
 */
export const conflictCounts = { retried: 0, gaveUp: 0 };

/**
 * `transaction` (the whole transaction, from its first statement) again when it lost to
 * another one (isTransactionConflict), up to CONFLICT_RETRIES times; any other error, or the
 * last conflict, is thrown as it is (a conflict is then a 503 `service_unavailable`, see
 * db-errors.ts). Only for a transaction whose statements decide again from committed rows.
 */
export async function retryOnConflict<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
      if (attempt >= CONFLICT_RETRIES) {
        conflictCounts.gaveUp++;
        throw error;
      }
      conflictCounts.retried++;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.random() * BACKOFF_BASE_MS * 2 ** attempt),
      );
    }
  }
}
