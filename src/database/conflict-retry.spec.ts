import { CONFLICT_RETRIES, conflictCounts, retryOnConflict } from './conflict-retry';
import { isDatabaseUnavailable, isTransactionConflict } from './db-errors';

const conflict = () =>
  Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK' });

describe('retryOnConflict', () => {
  it('runs a transaction that lost a conflict again, and counts the retry', async () => {
    const before = { ...conflictCounts };
    let attempts = 0;
    const result = await retryOnConflict(() => {
      attempts++;
      return attempts < 3 ? Promise.reject(conflict()) : Promise.resolve('spent');
    });
    expect(result).toBe('spent');
    expect(attempts).toBe(3);
    expect(conflictCounts.retried - before.retried).toBe(2);
    expect(conflictCounts.gaveUp).toBe(before.gaveUp);
  });

  it('gives up after CONFLICT_RETRIES retries with the conflict, which answers 503', async () => {
    const before = { ...conflictCounts };
    let attempts = 0;
    const failing = retryOnConflict(() => {
      attempts++;
      return Promise.reject(conflict());
    });
    const error = await failing.catch((e: unknown) => e);
    expect(isTransactionConflict(error)).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(attempts).toBe(CONFLICT_RETRIES + 1);
    expect(conflictCounts.gaveUp - before.gaveUp).toBe(1);
  });

  it('never runs again after another error (a duplicate key, a lost connection)', async () => {
    for (const code of ['ER_DUP_ENTRY', 'PROTOCOL_CONNECTION_LOST']) {
      let attempts = 0;
      const failing = retryOnConflict(() => {
        attempts++;
        return Promise.reject(Object.assign(new Error(code), { code }));
      });
      await expect(failing).rejects.toThrow(code);
      expect(attempts).toBe(1);
    }
  });

  it('recognises a conflict wrapped by TypeORM (QueryFailedError.driverError)', () => {
    const wrapped = Object.assign(new Error('query failed'), { driverError: conflict() });
    expect(isTransactionConflict(wrapped)).toBe(true);
    const galera = { code: 'ER_TRANSACTION_ROLLBACK_DURING_COMMIT' };
    expect(isTransactionConflict(galera)).toBe(true);
    expect(isTransactionConflict({ code: 'ER_LOCK_WAIT_TIMEOUT' })).toBe(false);
  });
});
