"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.PinoLogger = void 0;
const pino_1 = __importDefault(require("pino"));
const request_context_1 = require("./request-context");
const requestIdField = () => {
    const requestId = (0, request_context_1.currentRequestId)();
    return requestId === undefined ? {} : { requestId };
};
const isFields = (message) => typeof message === 'object' &&
    message !== null &&
    !Array.isArray(message) &&
    !(message instanceof Error);
class PinoLogger {
    pino;
    constructor(pino) {
        this.pino = pino;
    }
    static create(level, destination) {
        const options = { level, base: undefined, mixin: requestIdField };
        return new PinoLogger(destination ? (0, pino_1.default)(options, destination) : (0, pino_1.default)(options));
    }
    log(message, context) {
        this.write('info', message, { context });
    }
    error(message, stack, context) {
        this.write('error', message, { context, stack });
    }
    warn(message, context) {
        this.write('warn', message, { context });
    }
    debug(message, context) {
        this.write('debug', message, { context });
    }
    verbose(message, context) {
        this.write('trace', message, { context });
    }
    fatal(message, context) {
        this.write('fatal', message, { context });
    }
    write(level, message, meta) {
        if (isFields(message)) {
            const { msg, ...fields } = message;
            const text = typeof msg === 'string' ? msg : typeof fields.event === 'string' ? fields.event : '';
            this.pino[level]({ ...meta, ...fields }, text);
        }
        else {
            this.pino[level](meta, String(message));
        }
    }
}
exports.PinoLogger = PinoLogger;
//# sourceMappingURL=pino-logger.js.map