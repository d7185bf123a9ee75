"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.VALIDATION_OPTIONS = exports.MAX_BODY_DEPTH = exports.PASSWORD_TOO_LONG = void 0;
exports.validationException = validationException;
exports.structureException = structureException;
exports.createValidationPipe = createValidationPipe;
const common_1 = require("@nestjs/common");
const errors_1 = require("../errors");
exports.PASSWORD_TOO_LONG = 'passwordTooLong';
function flatten(errors, prefix = '') {
    return errors.flatMap((error) => {
        const path = prefix ? `${prefix}.${error.property}` : error.property;
        const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
            constraint,
            message: constraint === 'unknownValue'
                ? 'body must be a JSON object'
                : message.startsWith(error.property)
                    ? path + message.slice(error.property.length)
                    : message,
        }));
        return [...own, ...flatten(error.children ?? [], path)];
    });
}
function validationException(errors) {
    const problems = flatten(errors);
    if (problems.length > 0 && problems.every((p) => p.constraint === exports.PASSWORD_TOO_LONG)) {
        return new errors_1.AppException(errors_1.ErrorCode.PasswordTooLong, problems[0].message);
    }
    return new errors_1.AppException(errors_1.ErrorCode.ValidationFailed, problems.map((p) => p.message));
}
const RESERVED_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
exports.MAX_BODY_DEPTH = 32;
function nestsDeeperThan(value, max) {
    const stack = [[value, 0]];
    while (stack.length > 0) {
        const [node, depth] = stack.pop();
        if (node === null || typeof node !== 'object')
            continue;
        if (depth >= max)
            return true;
        for (const child of Object.values(node))
            stack.push([child, depth + 1]);
    }
    return false;
}
function structureException(value) {
    if (nestsDeeperThan(value, exports.MAX_BODY_DEPTH)) {
        return new errors_1.AppException(errors_1.ErrorCode.ValidationFailed, [
            `body must not nest more than ${exports.MAX_BODY_DEPTH} levels deep`,
        ]);
    }
    const reserved = Object.keys(value).filter((key) => RESERVED_KEYS.has(key));
    if (reserved.length === 0)
        return null;
    return new errors_1.AppException(errors_1.ErrorCode.ValidationFailed, reserved.map((key) => `property ${key} should not exist`));
}
exports.VALIDATION_OPTIONS = {
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: validationException,
};
class AppValidationPipe extends common_1.ValidationPipe {
    transform(value, metadata) {
        const notAnObject = value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value));
        if (metadata.type === 'body' && metadata.metatype && notAnObject) {
            throw new errors_1.AppException(errors_1.ErrorCode.ValidationFailed, ['body must be a JSON object']);
        }
        const input = metadata.type === 'body' || metadata.type === 'query';
        if (input && metadata.metatype && value !== null && typeof value === 'object') {
            const refused = structureException(value);
            if (refused)
                throw refused;
        }
        return super.transform(value, metadata);
    }
}
function createValidationPipe() {
    return new AppValidationPipe(exports.VALIDATION_OPTIONS);
}
//# sourceMappingURL=validation.js.map