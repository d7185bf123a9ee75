"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.UuidParam = void 0;
const common_1 = require("@nestjs/common");
const errors_1 = require("../errors");
class LowerCasePipe {
    transform(value) {
        return value.toLowerCase();
    }
}
const UuidParam = (name = 'id') => (0, common_1.Param)(name, new common_1.ParseUUIDPipe({
    exceptionFactory: () => new errors_1.AppException(errors_1.ErrorCode.ValidationFailed, [`${name} must be a UUID`]),
}), LowerCasePipe);
exports.UuidParam = UuidParam;
//# sourceMappingURL=uuid-param.js.map