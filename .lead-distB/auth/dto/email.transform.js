"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.NormalizeEmail = exports.normalizeEmail = void 0;
const class_transformer_1 = require("class-transformer");
const normalizeEmail = (email) => email.trim().normalize('NFC').toLowerCase();
exports.normalizeEmail = normalizeEmail;
const NormalizeEmail = () => (0, class_transformer_1.Transform)(({ value }) => (typeof value === 'string' ? (0, exports.normalizeEmail)(value) : value));
exports.NormalizeEmail = NormalizeEmail;
//# sourceMappingURL=email.transform.js.map