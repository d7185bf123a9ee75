"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.runMigrationsExclusively = runMigrationsExclusively;
const LOCK_PREFIX = 'nest-auth-service:migrations:';
const LOCK_WAIT_SECONDS = 60;
async function runMigrationsExclusively(dataSource) {
    if (dataSource.options.type !== 'mysql') {
        return dataSource.runMigrations({ transaction: 'each' });
    }
    const runner = dataSource.createQueryRunner();
    const lock = (LOCK_PREFIX + String(dataSource.options.database)).slice(0, 64);
    try {
        const [row] = await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [
            lock,
            LOCK_WAIT_SECONDS,
        ]);
        if (Number(row?.acquired) !== 1) {
            throw new Error(`another instance held the migration lock for over ${LOCK_WAIT_SECONDS} s`);
        }
        try {
            return await dataSource.runMigrations({ transaction: 'each' });
        }
        finally {
            await runner.query('SELECT RELEASE_LOCK(?)', [lock]);
        }
    }
    finally {
        await runner.release();
    }
}
//# sourceMappingURL=migration-lock.js.map