"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DatabaseTimeoutError = exports.QUERY_TIMEOUT_MS = exports.BUSY_ACQUIRE_TIMEOUT_MS = exports.ACQUIRE_TIMEOUT_MS = void 0;
exports.installMysqlDeadlines = installMysqlDeadlines;
const db_errors_1 = require("./db-errors");
exports.ACQUIRE_TIMEOUT_MS = 800;
exports.BUSY_ACQUIRE_TIMEOUT_MS = 10_000;
exports.QUERY_TIMEOUT_MS = 1_000;
const FAILING_WINDOW_MS = 5_000;
class DatabaseTimeoutError extends Error {
    code = 'POOL_ACQUIRE_TIMEOUT';
    constructor(waitedMs) {
        super(`no database connection within ${waitedMs} ms`);
        this.name = 'DatabaseTimeoutError';
    }
}
exports.DatabaseTimeoutError = DatabaseTimeoutError;
function installMysqlDeadlines(dataSource) {
    if (dataSource.options.type !== 'mysql')
        return;
    const driver = dataSource.driver;
    const health = new DatabaseHealth();
    const pool = driver.pool;
    const bounded = new WeakSet();
    pool.on('acquire', (connection) => {
        if (bounded.has(connection))
            return;
        bounded.add(connection);
        boundQueries(connection, health);
    });
    const obtain = driver.obtainMasterConnection.bind(driver);
    driver.obtainMasterConnection = () => new Promise((resolve, reject) => {
        const started = Date.now();
        let settled = false;
        const giveUp = () => {
            if (settled)
                return;
            settled = true;
            clearTimeout(longTimer);
            health.waiters.delete(giveUp);
            reject(new DatabaseTimeoutError(Date.now() - started));
        };
        const shortTimer = setTimeout(() => {
            if (health.failing())
                giveUp();
            else
                health.waiters.add(giveUp);
        }, exports.ACQUIRE_TIMEOUT_MS);
        const longTimer = setTimeout(giveUp, exports.BUSY_ACQUIRE_TIMEOUT_MS);
        obtain().then((connection) => {
            clearTimeout(shortTimer);
            clearTimeout(longTimer);
            health.waiters.delete(giveUp);
            if (settled)
                connection.release();
            else
                resolve(connection);
            settled = true;
        }, (error) => {
            clearTimeout(shortTimer);
            clearTimeout(longTimer);
            health.waiters.delete(giveUp);
            if (isConnectionFailure(error))
                health.failed();
            if (!settled)
                reject(error);
            settled = true;
        });
    });
}
const CONTENTION_CODES = new Set([
    'ER_LOCK_DEADLOCK',
    'ER_LOCK_WAIT_TIMEOUT',
    'ER_TRANSACTION_ROLLBACK_DURING_COMMIT',
]);
function isConnectionFailure(error) {
    const code = error?.code;
    return (0, db_errors_1.isDatabaseUnavailable)(error) && !(typeof code === 'string' && CONTENTION_CODES.has(code));
}
class DatabaseHealth {
    waiters = new Set();
    lastFailure = -Infinity;
    failing() {
        return Date.now() - this.lastFailure < FAILING_WINDOW_MS;
    }
    failed() {
        this.lastFailure = Date.now();
        for (const giveUp of [...this.waiters])
            giveUp();
    }
}
function boundQueries(connection, health) {
    const query = connection.query.bind(connection);
    connection.query = (sql, values, callback) => {
        const options = typeof sql === 'string' ? { sql, timeout: exports.QUERY_TIMEOUT_MS } : sql;
        if (typeof callback !== 'function')
            return query(options, values);
        return query(options, values, (error, ...rest) => {
            if (error && isConnectionFailure(error)) {
                health.failed();
                if (error.code === 'PROTOCOL_SEQUENCE_TIMEOUT')
                    connection.destroy();
            }
            callback(error, ...rest);
        });
    };
}
//# sourceMappingURL=mysql-deadlines.js.map