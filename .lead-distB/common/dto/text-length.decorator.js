"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TextLength = void 0;
const common_1 = require("@nestjs/common");
const class_validator_1 = require("class-validator");
const LONE_SURROGATE = /\p{Cs}/u;
const codePoints = (value) => {
    let count = 0;
    for (const _ of value)
        count++;
    return count;
};
const TextLength = (min, max) => (0, common_1.applyDecorators)((0, class_validator_1.ValidateBy)({
    name: 'wellFormedText',
    validator: {
        validate: (value) => typeof value !== 'string' || !LONE_SURROGATE.test(value),
        defaultMessage: (args) => `${args?.property} must be well-formed Unicode text (no unpaired surrogates)`,
    },
}), (0, class_validator_1.ValidateBy)({
    name: 'textLength',
    constraints: [min, max],
    validator: {
        validate: (value) => {
            if (typeof value !== 'string')
                return true;
            const length = codePoints(value);
            return length >= min && length <= max;
        },
        defaultMessage: (args) => `${args?.property} must be ${min} to ${max} characters long`,
    },
}));
exports.TextLength = TextLength;
//# sourceMappingURL=text-length.decorator.js.map