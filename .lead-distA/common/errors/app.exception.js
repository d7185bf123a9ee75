"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.AppException = void 0;
const common_1 = require("@nestjs/common");
const error_code_enum_1 = require("./error-code.enum");
class AppException extends common_1.HttpException {
    code;
    bearerChallenge;
    constructor(code, message, status = error_code_enum_1.ERROR_STATUS[code], bearerChallenge = false) {
        super({ code, message }, status);
        this.code = code;
        this.bearerChallenge = bearerChallenge;
    }
    retryAfter;
    withRetryAfter(seconds) {
        this.retryAfter = seconds;
        return this;
    }
    get details() {
        return this.getResponse().message;
    }
}
exports.AppException = AppException;
//# sourceMappingURL=app.exception.js.map