"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.IsOmittable = void 0;
const class_validator_1 = require("class-validator");
const IsOmittable = () => (0, class_validator_1.ValidateIf)((_object, value) => value !== undefined);
exports.IsOmittable = IsOmittable;
//# sourceMappingURL=is-omittable.decorator.js.map