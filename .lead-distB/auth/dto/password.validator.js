"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.IsPresentedPassword = exports.IsNewPassword = exports.PASSWORD_MIN_BYTES = exports.PASSWORD_MAX_BYTES = void 0;
const common_1 = require("@nestjs/common");
const class_validator_1 = require("class-validator");
const validation_1 = require("../../common/pipes/validation");
exports.PASSWORD_MAX_BYTES = 72;
exports.PASSWORD_MIN_BYTES = 8;
const bytes = (value) => typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;
const MaxPasswordBytes = () => (0, class_validator_1.ValidateBy)({
    name: validation_1.PASSWORD_TOO_LONG,
    validator: {
        validate: (value) => typeof value !== 'string' || bytes(value) <= exports.PASSWORD_MAX_BYTES,
        defaultMessage: (args) => `${args?.property} must be at most ${exports.PASSWORD_MAX_BYTES} UTF-8 bytes`,
    },
});
const MinPasswordBytes = () => (0, class_validator_1.ValidateBy)({
    name: 'minPasswordBytes',
    validator: {
        validate: (value) => typeof value !== 'string' || bytes(value) >= exports.PASSWORD_MIN_BYTES,
        defaultMessage: (args) => `${args?.property} must be at least ${exports.PASSWORD_MIN_BYTES} UTF-8 bytes`,
    },
});
const NoNulCharacter = () => (0, class_validator_1.ValidateBy)({
    name: 'noNulCharacter',
    validator: {
        validate: (value) => typeof value !== 'string' || !value.includes('\u0000'),
        defaultMessage: (args) => `${args?.property} must not contain a NUL character`,
    },
});
const IsNewPassword = () => (0, common_1.applyDecorators)((0, class_validator_1.IsString)(), MinPasswordBytes(), MaxPasswordBytes(), NoNulCharacter());
exports.IsNewPassword = IsNewPassword;
const IsPresentedPassword = () => (0, common_1.applyDecorators)((0, class_validator_1.IsString)(), MaxPasswordBytes());
exports.IsPresentedPassword = IsPresentedPassword;
//# sourceMappingURL=password.validator.js.map