"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ConfigError = void 0;
class ConfigError extends Error {
    variable;
    constructor(variable, problem) {
        super(`${variable}: ${problem}`);
        this.variable = variable;
        this.name = 'ConfigError';
    }
}
exports.ConfigError = ConfigError;
//# sourceMappingURL=config-error.js.map