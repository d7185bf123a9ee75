"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.UsageError = exports.CliError = void 0;
class CliError extends Error {
    exitCode = 1;
}
exports.CliError = CliError;
class UsageError extends CliError {
    exitCode = 2;
}
exports.UsageError = UsageError;
//# sourceMappingURL=cli-error.js.map