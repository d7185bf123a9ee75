"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.CliLogger = void 0;
const pino_1 = __importDefault(require("pino"));
const pino_logger_1 = require("../common/logger/pino-logger");
const STARTUP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'NestApplicationContext']);
const START_ERROR_CONTEXTS = new Set(['ExceptionHandler', 'TypeOrmModule']);
class CliLogger {
    logger;
    constructor(level) {
        this.logger = pino_logger_1.PinoLogger.create(level, pino_1.default.destination({ fd: 2, sync: true }));
    }
    log(message, context) {
        if (context && STARTUP_CONTEXTS.has(context))
            return;
        this.logger.log(message, context);
    }
    error(message, stack, context) {
        if (context && START_ERROR_CONTEXTS.has(context))
            return;
        this.logger.error(message, stack, context);
    }
    warn(message, context) {
        this.logger.warn(message, context);
    }
    debug(message, context) {
        this.logger.debug(message, context);
    }
    verbose(message, context) {
        this.logger.verbose(message, context);
    }
    fatal(message, context) {
        this.logger.fatal(message, context);
    }
}
exports.CliLogger = CliLogger;
//# sourceMappingURL=cli-logger.js.map