"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.isUniqueViolation = isUniqueViolation;
exports.isDatabaseUnavailable = isDatabaseUnavailable;
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
    'ER_TRANSACTION_ROLLBACK_DURING_COMMIT',
    'SQLITE_BUSY',
    'SQLITE_IOERR',
]);
function codesOf(error) {
    const codes = [];
    let current = error;
    for (let depth = 0; current && depth < 3; depth++) {
        if (typeof current.code === 'string')
            codes.push(current.code);
        current = current.driverError ?? current.cause;
    }
    return codes;
}
function isUniqueViolation(error) {
    return codesOf(error).some((code) => ['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'].includes(code));
}
function isDatabaseUnavailable(error) {
    if (codesOf(error).some((code) => UNAVAILABLE_CODES.has(code)))
        return true;
    const name = error?.name;
    const message = String(error?.message ?? '');
    return (name === 'CannotConnectError' ||
        name === 'ConnectionIsNotSetError' ||
        /Pool is closed|Connection is not established|database connection is not open|connection is in closed state/i.test(message));
}
//# sourceMappingURL=db-errors.js.map