"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.validateBody = validateBody;
const class_transformer_1 = require("class-transformer");
const class_validator_1 = require("class-validator");
const errors_1 = require("../errors");
const validation_1 = require("./validation");
async function validateBody(request, dtoClass) {
    const body = request.body === undefined ? {} : request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new errors_1.AppException(errors_1.ErrorCode.ValidationFailed, ['body must be a JSON object']);
    }
    const refused = (0, validation_1.structureException)(body);
    if (refused)
        throw refused;
    const dto = (0, class_transformer_1.plainToInstance)(dtoClass, body);
    const errors = await (0, class_validator_1.validate)(dto, validation_1.VALIDATION_OPTIONS);
    if (errors.length > 0)
        throw (0, validation_1.validationException)(errors);
    request.body = dto;
    return dto;
}
//# sourceMappingURL=validate-body.js.map